"""Does the answer answer: points, their paragraphs and the metrics, on hand-made answers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import UnknownDocument
from assistant.types import Answer, ChunkMeta, Citation, Passage, RetrievalFilter, Turn
from evals.answer_metrics import SHORT_WORDS, AnswerRates, points, words
from evals.metrics import compute, regressions
from evals.runner import check_answer, run_case
from evals.schema import Case, CaseFileError, Suite, load_suites


def passage(rank: int, ref: str) -> Passage:
    doc_id, _, label = ref.partition("#")
    meta = ChunkMeta(
        chunk_id=f"{ref}#0", doc_id=doc_id, title="t", kind="report", date="2009-04-08",
        section="s", paragraphs=(label,), order=rank,
    )  # fmt: skip
    return Passage(rank=rank, meta=meta, text=f"text of {ref}", score=1.0 / rank)


def answer(
    text: str, refs: Sequence[str], status: str = "answered", notices: Sequence[str] = ()
) -> Answer:
    return Answer(
        question="q",
        status=status,  # type: ignore[arg-type]  # a valid literal passed as a plain string
        answer=text,
        passages=tuple(passage(r, ref) for r, ref in enumerate(refs, start=1)),
        citations=tuple(
            Citation(
                marker=r,
                doc_id=ref.partition("#")[0],
                paragraphs=(ref.partition("#")[2],),
                section="s",
                quote="q",
                supported=True,
            )
            for r, ref in enumerate(refs, start=1)
        ),
        notices=tuple(notices),
    )


BULLETS = """The guidance addresses this:

- Spoilers are most dangerous near a deal. [1]
- Threats to withdraw support give spoilers a veto. [2]

Sources:
[1] S/2009/189, para. 30 — Report
[2] S/2009/189, para. 32 — Report
"""


def case(answers: Sequence[str] | None, **expect: Any) -> Case:
    expect.setdefault("status", ["answered", "partial"])
    data: dict[str, Any] = {"id": "c", "question": "q", "expect": expect}
    if answers is not None:
        data.update(answers=list(answers), family="f", split="dev")
    return Case.model_validate(data)


def test_points_are_bullets_with_the_paragraphs_their_markers_cite() -> None:
    found = points(answer(BULLETS, ["S/2009/189#30", "S/2009/189#32"]))
    assert [p.refs for p in found] == [("S/2009/189#30",), ("S/2009/189#32",)]
    assert found[0].text == "Spoilers are most dangerous near a deal."


def test_prose_points_are_the_sentences_that_carry_a_marker() -> None:
    prose = "Spoilers matter [1]. They act near a deal. Threats backfire [2]."
    assert len(points(answer(prose, ["S/2009/189#30", "S/2009/189#32"]))) == 2


def test_words_leave_out_markers_and_sources() -> None:
    assert words(answer(BULLETS, ["S/2009/189#30", "S/2009/189#32"])) == 4 + 7 + 8


def test_point_precision_first_point_and_badge_honesty() -> None:
    good = answer(BULLETS, ["S/2009/189#30", "S/2009/189#32"])
    wrong_first = answer(BULLETS, ["S/2009/189#9", "S/2009/189#30"])
    results = [
        check_answer(case(["S/2009/189#30"]), "s", 5, good, 0.1),
        check_answer(case(["S/2009/189#30"]), "s", 5, wrong_first, 0.1),
        check_answer(case(None), "s", 5, good, 0.1),  # unlabelled: not in the answer metrics
    ]
    rates = AnswerRates(results)
    assert rates.labelled_cases == 2
    assert rates.point_precision == 0.5  # 2 of 4 points cite S/2009/189#30
    assert rates.first_point_precision == 0.5
    assert rates.badge_honesty == 0.5
    assert rates.answerable_at_k == 1.0
    assert rates.median_words == 19 and rates.short_answer_rate == 1.0 and SHORT_WORDS >= 19


def test_points_on_a_question_nothing_answers_are_all_wrong() -> None:
    result = check_answer(case([]), "s", 5, answer(BULLETS, ["S/2009/189#30"] * 2), 0.1)
    rates = AnswerRates([result])
    assert rates.point_precision == 0.0 and rates.answerable_at_k is None


def test_a_worse_point_precision_is_a_regression() -> None:
    good = check_answer(case(["S/2009/189#30"]), "s", 5,
                        answer(BULLETS, ["S/2009/189#30", "S/2009/189#32"]), 0.1)  # fmt: skip
    bad = check_answer(case(["S/2009/189#30"]), "s", 5,
                       answer(BULLETS, ["S/2009/189#9", "S/2009/189#8"]), 0.1)  # fmt: skip
    regressed = {(d.scope, d.metric) for d in regressions(compute([good]), compute([bad]))}
    assert ("overall", "point_precision") in regressed
    assert ("overall", "first_point_precision") in regressed


def test_notice_checks() -> None:
    notice = "The documents end at their dates: the newest is 2017."
    a = answer(BULLETS, ["S/2009/189#30", "S/2009/189#32"], notices=[notice])
    assert check_answer(case(None, notice="end at their dates"), "s", 5, a, 0.1).passed
    missing = check_answer(case(None, notice="nothing like this"), "s", 5, a, 0.1)
    unwanted = check_answer(case(None, no_notice="end at their"), "s", 5, a, 0.1)
    assert [f.check for f in missing.failures] == ["notice"]
    assert [f.check for f in unwanted.failures] == ["no_notice"]


class Raises:
    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: RetrievalFilter | None = None,
        k: int | None = None,
        llm: str | None = None,
    ) -> Answer:
        raise UnknownDocument(["S/2009/198"], ["S/2009/189"])


def test_an_expected_error_passes_and_an_unexpected_one_fails() -> None:
    suite = Suite(suite="s", description="d", cases=())
    expected = case(None, status=[], error="(?i)unknown document.*S/2009/198")
    assert run_case(Raises(), suite, expected).passed
    surprised = run_case(Raises(), suite, case(None))
    assert [f.check for f in surprised.failures] == ["error"]


def test_status_and_error_are_exclusive_and_a_split_needs_its_labels() -> None:
    with pytest.raises(ValueError, match="either status"):
        case(None, error="x")  # status defaults to a list, so both are given
    with pytest.raises(ValueError, match="family and its answers"):
        Case.model_validate({"id": "c", "question": "q", "split": "test",
                             "expect": {"status": ["answered"]}})  # fmt: skip


def test_a_family_in_both_splits_is_reported(tmp_path: Path) -> None:
    template = (
        "suite: {name}\ndescription: d\ncases:\n  - id: {name}-1\n    question: q\n"
        "    family: spoilers\n    split: {split}\n    answers: []\n"
        "    expect: {{status: [answered]}}\n"
    )
    dev, test = tmp_path / "dev.yaml", tmp_path / "test.yaml"
    dev.write_text(template.format(name="a", split="dev"), encoding="utf-8")
    test.write_text(template.format(name="b", split="test"), encoding="utf-8")
    with pytest.raises(CaseFileError, match="family 'spoilers' is in the dev split"):
        load_suites([dev, test])


def test_shipped_splits_share_no_family() -> None:
    from evals.schema import CASES_DIR

    suites = load_suites([CASES_DIR / "answers_dev.yaml", CASES_DIR / "answers_test.yaml"])
    dev, test = ({c.family for c in s.cases} for s in suites)
    assert not dev & test
    assert sum(len(s.cases) for s in suites) >= 150
    assert all(c.split == "dev" for c in suites[0].cases)
    assert all(c.split == "test" for c in suites[1].cases)
