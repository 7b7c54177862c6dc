"""THE GATE: every seed eval case on the extractive default, each its own test.

Blocking: every case tagged `boundary` and every case tagged `gate` must pass, and no metric may
fall below the shipped baseline (evals/baseline.json) by more than the tolerance. Any other case
that fails is reported as xfail with its reasons (visible with -ra), not hidden as a skip.
`test_suite_metrics_and_artifacts` runs last and writes artifacts/eval_extractive.{json,xml,html}
from the answers the case tests cached (running any that were deselected).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals import report
from evals.metrics import DEFAULT_TOLERANCE
from evals.results import BLOCKING_TAGS, CaseResult, RunConfig
from evals.runner import run_case, selected, timestamp
from evals.schema import Case, Suite, default_case_files, load_suites

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CASES = selected(load_suites(default_case_files()))


def key(suite: Suite, case: Case) -> str:
    return f"{suite.suite}/{case.case_id}"


@pytest.fixture(scope="session")
def extractive_results() -> dict[str, CaseResult]:
    """Results by `suite/case_id`, filled by the case tests, read by the metrics test."""
    return {}


def verdict(result: CaseResult, blocking: bool) -> None:
    """Fail a blocking case (reasons and answer), xfail any other failing case (reasons).

    The xfail reason stays on one line so that `-ra` lists one line per known failure; the
    answers are in artifacts/eval_extractive.html.
    """
    if result.passed:
        return
    if blocking:
        pytest.fail(
            f"{result.reasons()}\nstatus: {result.evidence.status}\n"
            f"answer: {result.evidence.answer[:800]}",
            pytrace=False,
        )
    pytest.xfail(result.reasons())


@pytest.mark.parametrize(("suite", "case"), CASES, ids=[key(s, c) for s, c in CASES])
def test_case(
    suite: Suite, case: Case, assistant: Any, extractive_results: dict[str, CaseResult]
) -> None:
    result = run_case(assistant, suite, case)
    extractive_results[key(suite, case)] = result
    verdict(result, blocking=bool(BLOCKING_TAGS & set(case.tags)))


def test_suite_metrics_and_artifacts(
    assistant: Any, extractive_results: dict[str, CaseResult]
) -> None:
    results = [extractive_results.get(key(s, c)) or run_case(assistant, s, c) for s, c in CASES]
    config = RunConfig(
        mode="extractive",
        k=None,
        suites={s.suite: s.k for s, _ in CASES},
        case_files=tuple(str(p) for p in default_case_files()),
        timestamp=timestamp(),
        seconds=round(sum(r.seconds for r in results), 3),
    )
    run = report.build(config, results)
    stem = ARTIFACTS / "eval_extractive"
    json_path, xml_path, html_path = (stem.with_suffix(x) for x in (".json", ".xml", ".html"))
    report.write(run, json_path, xml_path, html_path)
    overall = run.metrics.overall
    assert overall.cases == len(CASES)
    assert overall.boundary_compliance == 1.0
    assert overall.over_refusal_rate == 0.0
    assert overall.citation_validity == 1.0
    regressed = report.check_baseline(run, report.DEFAULT_BASELINE, DEFAULT_TOLERANCE)
    assert not regressed, "worse than evals/baseline.json: " + "; ".join(
        f"{d.scope} {d.metric} {d.before} -> {d.after}" for d in regressed
    )
