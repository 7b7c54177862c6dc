"""Briefing notes for mission heads: a topic in, an organised note cited to the paragraph out.

Sections: Purpose; What the guidance says; Lessons and options for the mediator; Normative
boundaries that apply (the guard's rules raised by topic + context, with their sources); Risks and
open questions (with what the documents do not cover); Sources. Each section has its own
retrieval (a query derived from the topic), and a sentence cited in one section is never cited
again in another, so the note covers the topic instead of repeating its best paragraph. The
boundary section is built first so its source sentences are reserved for it.

Evidence is judged against the bare topic, not the section queries: "lessons ... what mediators
should do about organising a cricket tournament" resembles the corpus far more than the topic
does. With no boundary rule raised, the note is short and says the documents do not cover the
topic when the best passage of every section is below `Settings.min_evidence`, or when evidence
is only partial and `_UNKNOWN_SHARE` of the topic's words occur nowhere in the corpus
("cricket", "tournament").

Extractive by default (verbatim sentences); with an LLM, sections are written through the
guarded-generation path answers use (`sections.SectionDrafter`). Markers are numbered once for
the whole note, in reading order, and each resolves to one entry of `Briefing.sources`. The
builder sees the assistant only through `guidance.Guidance`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import numpy as np

from assistant.answer.evidence import CONFIDENT_MARGIN
from assistant.briefing.gaps import open_questions, unknown_topic_words, unmentioned
from assistant.briefing.guidance import Guidance
from assistant.briefing.sections import SectionDrafter
from assistant.briefing.types import (
    MAX_TOPIC_CHARS,
    ORDER,
    SPECS,
    Briefing,
    Coverage,
    Draft,
    Length,
    SectionKind,
    number_sections,
    topic_words,
)
from assistant.errors import ConfigError, InvalidQuestion
from assistant.types import Passage, cite_label

_BUILD_ORDER: tuple[SectionKind, ...] = ("boundaries", "key_points", "lessons", "risks", "purpose")
_PASSAGES: dict[Length, int] = {"standard": 8, "short": 6}  # retrieved per section query
# A paragraph this far below `min_evidence` still feeds a section: one of its sentences may bear
# on the topic more than the paragraph as a whole does.
_POOL_MARGIN = 0.1
_ANCHORS = 2  # best-matching document sections whose other paragraphs join every section's pool
_ANCHOR_MARGIN = 0.05  # a second anchor must be about as close to the topic as the best one
_MAX_MATES = 12  # paragraphs taken from the anchor sections
# With only partial evidence, a topic this share of whose words the corpus never uses is a topic
# the documents do not cover ("organising a cricket tournament").
_UNKNOWN_SHARE = 0.5
_CLOSEST = 2  # passages an uncovered note names as the closest


def build_briefing(
    guidance: Guidance,
    topic: str,
    context: str = "",
    length: Length = "standard",
    llm: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Briefing:
    """Build a note; `progress` gets each section title as that section is built."""
    topic, context = " ".join(str(topic).split()), " ".join(str(context).split())
    if not topic:
        raise InvalidQuestion("The topic is empty; give one, e.g. 'managing spoilers'.")
    if len(topic) > MAX_TOPIC_CHARS:
        raise InvalidQuestion(
            f"The topic is {len(topic)} characters; the limit is {MAX_TOPIC_CHARS}. Put the "
            "situation and audience in the context instead."
        )
    if length not in ("short", "standard"):
        raise ConfigError(f"Unknown length {length!r}; use short or standard.")
    return _Builder(guidance, topic, context, length, llm, progress or (lambda _: None)).build()


class _Builder:
    def __init__(
        self,
        guidance: Guidance,
        topic: str,
        context: str,
        length: Length,
        llm: str | None,
        progress: Callable[[str], None],
    ) -> None:
        self.g, self.topic, self.context, self.length = guidance, topic, context, length
        self.settings = guidance.settings
        self.progress = progress
        self.writer = guidance.writer(llm)
        self.notices: list[str] = []
        self.timings: dict[str, float] = {}
        self.sims: dict[str, float] = {}  # chunk_id -> cosine with the bare topic
        self.anchors: set[tuple[str, str]] = set()  # (doc_id, section) the topic is best found in

    def build(self) -> Briefing:
        started = time.perf_counter()
        pre = self.g.guard.before(f"{self.topic}\n{self.context}".strip())
        self.pre = pre
        self.topic_vec = np.asarray(self.g.embed_query(self.topic))
        found, mates = self._retrieve()
        evidence = {
            k: max((self.sims[p.meta.chunk_id] for p in ps), default=0.0) for k, ps in found.items()
        }
        best = max(evidence.values(), default=0.0)
        self.timings["retrieve"] = (time.perf_counter() - started) * 1000
        floor = self.settings.min_evidence
        coverage: Coverage = "covered" if best >= floor + CONFIDENT_MARGIN else "partial"
        unknown = len(unknown_topic_words(self.g, self.topic)) / max(
            len(topic_words(self.topic)), 1
        )
        drafter = SectionDrafter(
            self.g, self.topic, self.length, pre, self.topic_vec, self.sims, self.anchors,
            self.writer,
        )  # fmt: skip
        if not pre.rules and (
            best < floor or (unknown >= _UNKNOWN_SHARE and coverage == "partial")
        ):
            coverage, drafts = "not_covered", self._uncovered(found)
        else:
            drafts = {}
            for kind in _BUILD_ORDER:
                self.progress(SPECS[kind].title)
                t0 = time.perf_counter()
                if kind == "boundaries":
                    drafts[kind] = drafter.boundaries()
                else:
                    pool = list({p.meta.chunk_id: p for p in found[kind] + mates}.values())
                    keep = [p for p in pool if self.sims[p.meta.chunk_id] >= floor - _POOL_MARGIN]
                    drafts[kind] = drafter.section(kind, keep, evidence[kind])
                self.timings[kind] = (time.perf_counter() - t0) * 1000
            drafts["purpose"].intro = self._purpose_intro()
            drafts["risks"].notes += open_questions(self.g, self.topic, self.context, evidence)
        self.progress("Sources")
        sections, sources = number_sections([drafts[k] for k in ORDER if k in drafts])
        self.timings["total"] = (time.perf_counter() - started) * 1000
        return Briefing(
            topic=self.topic,
            context=self.context,
            length=self.length,
            mode=drafter.mode,
            coverage=coverage,
            sections=sections,
            sources=sources,
            boundaries=(*pre.events, *drafter.events),
            notices=(*drafter.notices, *self.notices),
            timings_ms=self.timings,
            created=date.today().isoformat(),
        )

    # -- evidence ----------------------------------------------------------------------------
    def _retrieve(self) -> tuple[dict[SectionKind, list[Passage]], list[Passage]]:
        """Each section's passages, and the rest of the document sections the topic is best
        found in, or the raised boundary rules cite (a human reads the whole of "G. Managing
        spoilers", not only the top hits)."""
        k = _PASSAGES[self.length]
        found: dict[SectionKind, list[Passage]] = {
            kind: self.g.retrieve(SPECS[kind].query.format(topic=self.topic), k=k)
            for kind in ORDER
            if kind != "boundaries"
        }
        for ps in found.values():
            self.sims.update(self._topic_sims(ps))
        ranked = sorted(found["key_points"], key=lambda p: -self.sims[p.meta.chunk_id])
        tops = [
            p
            for p in ranked[:_ANCHORS]
            if p.section
            and self.sims[p.meta.chunk_id]
            >= max(self.settings.min_evidence, self.sims[ranked[0].meta.chunk_id] - _ANCHOR_MARGIN)
        ]
        rules = [
            self.g.paragraph(*ref.partition("#")[::2]) for r in self.pre.rules for ref in r.corpus
        ]
        self.anchors |= {(p.doc_id, p.section) for p in [*tops, *rules] if p and p.section}
        mates = [
            q
            for doc_id, section in sorted(self.anchors)
            for q in self.g.document_passages(doc_id)
            if q.section == section
        ][:_MAX_MATES]
        self.sims.update(self._topic_sims([q for q in mates if q.meta.chunk_id not in self.sims]))
        return found, mates

    def _topic_sims(self, passages: list[Passage]) -> dict[str, float]:
        if not passages:
            return {}
        sims = self.g.sentence_vectors([p.text for p in passages]) @ self.topic_vec
        return {p.meta.chunk_id: float(s) for p, s in zip(passages, sims, strict=True)}

    def _uncovered(self, found: dict[SectionKind, list[Passage]]) -> dict[SectionKind, Draft]:
        near = sorted(
            {p.meta.chunk_id: p for ps in found.values() for p in ps}.values(),
            key=lambda p: self.sims[p.meta.chunk_id],
            reverse=True,
        )[:_CLOSEST]
        closest = "; ".join(cite_label(p.doc_id, p.paragraphs) for p in near)
        notes = [
            f"The guidance documents do not cover {self.topic}. The closest passages "
            f"({closest}) concern other matters, so this note makes no points on it."
        ]
        if missing := unmentioned(self.g, self.topic, self.context):
            notes.append(f"They never mention {', '.join(f'“{w}”' for w in missing)}.")
        notes.append(
            "Seek other sources or expertise: the documents hold UN guidance on "
            "mediation and preventive diplomacy only."
        )
        self.notices.append("The guidance documents do not cover this topic.")
        return {
            "purpose": Draft("purpose", intro=f"To brief the head of mission on {self.topic}."),
            "key_points": Draft("key_points", notes=notes),
        }

    def _purpose_intro(self) -> str:
        where = f" ({self.context})" if self.context else ""
        return (
            f"To brief the head of mission on {self.topic}{where}: what the UN mediation "
            "guidance says, the lessons and options it offers the mediator, the normative "
            "boundaries that apply, and the risks and open questions. Every point is cited "
            "to the paragraph (see Sources)."
        )
