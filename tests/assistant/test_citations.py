"""check_citations: markers resolve to passages, support is tested against the passage text."""

from __future__ import annotations

import re

import pytest

from assistant.answer.citations import (
    CitationCheck,
    check_citations,
    has_supported_citation,
    parse_markers,
    strip_markers,
)
from assistant.text import split_sentences
from assistant.types import ChunkMeta, Passage


def passage(doc_id: str, label: str, text: str, section: str = "III. Lessons learned") -> Passage:
    meta = ChunkMeta(
        chunk_id=f"{doc_id}#{label}#0",
        doc_id=doc_id,
        title="",
        kind="report",
        date="2009",
        section=section,
        paragraphs=(label,),
        order=0,
    )
    return Passage(rank=0, meta=meta, text=text, score=1.0)


AMNESTY = passage(
    "S/2009/189",
    "36",
    "The United Nations cannot endorse peace agreements that provide for amnesty for genocide, "
    "war crimes, crimes against humanity or gross violations of human rights. Peace and justice "
    "should be pursued as complementary objectives.",
)
WOMEN = passage(
    "S/2012/746",
    "20",
    "Mediators should consult women's groups from the outset of a process. Women's meaningful "
    "participation in all phases of mediation makes agreements more durable.",
)
PASSAGES = (AMNESTY, WOMEN)


def markers_in(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


@pytest.mark.parametrize(
    ("run", "numbers"),
    [
        ("[1]", [1]),
        ("[1, 2]", [1, 2]),
        ("[1][2]", [1, 2]),
        ("[1] [2]", [1, 2]),
        ("[1-3]", [1, 2, 3]),
        ("[1–2]", [1, 2]),
        ("[2; 1]", [2, 1]),
        ("[1 and 2]", [1, 2]),
        ("[Passage 2]", [2]),
        ("[1][1]", [1]),
        ("[1-900]", [1, 900]),
    ],
)
def test_parse_markers_accepts_the_forms_models_write(run: str, numbers: list[int]) -> None:
    assert parse_markers(run) == numbers


def test_dangling_marker_is_removed_and_reported() -> None:
    check = check_citations("Amnesty for war crimes cannot be endorsed [7].", PASSAGES)
    assert check.text == "Amnesty for war crimes cannot be endorsed."
    assert check.removed_markers == (7,)
    assert check.notices == ("Removed citation [7]: there is no passage 7.",)
    assert check.citations == ()
    assert check.unsupported_sentences == ("Amnesty for war crimes cannot be endorsed.",)


def test_dangling_marker_inside_a_group_keeps_the_valid_ones() -> None:
    check = check_citations("Peace and justice are complementary objectives [1, 7][0].", PASSAGES)
    assert check.text == "Peace and justice are complementary objectives [1]."
    assert check.removed_markers == (0, 7)
    assert [c.marker for c in check.citations] == [1]


def test_markers_are_rewritten_in_canonical_form() -> None:
    text = "Women should take part in all phases of mediation [2, 1]. Justice matters [1-2]."
    check = check_citations(text, PASSAGES)
    assert check.text == (
        "Women should take part in all phases of mediation [2][1]. Justice matters [1][2]."
    )
    assert [c.marker for c in check.citations] == [2, 1]  # order of first use


def test_paraphrase_of_the_passage_is_supported() -> None:
    check = check_citations(
        "The UN cannot endorse agreements that give amnesty for war crimes or genocide [1].",
        PASSAGES,
    )
    (citation,) = check.citations
    assert citation.supported
    assert citation.doc_id == "S/2009/189"
    assert citation.paragraphs == ("36",)
    assert citation.section == "III. Lessons learned"
    assert citation.quote.startswith("The United Nations cannot endorse peace agreements")
    assert check.unsupported_sentences == ()
    assert has_supported_citation(check)


def test_verbatim_quote_is_supported() -> None:
    check = check_citations(
        'The report says "peace and justice should be pursued as complementary objectives" [1].',
        PASSAGES,
    )
    assert check.citations[0].supported


def test_claim_absent_from_the_cited_passage_is_unsupported() -> None:
    check = check_citations(
        "Mediators should consult women's groups from the outset [1].", PASSAGES
    )
    (citation,) = check.citations
    assert not citation.supported
    assert check.unsupported_sentences == (
        "Mediators should consult women's groups from the outset.",
    )
    assert not has_supported_citation(check)


def test_invented_number_is_unsupported() -> None:
    check = check_citations(
        "In 2005 the United Nations refused to endorse amnesty for war crimes [1].", PASSAGES
    )
    assert not check.citations[0].supported


def test_sentence_is_supported_when_any_cited_passage_supports_it() -> None:
    check = check_citations(
        "Women's participation in all phases of mediation makes agreements more durable [1][2].",
        PASSAGES,
    )
    by_marker = {c.marker: c for c in check.citations}
    assert by_marker[2].supported
    assert not by_marker[1].supported
    assert check.unsupported_sentences == ()


def test_citation_is_supported_if_one_of_its_sentences_is() -> None:
    text = (
        "Peace and justice are complementary objectives [1]. "
        "Mediators must always meet in Geneva [1]."
    )
    check = check_citations(text, PASSAGES)
    assert check.citations[0].supported
    assert check.unsupported_sentences == ("Mediators must always meet in Geneva.",)
    assert "complementary objectives" in check.citations[0].quote


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    text = "Peace and justice are complementary objectives. [1] Mediators must meet in Geneva. [2]"
    check = check_citations(text, PASSAGES)
    by_marker = {c.marker: c for c in check.citations}
    assert by_marker[1].supported
    assert not by_marker[2].supported


def test_uncited_sentences_are_not_judged() -> None:
    check = check_citations("The passages do not answer this question.", PASSAGES)
    assert check == CitationCheck(
        text="The passages do not answer this question.",
        citations=(),
        removed_markers=(),
        unsupported_sentences=(),
        notices=(),
    )


def test_no_passages_means_every_marker_is_removed() -> None:
    check = check_citations("Something [1]. Else [2, 3].", ())
    assert markers_in(check.text) == []
    assert check.removed_markers == (1, 2, 3)


def test_bullet_answer_markers_are_checked_per_line() -> None:
    text = (
        "- Consult women's groups from the outset of a process [2]\n"
        "- Never endorse amnesty for genocide [1]\n"
        "- Hold talks in Geneva [3]"
    )
    check = check_citations(text, PASSAGES)
    assert [c.supported for c in check.citations] == [True, True]
    assert check.removed_markers == (3,)
    assert check.text.splitlines()[2] == "- Hold talks in Geneva"


@pytest.mark.parametrize(
    "answer",
    [
        "[1][2][3][4] [99]",
        "Peace [1,,2]. Justice [-1]. [ 2 ] [1-] [x] [1][",
        "Amnesty [12345678]. [2-1] ok [0002].",
        "",
        "[[1]] ((2)) [1][1][1]",
    ],
)
def test_surviving_markers_always_resolve(answer: str) -> None:
    check = check_citations(answer, PASSAGES)
    assert all(1 <= n <= len(PASSAGES) for n in markers_in(check.text))
    assert {c.marker for c in check.citations} <= set(range(1, len(PASSAGES) + 1))
    assert set(markers_in(check.text)) == {c.marker for c in check.citations}


def test_strip_markers_and_sentences() -> None:
    assert strip_markers("Peace [1][2], justice [3-4].") == "Peace, justice."
    assert split_sentences("See para. 36 of the report [1]. Next, e.g. here. [2] Last") == [
        "See para. 36 of the report [1].",
        "Next, e.g. here. [2]",
        "Last",
    ]
