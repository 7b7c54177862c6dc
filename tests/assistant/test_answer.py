"""The answer chain on the real model, real Chroma and the real corpus (extractive and SmolLM2)."""

from __future__ import annotations

import re

import pytest

from assistant.config import Settings
from assistant.errors import InvalidQuestion
from assistant.service import Assistant
from assistant.types import Answer, RetrievalFilter, Turn
from tests.llm_server import needs_llama_cpp

pytestmark = pytest.mark.slow


def markers(answer: Answer) -> set[int]:
    return {int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)}


def assert_citations_resolve(answer: Answer) -> None:
    ranks = {p.rank for p in answer.passages}
    cited = {c.marker for c in answer.citations}
    assert markers(answer) <= ranks, "a marker points at no passage"
    assert markers(answer) <= cited | ranks
    for citation in answer.citations:
        passage = answer.passages[citation.marker - 1]
        assert (citation.doc_id, citation.paragraphs) == (passage.doc_id, passage.paragraphs)


def test_extractive_answer_is_verbatim_cited_and_short(assistant: Assistant) -> None:
    answer = assistant.ask("How should a mediator deal with spoilers when a deal is close?")
    assert answer.status == "answered" and answer.mode == "extractive"
    points = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert 2 <= len(points) <= 4  # the few sentences that answer (points.MAX_POINTS)
    texts = {p.rank: p.text for p in answer.passages}
    for point in points:
        sentence, marker = re.match(r"- (.*) \[(\d+)\]$", point).groups()  # type: ignore[union-attr]
        assert sentence in texts[int(marker)], "every point is verbatim from its passage"
    assert all(c.supported for c in answer.citations)
    assert any(
        c.doc_id == "S/2009/189" and c.paragraphs[0] in {"30", "31", "32", "33", "34"}
        for c in answer.citations
    )
    assert_citations_resolve(answer)
    assert "Sources:" in answer.answer
    # The same answer as data: the points and sources the markdown was rendered from.
    assert [f"- {p.text}" for p in answer.points] == points
    assert all(p.markers == (int(p.text.rsplit("[", 1)[1][:-1]),) for p in answer.points)
    used = list(dict.fromkeys(m for p in answer.points for m in p.markers))
    assert [s.marker for s in answer.sources] == used, "sources in reading order"
    assert [s.marker for s in answer.sources] == [c.marker for c in answer.citations]
    assert answer.summary in answer.answer and answer.layout == "points"


def test_json_contract_fields(assistant: Assistant) -> None:
    data = assistant.ask("What is preventive diplomacy?").to_json()
    assert set(data) == {
        "question",
        "status",
        "answer",
        "citations",
        "passages",
        "boundaries",
        "mode",
        "notices",
        "timings_ms",
        # added by the structured answer; the keys above keep their meaning
        "summary",
        "layout",
        "points",
        "sources",
        "standalone_question",
    }
    assert set(data["points"][0]) == {"text", "markers"}
    assert set(data["sources"][0]) == {"marker", "doc_id", "paragraphs", "title", "date", "section"}
    assert set(data["timings_ms"]) == {"retrieve", "generate", "total"}
    assert set(data["passages"][0]) == {"rank", "doc_id", "paragraphs", "section", "score", "text"}
    assert [p["rank"] for p in data["passages"]] == list(range(1, len(data["passages"]) + 1))


def test_follow_up_uses_the_conversation(assistant: Assistant) -> None:
    first = assistant.ask("What does the guidance say about amnesty demands?")
    follow = assistant.ask(
        "and what about spoilers?", history=[Turn(question=first.question, answer=first.answer)]
    )
    assert "spoilers" in follow.standalone_question.lower()
    assert any(p.section.endswith("G. Managing spoilers") for p in follow.passages[:3])


def test_filters_restrict_the_passages(assistant: Assistant) -> None:
    only = RetrievalFilter(doc_ids=("S/2011/552",))
    answer = assistant.ask("What is the role of early warning?", filters=only)
    assert {p.doc_id for p in answer.passages} == {"S/2011/552"}
    dated = RetrievalFilter(date_from="2016", date_to="2018")
    assert {p.doc_id for p in assistant.retrieve("mediation support", dated)} <= {
        "cr-msn-letter-2016",
        "dpa-prevention-mediation",
    }
    kinds = RetrievalFilter(kinds=("sg-report",))
    assert {p.meta.kind for p in assistant.retrieve("mediation", kinds)} == {"sg-report"}


def test_empty_and_huge_questions_are_rejected_clearly(assistant: Assistant) -> None:
    with pytest.raises(InvalidQuestion, match="empty"):
        assistant.ask("   ")
    with pytest.raises(InvalidQuestion, match="20,000 characters; the limit is 4,000"):
        assistant.ask("x" * 20_000)


def test_question_in_another_script_gets_a_notice(assistant: Assistant) -> None:
    answer = assistant.ask("ما هي حدود العفو في اتفاقات السلام؟")
    assert any("English" in n for n in answer.notices)
    assert answer.status in {"no_evidence", "partial", "answered"}
    assert_citations_resolve(answer)


def test_dead_llm_server_falls_back_to_extractive(indexed_settings: Settings) -> None:
    from tests.llm_server import free_port

    settings = indexed_settings.model_copy(
        update={
            "llm": "openai:smollm2",
            "llm_base_url": f"http://127.0.0.1:{free_port()}/v1",
            "llm_timeout_s": 5.0,
        }
    )
    answer = Assistant.open(settings).ask("How should mediators handle spoilers?")
    assert answer.mode == "extractive" and answer.status == "answered"
    assert any("extractive" in n for n in answer.notices)
    assert_citations_resolve(answer)


@pytest.mark.llm
def test_real_llm_answer_citations_resolve_or_fall_back(
    indexed_settings: Settings, llm_server: str
) -> None:
    settings = indexed_settings.model_copy(
        update={
            "llm": "openai:smollm2",
            "llm_base_url": llm_server,
            "llm_timeout_s": 300.0,
            "llm_max_tokens": 120,
            "k": 3,
        }
    )
    assistant = Assistant.open(settings)
    streamed: list[str] = []
    final = None
    for item in assistant.stream("What should a mediator do about spoilers?"):
        if isinstance(item, str):
            streamed.append(item)
        else:
            final = item
    assert final is not None and streamed
    assert_citations_resolve(final)
    if final.mode == "extractive":
        assert any("extractive" in n for n in final.notices)
    else:
        assert final.mode.startswith("llm:")
        assert any(c.supported for c in final.citations)
        assert final.layout == "prose" and final.points and not final.summary
        assert all(p.text in final.answer for p in final.points)
        assert [s.marker for s in final.sources] == [c.marker for c in final.citations]


@pytest.mark.llm
@needs_llama_cpp
def test_in_process_gguf_backend(indexed_settings: Settings) -> None:
    from tests.llm_server import smollm2_path

    settings = indexed_settings.model_copy(
        update={
            "llm": f"llamacpp:{smollm2_path()}",
            "llm_timeout_s": 300.0,
            "llm_max_tokens": 80,
            "k": 2,
        }
    )
    answer = Assistant.open(settings).ask("What is preventive diplomacy?")
    assert answer.status in {"answered", "partial"}
    assert_citations_resolve(answer)
