"""The relevance step: which passages answer, which sentences are quoted, how they are numbered."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer.points import MAX_POINTS, choose, in_reading_order, quote
from assistant.answer.relevance import FEATURES, Candidate, Evidence, TermWeights, load_model
from assistant.types import ChunkMeta, Passage

MARKER = re.compile(r"\[(\d+)\]")


def passage(rank: int, label: str, text: str = "Some text here for the passage.") -> Passage:
    meta = ChunkMeta(
        chunk_id=f"d#{label}#0", doc_id="d", title="t", kind="k", date="2009",
        section="s", paragraphs=(label,), order=rank,
    )  # fmt: skip
    return Passage(rank=rank, meta=meta, text=text, score=1.0 / rank)


def evidence(marker: int, *closeness: float) -> Evidence:
    sentences = tuple(
        Candidate(marker, i, f"sentence {i} of passage {marker} here", "", c)
        for i, c in enumerate(closeness)
    )
    return Evidence(marker, (0.0,) * len(FEATURES), sentences)


def test_most_likely_passage_gives_two_sentences_others_only_above_keep() -> None:
    ranked = [(evidence(3, 0.9, 0.5, 0.4), 0.8), (evidence(1, 0.7), 0.6), (evidence(2, 0.6), 0.2)]
    chosen = choose(ranked, keep=0.5)
    assert [(s.candidate.marker, s.candidate.index) for s in chosen] == [(3, 0), (3, 1), (1, 0)]
    assert [s.probability for s in chosen] == [0.8, 0.8, 0.6]


def test_required_passage_is_quoted_whatever_its_probability() -> None:
    ranked = [(evidence(1, 0.9, 0.8), 0.9), (evidence(2, 0.3), 0.01)]
    chosen = choose(ranked, keep=0.5, required=[2])
    assert {s.candidate.marker for s in chosen} == {1, 2}


def test_never_more_than_max_points() -> None:
    ranked = [(evidence(m, 0.9, 0.8), 0.95) for m in range(1, 8)]
    assert len(choose(ranked, keep=0.1)) == MAX_POINTS


def test_quote_brings_in_the_sentence_an_anaphor_leans_on() -> None:
    lean = Candidate(1, 1, "This is particularly likely when talks are making progress.",
                     "One of the greatest risks comes from spoilers.", 0.5)  # fmt: skip
    plain = Candidate(1, 2, "Spoilers use violence to undermine the process.", "This is.", 0.5)
    assert quote(lean) == (
        "One of the greatest risks comes from spoilers. This is particularly likely when talks "
        "are making progress."
    )
    assert quote(plain) == plain.sentence


def test_citations_are_numbered_in_reading_order_without_gaps() -> None:
    passages = [passage(r, str(r)) for r in range(1, 6)]
    ranked = [(evidence(4, 0.9, 0.8), 0.9), (evidence(2, 0.7), 0.7), (evidence(5, 0.6), 0.6)]
    points, ordered = in_reading_order(choose(ranked, keep=0.5), passages)
    assert [p.marker for p in points] == [1, 1, 2, 3]
    assert [p.paragraphs[0] for p in ordered] == ["4", "2", "5", "1", "3"]
    assert [p.rank for p in ordered] == [1, 2, 3, 4, 5]


def test_a_sentence_quoted_twice_appears_once() -> None:
    first = Candidate(1, 0, "Spoilers are a great risk to any process.", "", 0.9)
    second = Candidate(1, 1, "This is likely near a deal.", first.sentence, 0.8)
    ranked = [(Evidence(1, (0.0,) * len(FEATURES), (first, second)), 0.9)]
    points, _ = in_reading_order(choose(ranked, keep=0.5), [passage(1, "30")])
    assert [p.sentence for p in points] == [f"{first.sentence} {second.sentence}"]


def test_packaged_model_was_trained_on_the_dev_split_only() -> None:
    model = load_model()
    assert model.features == FEATURES
    assert len(model.weights) == len(model.mean) == len(model.scale) == len(FEATURES)
    assert "dev split only" in model.trained["data"]
    assert 0.0 < model.answer_threshold <= 1.0 and 0.0 < model.keep_threshold <= 1.0


def test_rarer_terms_weigh_more() -> None:
    weights = TermWeights(["spoilers and mediation", "mediation support", "mediation teams"])
    assert weights.idf("spoiler") > weights.idf("mediat")


def test_real_answer_cites_in_reading_order_quotes_verbatim_and_lists_each_source_once(
    assistant: Any,
) -> None:
    answer = assistant.ask("Why do spoilers become more dangerous when a deal is close?")
    markers = [int(n) for n in MARKER.findall(answer.answer.split("Sources:")[0])]
    first_seen = list(dict.fromkeys(markers))
    assert first_seen == list(range(1, len(first_seen) + 1)), "reading order, no gaps"
    assert [c.marker for c in answer.citations] == first_seen
    for citation in answer.citations:
        source = answer.passages[citation.marker - 1]
        assert source.rank == citation.marker
        assert (source.doc_id, source.paragraphs) == (citation.doc_id, citation.paragraphs)
        assert citation.quote in " ".join(source.text.split()) or all(
            part in source.text for part in citation.quote.split(". ")
        )
    sources = answer.answer.split("Sources:")[1]
    for citation in answer.citations:
        assert sources.count(f"[{citation.marker}]") == 1
    assert 2 <= len(markers) <= MAX_POINTS
