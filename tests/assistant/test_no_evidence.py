"""Calibration of `no_evidence`: off-topic questions abstain, every labelled question answers."""

from __future__ import annotations

import pytest

from assistant.answer.evidence import unknown_names
from assistant.text import vocabulary
from evals.schema import load_suite
from tests.conftest import ROOT

IN_SCOPE = load_suite(ROOT / "evals/cases/retrieval.yaml").cases
OFF_TOPIC = [
    "What is a good recipe for a chocolate cake?",
    "Who won the football World Cup final in 2022?",
    "What is the capital of Australia?",
    "How do I reverse a list in Python?",
]


def test_names_the_corpus_lacks_are_found() -> None:
    vocab = vocabulary(["The Security Council met in 2009 on Cyprus and the African Union."])
    assert unknown_names("What did the MSU spend in 2023 on Cyprus talks?", vocab) == ["2023"]
    assert unknown_names("Did the Security Council meet in 2009?", vocab) == []
    assert unknown_names("What about Ukraine and the ICC?", vocab) == ["Ukraine"]
    assert unknown_names("Ukraine first.", vocab) == []  # a sentence opener is not a name


@pytest.mark.slow
@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_questions_get_no_evidence(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask(question)
    assert answer.status == "no_evidence"
    assert answer.passages, "the closest passages are still shown"
    assert answer.citations == ()


@pytest.mark.slow
def test_every_labelled_question_is_answered(assistant) -> None:  # type: ignore[no-untyped-def]
    abstained = [c.case_id for c in IN_SCOPE if assistant.ask(c.question).status == "no_evidence"]
    assert abstained == []


@pytest.mark.slow
def test_near_miss_naming_an_unknown_year_abstains_and_says_why(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask("How much money did the Mediation Support Unit spend in 2023?")
    assert answer.status == "no_evidence"
    assert "2023" in answer.answer
