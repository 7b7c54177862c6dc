"""What the documents can speak to: unknown documents, the present, filters, the honest badge."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from typer.testing import CliRunner

from assistant.answer.relevance import TermWeights
from assistant.answer.scope import Library
from assistant.answer.status import badge, missing_terms, partial_notice
from assistant.errors import InvalidQuestion, UnknownDocument
from assistant.types import RetrievalFilter

LIBRARY = Library.of(
    [
        Document(page_content="x", metadata={"doc_id": doc_id, "kind": kind, "date": date})
        for doc_id, kind, date in (("S/2009/189", "sg", "2009-04-08"), ("dpa", "page", "2017-09"))
    ]
)


@pytest.mark.parametrize(
    "question",
    [
        "Who heads DPPA now?",
        "Who is the current Secretary-General?",
        "How many women serve as envoys today?",
        "Which envoys were appointed this year?",
        "What is the Mediation Support Unit working on in 2025?",
        "Which countries are on the agenda at the moment?",
    ],
)
def test_questions_about_the_present_are_recognised(question: str) -> None:
    assert LIBRARY.about_present(question)


@pytest.mark.parametrize(
    "question",
    [
        "Now that the ICC exists, what should I tell the parties?",
        "We now have a signed agreement. Does the mediator's job end there?",
        "What did the 2009 report recommend?",
        "How did the UN help in Kenya in 2008?",
    ],
)
def test_questions_about_the_past_or_the_asker_are_not(question: str) -> None:
    assert not LIBRARY.about_present(question)


def test_present_notice_names_the_newest_document_and_its_date() -> None:
    notice = LIBRARY.present_notice()
    assert "end at their dates" in notice and "dpa" in notice and "2017-09" in notice


def test_unknown_document_id_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(UnknownDocument) as raised:
        LIBRARY.check(RetrievalFilter(doc_ids=("S/2009/189", "S/2009/198")))
    message = str(raised.value)
    assert "'S/2009/198'" in message and "S/2009/189, dpa" in message
    assert isinstance(raised.value, InvalidQuestion)
    LIBRARY.check(RetrievalFilter(doc_ids=("dpa",)))
    LIBRARY.check(None)


def test_selected_documents_follow_every_kind_of_filter() -> None:
    assert LIBRARY.selected(RetrievalFilter(kinds=("page",))) == ["dpa"]
    assert LIBRARY.selected(RetrievalFilter(date_to="2010-12-31")) == ["S/2009/189"]


def test_badge_is_answered_only_above_the_threshold_and_never_about_now() -> None:
    assert badge(0.9, 0.8, about_present=False) == "answered"
    assert badge(0.7, 0.8, about_present=False) == "partial"
    assert badge(0.99, 0.8, about_present=True) == "partial"


def test_partial_names_the_words_no_document_contains() -> None:
    weights = TermWeights(["mediation in land disputes", "mediation talks", "disputes"])
    missing = missing_terms("What does the guidance say about DPPA and grazing disputes?", weights)
    assert missing == ["grazing"]  # acronyms are spelled out in the documents; known words pass
    notice = partial_notice(missing)
    assert "“grazing”" in notice and "never use the words" in notice
    assert "closest" in partial_notice([])


# --- on the real index -------------------------------------------------------------------------
def test_unknown_document_filter_raises_before_answering(assistant: Any) -> None:
    with pytest.raises(UnknownDocument, match="S/2009/198"):
        assistant.ask("What about spoilers?", filters=RetrievalFilter(doc_ids=("S/2009/198",)))


def test_cli_ask_with_unknown_doc_says_which_ids_exist(
    indexed_settings: Any, monkeypatch: Any
) -> None:
    from interfaces.cli.main import app

    monkeypatch.setenv("MEDIATION_DATA_DIR", str(indexed_settings.data_dir))
    monkeypatch.setenv("MEDIATION_DOCS_DIR", str(indexed_settings.docs_dir))
    result = CliRunner().invoke(app, ["ask", "What about spoilers?", "--doc", "S/2009/198"])
    assert result.exit_code != 0
    assert "Unknown document" in result.output and "S/2011/552" in result.output
    assert "Traceback" not in result.output


def test_filter_that_leaves_the_evidence_out_says_so(assistant: Any) -> None:
    answer = assistant.ask(
        "What does the guidance say about handling spoilers?",
        filters=RetrievalFilter(doc_ids=("S/2011/552",)),
    )
    assert answer.status == "no_evidence" and not answer.citations
    assert "Not covered in the selected documents: S/2011/552" in answer.answer
    assert "S/2009/189" in answer.answer  # where it is covered, outside the selection


def test_filter_that_keeps_the_evidence_answers(assistant: Any) -> None:
    answer = assistant.ask(
        "How do mediators deal with spoilers?", filters=RetrievalFilter(doc_ids=("S/2009/189",))
    )
    assert answer.status in ("answered", "partial") and answer.citations
    assert all(c.doc_id == "S/2009/189" for c in answer.citations)


def test_question_about_now_is_told_the_documents_end_at_their_dates(assistant: Any) -> None:
    answer = assistant.ask("Who is the Secretary-General now?")
    assert answer.status != "answered"
    assert any("end at their dates" in n for n in answer.notices)
    plain = assistant.ask("Who succeeded Ban Ki-moon as Secretary-General?")
    assert not any("end at their dates" in n for n in plain.notices)
