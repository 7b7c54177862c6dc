"""Briefing notes on the real corpus: real embedding model, real Chroma, SmolLM2 for the LLM test.

The corpus is ingested once per session into a temporary directory (fixture below); notes are
built once per topic and shared by the tests that inspect them. Build times are written to
artifacts/briefing_timings.json.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.briefing.builder import build_briefing
from assistant.briefing.export import export, to_docx, to_markdown, to_pdf
from assistant.briefing.types import ORDER, Briefing, BriefingSection
from assistant.config import Settings
from assistant.errors import ConfigError, InvalidQuestion
from assistant.service import Assistant
from assistant.text import normalize, split_sentences

ROOT = Path(__file__).resolve().parents[2]
TIMINGS = ROOT / "artifacts" / "briefing_timings.json"
SPOILERS = "managing spoilers in the final stage of talks"
AMNESTY = "amnesty and accountability"
EARLY_WARNING = "early warning"
UNCOVERED = "organising a cricket tournament"
SECTION_G = {f"S/2009/189#{n}" for n in range(30, 35)}
_MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="session")
def briefing_settings(indexed_settings: Settings) -> Settings:
    """The session's index of the real corpus (tests/conftest.py)."""
    return indexed_settings


@pytest.fixture(scope="session")
def briefing_assistant(assistant: Assistant) -> Assistant:
    return assistant


@pytest.fixture(scope="session")
def note(briefing_assistant: Assistant) -> Callable[[str], Briefing]:
    """Build (once per topic) a standard extractive note."""
    built: dict[str, Briefing] = {}

    def get(topic: str) -> Briefing:
        if topic not in built:
            built[topic] = build_briefing(briefing_assistant, topic)
        return built[topic]

    return get


def record_timing(key: str, seconds: float) -> None:
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(TIMINGS.read_text(encoding="utf-8")) if TIMINGS.is_file() else {}
    data[key] = round(seconds, 2)
    TIMINGS.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\n{key}: {seconds:.1f} s")


def refs(b: Briefing, section: BriefingSection | None = None) -> set[str]:
    """`doc_id#label` of every paragraph the note (or one section) cites."""
    markers = set(section.markers) if section else {s.marker for s in b.sources}
    return {f"{s.doc_id}#{p}" for s in b.sources if s.marker in markers for p in s.paragraphs}


def reading_order_markers(b: Briefing) -> list[int]:
    found: list[int] = []
    for section in b.sections:
        for point in section.points:
            found += point.markers
        found += [int(m) for m in _MARKER.findall(section.prose)]
    return found


def cited_sentences(section: BriefingSection) -> set[tuple[int, str]]:
    return {(c.marker, normalize(s)) for c in section.citations for s in split_sentences(c.quote)}


# -- content --------------------------------------------------------------------------------------
def test_spoilers_note_cites_section_g_paragraphs(note: Callable[[str], Briefing]) -> None:
    b = note(SPOILERS)
    assert b.coverage == "covered"
    assert len(refs(b) & SECTION_G) >= 3, refs(b)
    key_points = b.section("key_points")
    assert key_points is not None and refs(b, key_points) & SECTION_G


def test_amnesty_note_states_the_boundary_citing_para_36(note: Callable[[str], Briefing]) -> None:
    b = note(AMNESTY)
    section = b.section("boundaries")
    assert section is not None
    amnesty = [p for p in section.points if "amnesty" in p.lead.lower()]
    assert amnesty, section
    assert "S/2009/189#36" in refs(b, section)
    assert any("S/2004/616" in d for d in amnesty[0].details)
    assert any(e.rule_id.startswith("amnesty") for e in b.boundaries)
    assert "S/2009/189#36" in {
        f"{s.doc_id}#{p}" for s in b.sources if s.marker in amnesty[0].markers for p in s.paragraphs
    }


def test_early_warning_note_draws_on_s_2011_552(note: Callable[[str], Briefing]) -> None:
    b = note(EARLY_WARNING)
    docs = [s.doc_id for s in b.sources]
    assert docs.count("S/2011/552") > len(docs) / 2, docs
    key_points = b.section("key_points")
    assert key_points is not None and any(r.startswith("S/2011/552#") for r in refs(b, key_points))


@pytest.mark.parametrize("topic", [SPOILERS, AMNESTY, EARLY_WARNING])
def test_no_sentence_is_cited_in_two_sections(note: Callable[[str], Briefing], topic: str) -> None:
    b = note(topic)
    seen: dict[tuple[str, str], str] = {}
    by_marker = {s.marker: s.label for s in b.sources}
    for section in b.sections:
        for marker, sentence in cited_sentences(section):
            key = (by_marker[marker], sentence)
            assert key not in seen, f"{key} cited in {seen.get(key)} and {section.title}"
            seen[key] = section.title


@pytest.mark.parametrize("topic", [SPOILERS, AMNESTY, EARLY_WARNING])
def test_markers_are_numbered_in_reading_order_and_resolve_to_sources(
    note: Callable[[str], Briefing], topic: str
) -> None:
    b = note(topic)
    used = list(dict.fromkeys(reading_order_markers(b)))
    assert used == list(range(1, len(used) + 1))
    assert [s.marker for s in b.sources] == used
    for section in b.sections:
        assert {m for p in section.points for m in p.markers} <= set(section.markers)
        assert all(c.supported for c in section.citations)
    assert all(s.title and s.date and s.paragraphs for s in b.sources)


def test_standard_note_has_every_section_and_the_closing_line(
    note: Callable[[str], Briefing],
) -> None:
    b = note(SPOILERS)
    assert [s.kind for s in b.sections] == list(ORDER)
    for kind in ("key_points", "lessons", "risks"):
        section = b.section(kind)
        assert section is not None and 2 <= len(section.points) <= 6, section
    assert "does not replace" in b.closing and "judgement of the mission" in b.closing


def test_short_note_has_at_most_three_points_per_section(briefing_assistant: Assistant) -> None:
    b = build_briefing(briefing_assistant, SPOILERS, length="short")
    assert all(len(s.points) <= 3 for s in b.sections if s.kind != "boundaries")
    assert sum(len(s.points) for s in b.sections) >= 4


def test_uncovered_topic_yields_a_short_note_that_says_so(
    note: Callable[[str], Briefing],
) -> None:
    b = note(UNCOVERED)
    assert b.coverage == "not_covered"
    assert not b.sources and not any(s.points for s in b.sections)
    text = to_markdown(b)
    assert "do not cover" in text and "cricket" in text
    assert len(text) < 1500


def test_context_names_the_corpus_lacks_are_open_questions(
    briefing_assistant: Assistant,
) -> None:
    b = build_briefing(
        briefing_assistant, EARLY_WARNING, context="Meeting in Ulaanbaatar", length="short"
    )
    risks = b.section("risks")
    assert risks is not None and any("Ulaanbaatar" in n for n in risks.notes)


def test_progress_reports_each_section_as_it_is_built(briefing_assistant: Assistant) -> None:
    seen: list[str] = []
    build_briefing(briefing_assistant, EARLY_WARNING, length="short", progress=seen.append)
    assert set(seen) >= {
        "Purpose",
        "What the guidance says",
        "Lessons and options for the mediator",
        "Normative boundaries that apply",
        "Risks and open questions",
        "Sources",
    }


def test_empty_topic_and_unknown_length_are_rejected(briefing_assistant: Assistant) -> None:
    with pytest.raises(InvalidQuestion, match="topic is empty"):
        build_briefing(briefing_assistant, "  ")
    with pytest.raises(ConfigError, match="short or standard"):
        build_briefing(briefing_assistant, SPOILERS, length="long")  # type: ignore[arg-type]


# -- export ---------------------------------------------------------------------------------------
def test_markdown_renders_the_same_markers_and_sources(note: Callable[[str], Briefing]) -> None:
    b = note(AMNESTY)
    text = to_markdown(b)
    body, _, sources = text.partition("## Sources")
    assert set(map(int, _MARKER.findall(body))) == {s.marker for s in b.sources}
    for s in b.sources:
        assert f"| [{s.marker}] | {s.doc_id} | {s.paragraph} |" in sources
    for section in b.sections:
        assert f"## {b.sections.index(section) + 1}. {section.title}" in body
        assert all(p.text in body for p in section.points)
    assert b.closing in text


def test_docx_has_headings_citations_and_the_sources_table(
    note: Callable[[str], Briefing], tmp_path: Path
) -> None:
    import docx

    b = note(AMNESTY)
    path = to_docx(b, tmp_path / "note.docx")
    document = docx.Document(str(path))
    headings: dict[str, list[str]] = defaultdict(list)
    for p in document.paragraphs:
        headings[p.style.name].append(p.text)
    assert headings["Heading 1"] == [f"Briefing note: {AMNESTY}"]
    for i, section in enumerate(b.sections, start=1):
        assert f"{i}. {section.title}" in headings["Heading 2"]
    assert "Sources" in headings["Heading 2"]
    body = "\n".join(p.text for p in document.paragraphs)
    assert set(map(int, _MARKER.findall(body))) == {s.marker for s in b.sources}
    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Marker", "Symbol", "Paragraph", "Title", "Date"]
    assert rows[1:] == [
        [f"[{s.marker}]", s.doc_id, s.paragraph, s.title, s.date] for s in b.sources
    ]
    assert any(r[1:3] == ["S/2009/189", "para. 36"] for r in rows)


def test_pdf_embeds_a_unicode_font_or_says_what_it_replaced(
    note: Callable[[str], Briefing], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    import assistant.briefing.export as export_module

    b = note(EARLY_WARNING)
    path = to_pdf(b, tmp_path / "note.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
    assert f"Briefing note: {EARLY_WARNING}" in text and "Sources" in text
    assert all(f"[{s.marker}]" in text for s in b.sources)
    if export_module.unicode_font() is not None:
        assert "“" in text  # the typographic quotes of S/2011/552 survive
    monkeypatch.setattr(export_module, "unicode_font", lambda: None)
    fallback = "\n".join(
        p.extract_text() for p in PdfReader(str(to_pdf(b, tmp_path / "latin1.pdf"))).pages
    )
    assert "Characters outside Latin-1 were replaced" in fallback
    assert 1 <= len(PdfReader(str(path)).pages) <= 4


def test_export_writes_each_format_and_rejects_others(
    note: Callable[[str], Briefing], tmp_path: Path
) -> None:
    b = note(SPOILERS)
    for fmt in ("md", "docx", "pdf"):
        assert export(b, fmt, tmp_path / f"n.{fmt}").stat().st_size > 1000
    with pytest.raises(ConfigError, match="md, docx or pdf"):
        export(b, "odt", tmp_path / "n.odt")


# -- timings and the real language model ----------------------------------------------------------
def test_standard_note_build_time_extractive(briefing_assistant: Assistant) -> None:
    started = time.perf_counter()
    b = build_briefing(briefing_assistant, "the role of regional organizations in mediation")
    record_timing("standard_extractive_s", time.perf_counter() - started)
    assert b.mode == "extractive" and b.sources


@pytest.fixture
def llm_assistant(briefing_settings: Settings, llm_server: str) -> Iterator[Assistant]:
    settings = briefing_settings.model_copy(update={"llm_base_url": llm_server})
    yield Assistant.open(settings)


@pytest.mark.slow
@pytest.mark.llm
@pytest.mark.timeout(2400)
def test_smollm2_note_keeps_citations_resolving_and_the_boundary_section(
    llm_assistant: Assistant,
) -> None:
    started = time.perf_counter()
    b = build_briefing(llm_assistant, AMNESTY, llm="openai:smollm2")
    record_timing("standard_smollm2_s", time.perf_counter() - started)
    print(
        json.dumps(
            {
                "mode": b.mode,
                "notices": b.notices,
                "sections": {s.kind: s.mode for s in b.sections},
            },
            indent=1,
        )
    )
    used = list(dict.fromkeys(reading_order_markers(b)))
    assert used and [s.marker for s in b.sources] == used
    for section in b.sections:
        assert set(map(int, _MARKER.findall(section.prose))) <= set(section.markers)
        assert any(c.supported for c in section.citations) or not section.citations
    boundaries = b.section("boundaries")
    assert boundaries is not None and "S/2009/189#36" in refs(b, boundaries)
    for section in b.sections:
        if section.kind in ("key_points", "lessons", "risks") and section.mode == "extractive":
            assert not section.points or any(
                section.title in n or "remaining sections are extractive" in n for n in b.notices
            ), section.title
