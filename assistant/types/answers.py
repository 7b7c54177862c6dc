"""Answers as data: points with their markers, sources, boundary events, the answer itself.

An `Answer` carries what was found and what the guard did; `assistant.answer.markdown` renders
its markdown form, and every interface renders the same fields its own way.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.types.passages import MARKER, Citation, Passage, cite_label, cite_refs

Status = Literal["answered", "partial", "no_evidence", "refused"]
BoundaryAction = Literal["notice", "refused", "corrected"]
# How a boundary is shown: the question raises it (notice), assumes a violation (correction),
# asks to draft across it (refusal), or the answer crossed it and lost sentences (removal).
BoundaryKind = Literal["notice", "correction", "refusal", "removal"]
Layout = Literal["points", "prose"]  # extractive bullet points | a language model's paragraphs


class BoundaryEvent(BaseModel):
    """A normative boundary that applied to this answer, what the guard did, and the rule's words.

    `action` is what the audit log records; `kind` is how a reader is shown it. The policy text
    (title, nuance, refusal, alternatives) comes from boundaries.yaml, so every interface can
    render the boundary without parsing an answer.
    """

    model_config = ConfigDict(frozen=True)

    rule_id: str
    action: BoundaryAction
    statement: str
    sources: tuple[str, ...]  # "S/2009/189#36" and external references
    title: str = ""
    premise: bool = False  # the question presents a violation as given (a correction)
    nuance: str = ""  # what the rule does not rule out
    refusal: str = ""  # the rule's words declining to draft (refusals only)
    alternatives: tuple[str, ...] = ()  # what the assistant can do instead (refusals only)
    external: tuple[str, ...] = ()  # the sources outside the corpus (treaties, resolutions)

    @property
    def kind(self) -> BoundaryKind:
        if self.action == "refused":
            return "refusal"
        if self.action == "corrected":
            return "removal"
        return "correction" if self.premise else "notice"

    @property
    def corpus_refs(self) -> tuple[str, ...]:
        return tuple(s for s in self.sources if s not in self.external)

    def cited_statement(self) -> str:
        """The statement with its corpus paragraphs and other sources, as one plain sentence."""
        extra = f" Other sources: {'; '.join(self.external)}." if self.external else ""
        return f"{self.statement.rstrip('.')} ({cite_refs(self.corpus_refs)}).{extra}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "action": self.action,
            "statement": self.statement,
            "sources": list(self.sources),
            "kind": self.kind,
            "title": self.title,
            "nuance": self.nuance,
            "refusal": self.refusal,
            "alternatives": list(self.alternatives),
            "external": list(self.external),
        }


class AnswerPoint(BaseModel):
    """One point of an answer: a verbatim sentence (extractive) or a paragraph (language model)."""

    model_config = ConfigDict(frozen=True)

    text: str  # with its [n] markers, as checked
    markers: tuple[int, ...]  # the markers in `text`, in order, no repeats

    @classmethod
    def of(cls, text: str) -> AnswerPoint:
        return cls(text=text, markers=tuple(dict.fromkeys(int(m) for m in MARKER.findall(text))))

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "markers": list(self.markers)}


class Source(BaseModel):
    """One cited paragraph, as a Sources list shows it."""

    model_config = ConfigDict(frozen=True)

    marker: int
    doc_id: str
    paragraphs: tuple[str, ...]
    title: str
    date: str = ""
    section: str = ""

    @property
    def label(self) -> str:
        return cite_label(self.doc_id, self.paragraphs)

    @property
    def paragraph(self) -> str:
        """ "para. 36" / "¶3", without the symbol."""
        return self.label.removeprefix(self.doc_id).lstrip(", ")

    @classmethod
    def of(cls, marker: int, passage: Passage) -> Source:
        return cls(
            marker=marker,
            doc_id=passage.doc_id,
            paragraphs=passage.paragraphs,
            title=passage.meta.title,
            date=passage.meta.date,
            section=passage.section,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "marker": self.marker,
            "doc_id": self.doc_id,
            "paragraphs": list(self.paragraphs),
            "title": self.title,
            "date": self.date,
            "section": self.section,
        }


class Turn(BaseModel):
    """One earlier exchange of a conversation, used to resolve follow-up questions."""

    model_config = ConfigDict(frozen=True)

    question: str
    answer: str = ""


class Answer(BaseModel):
    """The result of asking: an answer, a `no_evidence` notice or a refusal, always as data.

    Interfaces render `summary`, `points`, `sources` and `boundaries`; `answer` is the markdown
    form of the same fields (`assistant.answer.markdown.render`), kept for the JSON contract.
    """

    model_config = ConfigDict(frozen=True)

    question: str
    status: Status
    answer: str = ""  # the rendered markdown, with [n] markers
    summary: str = ""  # one plain sentence: where the guidance answers, or why it cannot
    points: tuple[AnswerPoint, ...] = ()
    layout: Layout = "points"
    sources: tuple[Source, ...] = ()  # the cited passages, in reading order
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    boundaries: tuple[BoundaryEvent, ...] = ()
    mode: str = "extractive"  # "extractive" | "llm:<model>"
    notices: tuple[str, ...] = ()
    timings_ms: dict[str, float] = Field(default_factory=dict)
    standalone_question: str = ""  # the question actually searched (follow-ups rewritten)

    @property
    def refusal(self) -> tuple[BoundaryEvent, ...]:
        """The boundaries the question was refused for (empty unless status is refused)."""
        return tuple(b for b in self.boundaries if b.action == "refused")

    def to_json(self) -> dict[str, Any]:
        """The documented JSON contract of `mediation ask --json` (see README)."""
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "passages": [p.to_json() for p in self.passages],
            "boundaries": [b.to_json() for b in self.boundaries],
            "mode": self.mode,
            "notices": list(self.notices),
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "summary": self.summary,
            "layout": self.layout,
            "points": [p.to_json() for p in self.points],
            "sources": [s.to_json() for s in self.sources],
            "standalone_question": self.standalone_question,
        }
