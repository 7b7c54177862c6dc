"""Run eval cases through one Assistant and judge each answer: a typed `CaseResult` per case.

The checks (`check_answer`) are pure functions of a case and an `Answer`, so they are unit-tested
with hand-made answers; `run_cases` only asks and times. Each failure names its check:

- `status`              the answer's status is one of `expect.status`
- `retrieved`           any / all of `expect.retrieved` among the refs of `answer.passages[:k]`
- `cited`               every ref of `expect.cited` among the citations (`doc_id#label`)
- `must` / `must_not`   regex search on the answer text; `must_not` also line by line
                        (re.MULTILINE), so `^article` finds a drafted clause on any line
- `boundary`            `expect.boundary` appears in `answer.boundaries`, with any action
- `no_boundary_refusal` status is not `refused` and no boundary event has action `refused`
- `citations`           always on: every `[n]` in the text names a passage rank and a citation,
                        and every citation is `supported`
- `notice` / `no_notice` one of the answer's notices matches / none matches
- `error`               asking raised an `AssistantError` the case did not expect, or the case
                        expected one (`expect.error`, a regex on its message) and got an answer
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import AssistantError
from assistant.types import Answer, RetrievalFilter, Turn
from evals import answer_metrics
from evals.results import (
    Asker,
    BoundaryHit,
    CaseResult,
    CitedParagraph,
    Evidence,
    Failure,
    RetrievalScore,
    RetrievedPassage,
    RunConfig,
)
from evals.schema import Case, Suite

_MARKER = re.compile(r"\[(\d+)\]")


def selected(suites: Iterable[Suite], tags: Sequence[str] = ()) -> list[tuple[Suite, Case]]:
    """The (suite, case) pairs to run: all, or those carrying one of `tags`."""
    return [
        (suite, case)
        for suite in suites
        for case in suite.cases
        if not tags or set(tags) & set(case.tags)
    ]


def run_case(
    assistant: Asker, suite: Suite, case: Case, llm: str | None = None, k: int | None = None
) -> CaseResult:
    """Ask one case's question and judge the answer; `k` overrides the case's and suite's k."""
    top_k = k or case.k or suite.k
    started = time.perf_counter()
    try:
        answer = assistant.ask(
            case.question,
            history=[Turn(question=t.question, answer=t.answer) for t in case.history],
            filters=_filters(case),
            k=top_k,
            llm=llm,
        )
    except AssistantError as exc:
        seconds = time.perf_counter() - started
        if case.expect.error and re.search(case.expect.error, str(exc)):
            return _result(case, suite.suite, top_k, Evidence(notices=(str(exc),)), seconds)
        return _result(
            case, suite.suite, top_k, Evidence(), seconds,
            failures=[Failure(check="error", reason=f"{type(exc).__name__}: {exc}")],
        )  # fmt: skip
    return check_answer(case, suite.suite, top_k, answer, time.perf_counter() - started)


def run_cases(
    assistant: Asker,
    cases: Sequence[tuple[Suite, Case]],
    llm: str | None = None,
    k: int | None = None,
    progress: Callable[[CaseResult], None] | None = None,
) -> list[CaseResult]:
    """Run cases in order; `progress` is called after each one."""
    results: list[CaseResult] = []
    for suite, case in cases:
        result = run_case(assistant, suite, case, llm, k)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def evaluate(
    assistant: Asker,
    cases: Sequence[tuple[Suite, Case]],
    llm: str,
    k: int | None = None,
    case_files: Sequence[Path | str] = (),
    tags: Sequence[str] = (),
    progress: Callable[[CaseResult], None] | None = None,
) -> tuple[RunConfig, list[CaseResult]]:
    """Run cases with the `llm` backend spec ("none": extractive) and describe the run."""
    started = time.perf_counter()
    results = run_cases(assistant, cases, llm, k, progress)
    config = RunConfig(
        mode="extractive" if llm in ("", "none") else llm,
        k=k,
        suites={suite.suite: suite.k for suite, _ in cases},
        case_files=tuple(str(path) for path in case_files),
        tags=tuple(tags),
        timestamp=timestamp(),
        seconds=round(time.perf_counter() - started, 3),
    )
    return config, results


def timestamp() -> str:
    """Now, in UTC, ISO 8601 to the second: when a run was made."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def check_answer(case: Case, suite: str, k: int, answer: Answer, seconds: float) -> CaseResult:
    """Every check the case asks for, plus citation validity, on one answer."""
    expect = case.expect
    failures: list[Failure] = []
    if expect.error:
        failures.append(
            Failure(check="error", reason=f"expected an error matching {expect.error!r}, got an "
                    f"answer ({answer.status})")
        )  # fmt: skip
    elif answer.status not in expect.status:
        failures.append(Failure(check="status", reason=f"{answer.status!r} not in {expect.status}"))
    if expect.notice and not any(re.search(expect.notice, n) for n in answer.notices):
        failures.append(Failure(check="notice", reason=f"no notice matches {expect.notice!r}"))
    if expect.no_notice:
        for notice in (n for n in answer.notices if re.search(expect.no_notice, n)):
            failures.append(Failure(check="no_notice", reason=f"unexpected notice {notice[:80]!r}"))

    retrieval = None
    if expect.retrieved:
        ranked = [(p.rank, set(p.refs)) for p in answer.passages[:k]]
        found = [ref for ref in expect.retrieved if any(ref in refs for _, refs in ranked)]
        first = next((rank for rank, refs in ranked if refs & set(expect.retrieved)), None)
        retrieval = RetrievalScore(gold=len(expect.retrieved), found=len(found), first_rank=first)
        missing = [ref for ref in expect.retrieved if ref not in found]
        if (expect.retrieved_mode == "all" and missing) or not found:
            top = ", ".join(r for _, refs in ranked for r in sorted(refs)) or "nothing"
            failures.append(
                Failure(check="retrieved", reason=f"{', '.join(missing)} not in top {k} ({top})")
            )

    cited = {f"{c.doc_id}#{p}" for c in answer.citations for p in c.paragraphs}
    if missing_cited := [ref for ref in expect.cited if ref not in cited]:
        have = ", ".join(sorted(cited)) or "none"
        failures.append(
            Failure(check="cited", reason=f"{', '.join(missing_cited)} not cited ({have})")
        )

    for pattern in expect.must:
        if not re.search(pattern, answer.answer):
            failures.append(Failure(check="must", reason=f"no match for {pattern!r}"))
    for pattern in expect.must_not:
        hit = re.search(pattern, answer.answer) or re.search(pattern, answer.answer, re.MULTILINE)
        if hit:
            failures.append(
                Failure(check="must_not", reason=f"{pattern!r} matched {hit.group(0)[:80]!r}")
            )

    events = {(b.rule_id, b.action) for b in answer.boundaries}
    if expect.boundary and expect.boundary not in {rule for rule, _ in events}:
        seen = ", ".join(sorted(f"{r} ({a})" for r, a in events)) or "none"
        failures.append(
            Failure(check="boundary", reason=f"{expect.boundary!r} not triggered (events: {seen})")
        )
    if expect.no_boundary_refusal:
        refused_by = sorted(rule for rule, action in events if action == "refused")
        if answer.status == "refused" or refused_by:
            why = f"refused by {', '.join(refused_by)}" if refused_by else "status 'refused'"
            failures.append(Failure(check="no_boundary_refusal", reason=why))

    markers, valid, citation_failures = _citation_validity(answer)
    failures.extend(citation_failures)
    return _result(
        case, suite, k, _evidence(answer), seconds, failures, retrieval,
        markers=markers, valid_markers=valid,
        supported_citations=sum(c.supported for c in answer.citations),
    )  # fmt: skip


def _citation_validity(answer: Answer) -> tuple[int, int, list[Failure]]:
    """(markers, valid markers, failures): each [n] names a passage rank and a citation."""
    ranks = {p.rank for p in answer.passages}
    citations = {c.marker for c in answer.citations}
    numbers = [int(n) for n in _MARKER.findall(answer.answer)]
    invalid = sorted({n for n in numbers if n not in ranks or n not in citations})
    failures = []
    if invalid:
        failures.append(
            Failure(
                check="citations",
                reason="markers naming no passage or citation: "
                + ", ".join(f"[{n}]" for n in invalid),
            )
        )
    unsupported = [c for c in answer.citations if not c.supported]
    if unsupported:
        labels = ", ".join(f"[{c.marker}] {c.label}" for c in unsupported)
        failures.append(Failure(check="citations", reason=f"unsupported citations: {labels}"))
    return len(numbers), sum(n not in invalid for n in numbers), failures


def _evidence(answer: Answer) -> Evidence:
    return Evidence(
        answer=answer.answer,
        status=answer.status,
        mode=answer.mode,
        citations=tuple(
            CitedParagraph(
                marker=c.marker,
                refs=tuple(f"{c.doc_id}#{p}" for p in c.paragraphs),
                supported=c.supported,
                quote=c.quote,
            )
            for c in answer.citations
        ),
        passages=tuple(
            RetrievedPassage(rank=p.rank, refs=p.refs, section=p.section, text=p.text)
            for p in answer.passages
        ),
        boundaries=tuple(
            BoundaryHit(rule_id=b.rule_id, action=b.action) for b in answer.boundaries
        ),
        notices=answer.notices,
        points=answer_metrics.points(answer),
        words=answer_metrics.words(answer),
    )


def _result(
    case: Case,
    suite: str,
    k: int,
    evidence: Evidence,
    seconds: float,
    failures: Sequence[Failure] = (),
    retrieval: RetrievalScore | None = None,
    **counts: int,
) -> CaseResult:
    return CaseResult(
        case_id=case.case_id,
        suite=suite,
        question=case.question,
        tags=case.tags,
        k=k,
        expected_status=case.expect.status,
        expects_boundary=case.expect.boundary is not None,
        passed=not failures,
        failures=tuple(failures),
        evidence=evidence,
        retrieval=retrieval,
        seconds=round(seconds, 4),
        answers=case.answers,
        family=case.family,
        split=case.split,
        **counts,
    )


def _filters(case: Case) -> RetrievalFilter | None:
    if case.filters is None:
        return None
    found = case.filters
    return RetrievalFilter(
        doc_ids=found.doc_ids,
        kinds=found.kinds,
        date_from=found.date_from.isoformat() if found.date_from else None,
        date_to=found.date_to.isoformat() if found.date_to else None,
    )
