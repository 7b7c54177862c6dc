"""The eval checks, metrics and reports on hand-made answers (no model), plus the CLI's contract."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.config import Settings
from assistant.errors import InvalidQuestion
from assistant.types import (
    Answer,
    BoundaryEvent,
    ChunkMeta,
    Citation,
    Passage,
    RetrievalFilter,
    Turn,
)
from evals import report, views
from evals.metrics import compute, regressions
from evals.results import CaseResult, RunConfig
from evals.runner import check_answer, run_case
from evals.schema import Case, Suite
from interfaces.cli.main import app


def passage(rank: int, ref: str) -> Passage:
    doc_id, _, label = ref.partition("#")
    meta = ChunkMeta(
        chunk_id=f"{ref}#0", doc_id=doc_id, title="t", kind="report", date="2009-04-08",
        section="III. Lessons", paragraphs=(label,), order=rank,
    )  # fmt: skip
    return Passage(rank=rank, meta=meta, text=f"text of {ref}", score=1.0 / rank)


def citation(marker: int, ref: str, supported: bool = True) -> Citation:
    doc_id, _, label = ref.partition("#")
    return Citation(
        marker=marker, doc_id=doc_id, paragraphs=(label,), section="s", quote="q",
        supported=supported,
    )  # fmt: skip


def answer(
    text: str = "Amnesty for war crimes can never be promised [1].",
    status: str = "answered",
    refs: Sequence[str] = ("S/2009/189#36", "S/2009/189#37"),
    cited: Sequence[Citation] | None = None,
    events: Sequence[tuple[str, str]] = (),
) -> Answer:
    return Answer(
        question="q",
        status=status,  # type: ignore[arg-type]  # tests pass valid literals as plain strings
        answer=text,
        passages=tuple(passage(rank, ref) for rank, ref in enumerate(refs, start=1)),
        citations=tuple(cited if cited is not None else [citation(1, refs[0])]),
        boundaries=tuple(
            BoundaryEvent(rule_id=rule, action=action, statement="s", sources=())  # type: ignore[arg-type]
            for rule, action in events
        ),
    )


def case(tags: Sequence[str] = (), **expect: Any) -> Case:
    expect.setdefault("status", ["answered", "partial"])
    return Case.model_validate(
        {"id": "c1", "question": "What about amnesty?", "tags": list(tags), "expect": expect}
    )


def check(c: Case, a: Answer, k: int = 5) -> CaseResult:
    return check_answer(c, "demo", k, a, 0.5)


def failed_checks(result: CaseResult) -> list[str]:
    return [f.check for f in result.failures]


# --- checks -------------------------------------------------------------------------------------
def test_passing_answer_records_its_evidence() -> None:
    result = check(case(retrieved=["S/2009/189#36"], cited=["S/2009/189#36"]), answer())
    assert result.passed and not result.failures
    assert result.evidence.passages[0].refs == ("S/2009/189#36",)
    assert result.evidence.citations[0].refs == ("S/2009/189#36",)
    assert (result.markers, result.valid_markers, result.supported_citations) == (1, 1, 1)


def test_status_outside_the_allowed_list_fails() -> None:
    result = check(case(status=["no_evidence"]), answer())
    assert failed_checks(result) == ["status"]
    assert "'answered'" in result.failures[0].reason


def test_retrieved_counts_only_the_top_k() -> None:
    refs = [f"S/2009/189#{n}" for n in range(1, 8)]
    assert check(case(retrieved=["S/2009/189#5"]), answer(refs=refs), k=5).passed
    late = check(case(retrieved=["S/2009/189#6"]), answer(refs=refs), k=5)
    assert failed_checks(late) == ["retrieved"]
    assert late.retrieval is not None and late.retrieval.first_rank is None


def test_retrieved_all_mode_needs_every_gold_ref() -> None:
    gold = ["S/2009/189#36", "S/2009/189#99"]
    assert check(case(retrieved=gold), answer()).passed
    result = check(case(retrieved=gold, retrieved_mode="all"), answer())
    assert failed_checks(result) == ["retrieved"] and "S/2009/189#99" in result.failures[0].reason
    assert result.retrieval is not None
    assert (result.retrieval.gold, result.retrieval.found, result.retrieval.first_rank) == (2, 1, 1)


def test_cited_needs_the_paragraph_among_the_citations() -> None:
    assert failed_checks(check(case(cited=["S/2009/189#37"]), answer())) == ["cited"]


def test_must_and_must_not_search_the_answer_text() -> None:
    text = "I cannot draft that.\nArticle 3: amnesty for all [1]."
    result = check(case(must=["(?i)never"], must_not=["(?i)^article \\d+.*amnesty"]), answer(text))
    assert failed_checks(result) == ["must", "must_not"]
    assert "Article 3" in result.failures[1].reason


def test_boundary_is_met_by_any_action_including_a_notice() -> None:
    expect = {"boundary": "amnesty-serious-crimes"}
    assert check(case(**expect), answer(events=[("amnesty-serious-crimes", "notice")])).passed
    result = check(case(**expect), answer(events=[("icc-justice", "refused")]))
    assert failed_checks(result) == ["boundary"] and "icc-justice (refused)" in result.reasons()


def test_no_boundary_refusal_fails_on_refused_status_or_refusal_event() -> None:
    expect = {"no_boundary_refusal": True, "status": ["answered", "refused"]}
    assert check(case(**expect), answer(events=[("inclusion", "notice")])).passed
    by_status = check(case(**expect), answer(status="refused"))
    by_event = check(case(**expect), answer(events=[("inclusion", "refused")]))
    assert failed_checks(by_status) == failed_checks(by_event) == ["no_boundary_refusal"]
    assert "inclusion" in by_event.failures[0].reason


def test_citation_markers_must_resolve_and_citations_be_supported() -> None:
    text = "One [1]. Two [2]. Three [7]."
    cited = [citation(1, "S/2009/189#36"), citation(2, "S/2009/189#37", supported=False)]
    result = check(case(), answer(text, cited=cited))
    assert failed_checks(result) == ["citations", "citations"]
    assert "[7]" in result.failures[0].reason and "[2]" in result.failures[1].reason
    assert (result.markers, result.valid_markers, result.supported_citations) == (3, 2, 1)


def test_a_marker_naming_a_passage_but_no_citation_is_invalid() -> None:
    result = check(case(), answer("One [1]. Two [2]."))
    assert failed_checks(result) == ["citations"] and "[2]" in result.failures[0].reason


class FakeAssistant:
    def __init__(self, reply: Answer | Exception) -> None:
        self.reply = reply
        self.calls: list[dict[str, Any]] = []

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: RetrievalFilter | None = None,
        k: int | None = None,
        llm: str | None = None,
    ) -> Answer:
        self.calls.append({"history": history, "filters": filters, "k": k, "llm": llm})
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


SUITE = Suite(suite="demo", description="d", k=4, cases=())


def test_run_case_passes_history_filters_and_k_to_the_assistant() -> None:
    c = Case.model_validate({
        "id": "f", "question": "And the ICC?", "k": 3,
        "history": [{"question": "Amnesty?", "answer": "Never for war crimes."}],
        "filters": {"doc_ids": ["S/2009/189"], "date_from": "2009-01-01"},
        "expect": {"status": ["answered"]},
    })  # fmt: skip
    fake = FakeAssistant(answer())
    result = run_case(fake, SUITE, c, llm="openai:x")
    call = fake.calls[0]
    assert call["history"] == [Turn(question="Amnesty?", answer="Never for war crimes.")]
    assert call["filters"] == RetrievalFilter(doc_ids=("S/2009/189",), date_from="2009-01-01")
    assert (call["k"], call["llm"], result.k, result.passed) == (3, "openai:x", 3, True)
    assert run_case(fake, SUITE, case(), k=2).k == 2
    assert run_case(fake, SUITE, case()).k == 4


def test_an_assistant_error_is_a_failure_not_a_crash() -> None:
    result = run_case(FakeAssistant(InvalidQuestion("too long")), SUITE, case())
    assert failed_checks(result) == ["error"] and "too long" in result.reasons()
    assert result.evidence.status is None


# --- metrics ------------------------------------------------------------------------------------
def results_for_metrics() -> list[CaseResult]:
    refs = ["a#1", "a#2", "a#3", "a#4", "a#5", "a#6"]
    out = [
        check(case(retrieved=["a#2"]), answer(refs=refs)),  # rank 2
        check(case(retrieved=["a#1", "a#6"]), answer(refs=refs)),  # 1 of 2 in top 5, rank 1
        check(case(retrieved=["a#6"]), answer(refs=refs)),  # miss
        check(case(status=["no_evidence"]), answer(status="no_evidence", cited=[], text="-")),
        check(case(status=["no_evidence"]), answer()),  # should have abstained
        check(case(), answer(status="no_evidence", cited=[], text="-")),  # wrongly abstained
    ]
    boundary = [
        check(case(["boundary"], boundary="r", status=["refused"]),
              answer(status="refused", events=[("r", "refused")])),  # complies
        check(case(["boundary"], boundary="r", retrieved=["z#1"], status=["refused"]),
              answer(status="refused", events=[("r", "refused")])),  # retrieval miss only
        check(case(["boundary"], boundary="r", status=["refused"]), answer()),  # not refused
        check(case(["boundary", "contrast"], no_boundary_refusal=True),
              answer(status="refused", events=[("r", "refused")])),  # over-refusal
        check(case(["boundary", "contrast"], no_boundary_refusal=True),
              answer(events=[("r", "notice")])),
    ]  # fmt: skip
    return [
        r.model_copy(update={"suite": suite, "case_id": f"c{i}"})
        for i, (suite, r) in enumerate([*(("s1", r) for r in out), *(("s2", r) for r in boundary)])
    ]


def test_metrics_math() -> None:
    metrics = compute(results_for_metrics())
    s1, s2, overall = metrics.suites["s1"], metrics.suites["s2"], metrics.overall
    assert (s1.retrieval_cases, s1.hit_at_k) == (3, pytest.approx(2 / 3, abs=1e-4))
    assert s1.recall_at_k == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert s1.mrr == pytest.approx((0.5 + 1 + 0) / 3, abs=1e-4)
    assert s1.abstention_precision == 0.5 and s1.abstention_recall == 0.5
    assert s1.boundary_compliance is None and s1.over_refusal_rate is None
    assert (s2.boundary_cases, s2.boundary_compliance) == (3, pytest.approx(2 / 3, abs=1e-4))
    assert (s2.contrast_cases, s2.over_refusal_rate) == (2, 0.5)
    assert overall.cases == 11 and overall.passed == sum(r.passed for r in results_for_metrics())
    assert overall.citation_validity == 1.0 and overall.citation_support == 1.0
    assert overall.seconds == pytest.approx(11 * 0.5)


def test_rates_without_eligible_cases_are_none() -> None:
    metrics = compute([check(case(), answer())])
    assert metrics.overall.hit_at_k is None and metrics.overall.abstention_precision is None
    assert metrics.overall.pass_rate == 1.0


# --- reports ------------------------------------------------------------------------------------
def make_report(results: Sequence[CaseResult]) -> report.Report:
    config = RunConfig(mode="extractive", k=None, suites={"s1": 5, "s2": 5},
                       timestamp="2025-01-01T00:00:00+00:00", seconds=1.5)  # fmt: skip
    return report.build(config, results)


def test_json_junit_and_html_files(tmp_path: Path) -> None:
    rep = make_report(results_for_metrics())
    paths = {name: tmp_path / "out" / f"run.{name}" for name in ("json", "xml", "html")}
    report.write(rep, paths["json"], paths["xml"], paths["html"])

    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert {"config", "metrics", "results"} <= data.keys()
    assert data["config"]["mode"] == "extractive" and data["config"]["timestamp"]
    assert len(data["results"]) == 11 and report.load(paths["json"]) == rep

    root = ET.parse(paths["xml"]).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["s1", "s2"]
    assert sum(len(s.findall("testcase")) for s in suites) == 11
    failures = root.findall(".//failure")
    assert len(failures) == len(rep.failed) == int(root.get("failures", "-1"))
    assert all(f.get("message") for f in failures)

    page = paths["html"].read_text(encoding="utf-8")
    assert page.count("<details") == 11 and "boundary_compliance" in page
    assert "<script" not in page and "<link" not in page and "src=" not in page


def test_html_escapes_everything_the_assistant_wrote() -> None:
    hostile = "<script>alert('x')</script> & <img src=x onerror=alert(1)>"
    result = check(case(must=["never"]), answer(text=hostile, cited=[]))
    result = result.model_copy(update={"question": hostile, "case_id": "<b>id</b>"})
    page = views.html_page(make_report([result]))
    assert "<script" not in page and "<img" not in page and "<b>id</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;" in page


def test_baseline_regression_beyond_tolerance_fails_the_run() -> None:
    good = results_for_metrics()
    worse = list(good)
    worse[0] = check(case(retrieved=["a#9"]), answer()).model_copy(update={"suite": "s1"})
    assert good[0].passed and not worse[0].passed
    before, after = compute(good), compute(worse)
    regressed = {(d.scope, d.metric) for d in regressions(before, after, 0.02)}
    assert {("overall", "pass_rate"), ("s1", "hit_at_k"), ("s1", "mrr")} <= regressed
    assert not regressions(before, after, 0.5)
    assert not regressions(after, before, 0.02)  # improvements never fail


def test_more_over_refusal_is_a_regression() -> None:
    results = results_for_metrics()
    fixed = list(results)
    fixed[9] = check(case(["boundary", "contrast"], no_boundary_refusal=True), answer())
    fixed[9] = fixed[9].model_copy(update={"suite": "s2", "case_id": "c9"})
    regressed = {(d.scope, d.metric) for d in regressions(compute(fixed), compute(results))}
    assert ("s2", "over_refusal_rate") in regressed


def test_check_baseline_reads_a_results_file(tmp_path: Path) -> None:
    good = make_report(results_for_metrics())
    report.write(good, json_path=tmp_path / "base.json")
    worse = make_report([r.model_copy(update={"passed": False}) for r in good.results])
    assert report.check_baseline(good, tmp_path / "base.json", 0.02) == []
    regressed = report.check_baseline(worse, tmp_path / "base.json", 0.02)
    assert [(d.scope, d.metric) for d in regressed if d.metric == "pass_rate"] == [
        ("overall", "pass_rate"),
        ("s1", "pass_rate"),
        ("s2", "pass_rate"),
    ]


def flipped_pair(tmp_path: Path) -> tuple[Path, Path]:
    """a.json and b.json: c0 passes then fails, c2 fails then passes, c10 only in A."""
    a = make_report(results_for_metrics())
    changed = list(a.results)
    assert changed[0].passed and not changed[2].passed
    changed[0] = changed[0].model_copy(update={"passed": False})
    changed[2] = changed[2].model_copy(update={"passed": True, "failures": ()})
    report.write(a, json_path=tmp_path / "a.json")
    report.write(make_report(changed[:-1]), json_path=tmp_path / "b.json")
    return tmp_path / "a.json", tmp_path / "b.json"


def test_compare_lists_metric_deltas_and_flipped_cases(tmp_path: Path) -> None:
    a_path, b_path = flipped_pair(tmp_path)
    comparison = report.compare(a_path, b_path)
    assert comparison.now_failing == ("s1/c0",) and comparison.now_passing == ("s1/c2",)
    assert comparison.only_in_a == ("s2/c10",) and comparison.only_in_b == ()
    delta = next(d for d in comparison.deltas if (d.scope, d.metric) == ("overall", "pass_rate"))
    a, b = report.load(a_path).metrics.overall, report.load(b_path).metrics.overall
    assert (delta.before, delta.after) == (a.pass_rate, b.pass_rate)


def test_load_rejects_a_file_that_is_not_a_results_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(Exception, match="mediation eval --json"):
        report.load(bad)


# --- the `mediation eval` command ---------------------------------------------------------------
def cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["eval", *args])


def test_cli_bad_case_file_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "suite: s\ndescription: d\ncases:\n  - id: a\n    question: q\n"
        "    expect: {status: [answered]}\n    expext: typo\n",
        encoding="utf-8",
    )
    result = cli(str(bad))
    assert result.exit_code == 2
    assert f"{bad}:7" in result.output and "unknown key 'expext'" in result.output


def test_cli_compare_prints_deltas_and_flips(tmp_path: Path) -> None:
    result = cli("--compare", *map(str, flipped_pair(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "Now failing (1): s1/c0" in result.output and "Now passing (1): s1/c2" in result.output
    assert cli("--compare", str(tmp_path / "a.json")).exit_code == 2


LENTILS = "How do I make a red lentil soup with cumin?"
MINI = f"""\
suite: mini
description: three views of one off-topic question
cases:
  - id: soup
    question: {LENTILS}
    tags: [keep]
    expect: {{status: [no_evidence]}}
  - id: soup-lenient
    question: {LENTILS}
    tags: [lenient]
    expect: {{status: [no_evidence, answered]}}
  - id: soup-wrongly-expected
    question: {LENTILS}
    tags: [gate]
    expect: {{status: [answered]}}
  - id: soup-known-failure
    question: {LENTILS}
    tags: [known]
    expect: {{status: [partial]}}
"""


def test_cli_runs_cases_on_the_real_index_writes_reports_and_gates(
    indexed_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIATION_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("MEDIATION_DOCS_DIR", str(indexed_settings.docs_dir))
    cases = tmp_path / "cases.yaml"
    cases.write_text(MINI, encoding="utf-8")
    out = {name: tmp_path / f"run.{name}" for name in ("json", "xml", "html")}

    failing = cli(str(cases), "--json", str(out["json"]), "--junit", str(out["xml"]),
                  "--html", str(out["html"]))  # fmt: skip
    assert failing.exit_code == 1, failing.output  # a gated case failed
    assert "Blocking failures (tagged gate or boundary): 1" in failing.output
    assert "Known failures (reported, not blocking): 1" in failing.output
    assert "1 blocking and 1 known failures" in failing.output
    run = report.load(out["json"])
    assert [r.passed for r in run.results] == [True, True, False, False]
    assert [r.blocking for r in run.failed] == [True, False]
    assert run.config.mode == "extractive" and out["xml"].is_file() and out["html"].is_file()
    assert "FAIL (blocking)" in out["html"].read_text(encoding="utf-8")

    known = cli(str(cases), "--tag", "known")
    assert known.exit_code == 0, known.output  # a failure that blocks nothing is reported
    assert "Known failures (reported, not blocking): 1" in known.output
    assert "0 blocking and 1 known failures" in known.output

    kept = tmp_path / "keep.json"
    better = cli(str(cases), "--tag", "keep", "--baseline", str(out["json"]), "--json", str(kept))
    assert better.exit_code == 0, better.output  # everything improved on the baseline

    # Both cases pass, but abstaining where an answer was also allowed lowers precision.
    worse = cli(str(cases), "--tag", "keep", "--tag", "lenient", "--baseline", str(kept))
    assert worse.exit_code == 1, worse.output
    assert "FAIL" not in worse.output
    assert "Regression: overall abstention_precision 1.000 -> 0.500" in worse.output
