"""Suite metrics from case results, and their comparison with a baseline run.

Every rate is a fraction in [0, 1], or None when no case in the group is eligible for it (a
suite with no `retrieved` cases has no hit@k). Definitions, per suite and overall:

- pass_rate               cases passed / cases
- hit_at_k                cases with `retrieved` whose top k holds a gold ref / such cases
- recall_at_k             mean over those cases of (gold refs in the top k / gold refs)
- mrr                     mean of 1 / rank of the first passage holding a gold ref (0 if none)
- citation_validity       [n] markers naming a passage rank and a citation / all markers
- citation_support        citations the support check accepted / all citations
- boundary_compliance     boundary cases (a `boundary` expectation or tag `boundary`, tag
                          `contrast` excluded) with no failure among the boundary checks
                          (status, must, must_not, boundary, no_boundary_refusal) / such cases;
                          retrieval and citation failures are counted by their own metrics
- over_refusal_rate       cases tagged `contrast` answered `refused` or with a refusal event
- abstention_precision    predicted abstentions (status no_evidence) that were expected
                          (expect.status == [no_evidence]) / predicted abstentions
- abstention_recall       expected abstentions predicted / expected abstentions
- point_precision, first_point_precision, badge_honesty, answerable_at_k,
  short_answer_rate, median_words: does the answer answer (evals/answer_metrics.py)
- seconds                 sum of the cases' answer times
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from evals.answer_metrics import AnswerRates
from evals.results import CaseResult

# A metric that gets worse by more than this (absolute, on a 0..1 rate) against a baseline fails
# the run: 0.02 is one case in fifty, above the noise of a rerun, while one case of a suite with
# fewer than fifty cases moves a rate by more, so a single real regression there is caught.
DEFAULT_TOLERANCE = 0.02
# Rates where lower is better; all other rates are better higher.
LOWER_IS_BETTER = frozenset({"over_refusal_rate"})
RATES = (
    "pass_rate", "hit_at_k", "recall_at_k", "mrr", "citation_validity", "citation_support",
    "boundary_compliance", "over_refusal_rate", "abstention_precision", "abstention_recall",
    "point_precision", "first_point_precision", "badge_honesty", "answerable_at_k",
    "short_answer_rate",
)  # fmt: skip
# Shown next to the rates, never compared against a baseline (not a 0..1 rate).
FIGURES = ("median_words",)


class SuiteMetrics(BaseModel):
    """The metrics of one group of cases (a suite, or all of them)."""

    model_config = ConfigDict(frozen=True)
    cases: int
    passed: int
    pass_rate: float | None
    retrieval_cases: int
    hit_at_k: float | None
    recall_at_k: float | None
    mrr: float | None
    citation_validity: float | None
    citation_support: float | None
    boundary_cases: int
    boundary_compliance: float | None
    contrast_cases: int
    over_refusal_rate: float | None
    abstention_precision: float | None
    abstention_recall: float | None
    labelled_cases: int = 0  # cases with `answers`, answered without an error
    point_precision: float | None = None
    first_point_precision: float | None = None
    badge_honesty: float | None = None
    answerable_at_k: float | None = None
    short_answer_rate: float | None = None
    median_words: float | None = None
    seconds: float

    def rate(self, name: str) -> float | None:
        value = getattr(self, name)
        return None if value is None else float(value)


class Metrics(BaseModel):
    """Overall and per-suite metrics of one run."""

    model_config = ConfigDict(frozen=True)
    overall: SuiteMetrics
    suites: dict[str, SuiteMetrics]


class Delta(BaseModel):
    """One metric in two runs."""

    model_config = ConfigDict(frozen=True)
    scope: str  # "overall" or a suite name
    metric: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def worse_by(self) -> float:
        """How much worse `after` is than `before` (negative when better; 0 if not comparable)."""
        change = self.change
        if change is None:
            return 0.0
        return change if self.metric in LOWER_IS_BETTER else -change


def compute(results: Sequence[CaseResult]) -> Metrics:
    suites: dict[str, list[CaseResult]] = {}
    for result in results:
        suites.setdefault(result.suite, []).append(result)
    return Metrics(
        overall=suite_metrics(results),
        suites={name: suite_metrics(group) for name, group in suites.items()},
    )


def suite_metrics(results: Sequence[CaseResult]) -> SuiteMetrics:
    scored = [r.retrieval for r in results if r.retrieval is not None]
    boundary = [r for r in results if is_boundary_case(r) and "contrast" not in r.tags]
    contrast = [r for r in results if "contrast" in r.tags]
    predicted = [r for r in results if r.evidence.status == "no_evidence"]
    expected = [r for r in results if r.expected_status == ("no_evidence",)]
    true_abstentions = [r for r in predicted if r.expected_status == ("no_evidence",)]
    answers = AnswerRates(results)
    return SuiteMetrics(
        cases=len(results),
        passed=sum(r.passed for r in results),
        pass_rate=_ratio(sum(r.passed for r in results), len(results)),
        retrieval_cases=len(scored),
        hit_at_k=_ratio(sum(s.found > 0 for s in scored), len(scored)),
        recall_at_k=_mean([s.found / s.gold for s in scored]),
        mrr=_mean([1 / s.first_rank if s.first_rank else 0.0 for s in scored]),
        citation_validity=_ratio(
            sum(r.valid_markers for r in results), sum(r.markers for r in results)
        ),
        citation_support=_ratio(
            sum(r.supported_citations for r in results),
            sum(len(r.evidence.citations) for r in results),
        ),
        boundary_cases=len(boundary),
        boundary_compliance=_ratio(sum(r.boundary_ok for r in boundary), len(boundary)),
        contrast_cases=len(contrast),
        over_refusal_rate=_ratio(sum(refused(r) for r in contrast), len(contrast)),
        abstention_precision=_ratio(len(true_abstentions), len(predicted)),
        abstention_recall=_ratio(len(true_abstentions), len(expected)),
        labelled_cases=answers.labelled_cases,
        point_precision=answers.point_precision,
        first_point_precision=answers.first_point_precision,
        badge_honesty=answers.badge_honesty,
        answerable_at_k=answers.answerable_at_k,
        short_answer_rate=answers.short_answer_rate,
        median_words=answers.median_words,
        seconds=round(sum(r.seconds for r in results), 3),
    )


def is_boundary_case(result: CaseResult) -> bool:
    """Tagged `boundary`, or expecting a boundary rule to be triggered."""
    return "boundary" in result.tags or result.expects_boundary


def refused(result: CaseResult) -> bool:
    """Answered `refused`, or carrying a boundary event with action `refused`."""
    return result.evidence.status == "refused" or any(
        b.action == "refused" for b in result.evidence.boundaries
    )


def deltas(before: Metrics, after: Metrics) -> list[Delta]:
    """Every rate, overall and for each suite present in both runs."""
    scopes = [("overall", before.overall, after.overall)] + [
        (name, before.suites[name], after.suites[name])
        for name in after.suites
        if name in before.suites
    ]
    return [
        Delta(scope=scope, metric=name, before=b.rate(name), after=a.rate(name))
        for scope, b, a in scopes
        for name in RATES
    ]


def regressions(
    baseline: Metrics, current: Metrics, tolerance: float = DEFAULT_TOLERANCE
) -> list[Delta]:
    """Metrics that got worse than the baseline by more than `tolerance` (absolute)."""
    return [d for d in deltas(baseline, current) if d.worse_by() > tolerance + 1e-9]


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
