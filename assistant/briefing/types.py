"""The briefing note's data: sections, cited points, sources, and what each section asks for.

`builder` builds a `Briefing`; `export` renders it. Markers are numbered once for the whole note
and each resolves to one entry of `Briefing.sources`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.text import STOPWORDS, normalize
from assistant.types import BoundaryEvent, Citation, Passage, Source

Length = Literal["short", "standard"]
SectionKind = Literal["purpose", "key_points", "lessons", "boundaries", "risks"]
Coverage = Literal["covered", "partial", "not_covered"]

CLOSING = "This note supports, and does not replace, the judgement of the mission."
MAX_TOPIC_CHARS = 500


@dataclass(frozen=True)
class SectionSpec:
    title: str
    query: str  # retrieval query; {topic} is replaced
    prompt: str  # the LLM's question for this section
    cues: str = ""  # words that make a sentence belong here rather than elsewhere
    points: tuple[int, int] = (5, 3)  # most points: standard, short

    @property
    def cue_re(self) -> re.Pattern[str]:
        return re.compile(rf"\b(?:{self.cues})\b", re.IGNORECASE)


SPECS: dict[SectionKind, SectionSpec] = {
    "purpose": SectionSpec(
        "Purpose",
        "why {topic} matters for mediation and peace processes",
        "Why does {topic} matter for a UN mediator?",
        r"important|importance|essential|crucial|critical|greatest|vital|key|priority",
        (2, 1),
    ),
    "key_points": SectionSpec(
        "What the guidance says", "{topic}", "What does the guidance say about {topic}?"
    ),
    "lessons": SectionSpec(
        "Lessons and options for the mediator",
        "lessons learned and options: what mediators should do about {topic}",
        "What lessons and options does the guidance give a mediator on {topic}?",
        r"should|must|needs?|learned|lessons?|experience|strateg\w*|approach\w*|options?|"
        r"recommend\w*|effective\w*|helped|requires?|ensure",
    ),
    "boundaries": SectionSpec("Normative boundaries that apply", "", ""),
    "risks": SectionSpec(
        "Risks and open questions",
        "risks, challenges and obstacles of {topic}",
        "What risks and obstacles does the guidance identify for {topic}?",
        r"risks?|danger\w*|threat\w*|challeng\w*|obstacles?|fail\w*|undermin\w*|derail\w*|"
        r"tensions?|difficult\w*|cannot|violence|obstruct\w*|backlash|hamper\w*|costs?|impunity",
        (4, 2),
    ),
}
ORDER: tuple[SectionKind, ...] = ("purpose", "key_points", "lessons", "boundaries", "risks")


class BriefingPoint(BaseModel):
    """One cited point: optional bold lead-in, the text, its markers, uncited details."""

    model_config = ConfigDict(frozen=True)

    text: str
    markers: tuple[int, ...]
    lead: str = ""  # "No amnesty for genocide ..." (boundary rule titles)
    details: tuple[str, ...] = ()  # other sources and nuance of a boundary rule


class BriefingSection(BaseModel):
    """A section: points (extractive) or prose (LLM, `[n]` markers), plus uncited notes."""

    model_config = ConfigDict(frozen=True)

    kind: SectionKind
    title: str
    mode: Literal["extractive", "llm"] = "extractive"
    intro: str = ""
    points: tuple[BriefingPoint, ...] = ()
    prose: str = ""
    notes: tuple[str, ...] = ()  # the assistant's own remarks: coverage, open questions
    citations: tuple[Citation, ...] = ()  # global markers; quote = the sentences cited here
    evidence: float = 0.0  # best cosine of the topic and this section's passages

    @property
    def markers(self) -> tuple[int, ...]:
        return tuple(c.marker for c in self.citations)


class Briefing(BaseModel):
    """A briefing note on a topic, every point cited to the paragraph."""

    model_config = ConfigDict(frozen=True)

    topic: str
    context: str = ""
    length: Length = "standard"
    mode: str = "extractive"  # "extractive" | "llm:<model>"
    coverage: Coverage = "covered"
    sections: tuple[BriefingSection, ...]
    sources: tuple[Source, ...] = ()  # the cited paragraphs, in reading order
    boundaries: tuple[BoundaryEvent, ...] = ()
    notices: tuple[str, ...] = ()
    timings_ms: dict[str, float] = Field(default_factory=dict)
    closing: str = CLOSING
    created: str = ""  # ISO date

    def section(self, kind: SectionKind) -> BriefingSection | None:
        return next((s for s in self.sections if s.kind == kind), None)


_FOOTNOTE = re.compile(r"^\d{1,2}\s+(?=[A-Z])")  # "11 Although ..." after a footnote reference
_MARKER = re.compile(r"\[\d+\]")  # markers as check_citations writes them


@dataclass
class Draft:
    """A section before global numbering: markers are local (1-based into `passages`)."""

    kind: SectionKind
    passages: list[Passage] = field(default_factory=list)
    points: list[tuple[str, tuple[int, ...], str, tuple[str, ...]]] = field(default_factory=list)
    prose: str = ""
    citations: list[Citation] = field(default_factory=list)
    intro: str = ""
    notes: list[str] = field(default_factory=list)
    evidence: float = 0.0


def number_sections(
    drafts: list[Draft],
) -> tuple[tuple[BriefingSection, ...], tuple[Source, ...]]:
    """Global markers in reading order, one per paragraph; local markers rewritten."""
    sources: dict[str, Source] = {}
    sections = []
    for d in drafts:
        glob: dict[int, int] = {}
        cited = {c.marker for c in d.citations} | {m for pt in d.points for m in pt[1]}
        for n, p in enumerate(d.passages, start=1):
            if n not in cited:
                continue
            if passage_key(p) not in sources:
                sources[passage_key(p)] = Source.of(len(sources) + 1, p)
            glob[n] = sources[passage_key(p)].marker
        merged: dict[int, Citation] = {}
        for c in d.citations:
            m = glob[c.marker]
            if m in merged:  # two pieces of one paragraph: one citation
                old = merged[m]
                c = old.model_copy(
                    update={
                        "quote": f"{old.quote} {c.quote}",
                        "supported": old.supported or c.supported,
                    }
                )
            merged[m] = c.model_copy(update={"marker": m})
        prose = renumber(d.prose, glob)
        sections.append(
            BriefingSection(
                kind=d.kind,
                title=SPECS[d.kind].title,
                mode="llm" if d.prose else "extractive",
                intro=d.intro,
                prose=prose,
                notes=tuple(d.notes),
                evidence=round(d.evidence, 4),
                citations=tuple(merged.values()),
                points=tuple(
                    BriefingPoint(
                        text=t,
                        markers=tuple(dict.fromkeys(glob[m] for m in ms)),
                        lead=lead,
                        details=det,
                    )
                    for t, ms, lead, det in d.points
                ),
            )
        )
    return tuple(sections), tuple(sources.values())


def topic_words(topic: str) -> list[str]:
    return [
        w
        for w in dict.fromkeys(re.findall(r"[a-z0-9]+", topic.lower()))
        if w not in STOPWORDS and len(w) > 2
    ]


def renumber(text: str, markers: dict[int, int]) -> str:
    return _MARKER.sub(lambda m: f"[{markers.get(int(m.group()[1:-1]), 0)}]", text)


def citation_for(marker: int, passage: Passage, quote: str) -> Citation:
    return Citation(
        marker=marker,
        doc_id=passage.doc_id,
        paragraphs=passage.paragraphs,
        section=passage.section,
        quote=quote,
        supported=True,
    )


def passage_key(passage: Passage) -> str:
    return f"{passage.doc_id}#{'|'.join(passage.paragraphs)}"


def clean_sentence(sentence: str) -> str:
    return _FOOTNOTE.sub("", sentence.strip())


def norm_sentence(sentence: str) -> str:
    return normalize(clean_sentence(sentence))
