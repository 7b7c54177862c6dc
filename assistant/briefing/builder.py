"""Briefing notes for mission heads: a topic in, an organised note cited to the paragraph out.

Sections: Purpose; What the guidance says; Lessons and options for the mediator; Normative
boundaries that apply (the guard's rules raised by topic + context, with their sources); Risks and
open questions (with what the documents do not cover); Sources. Each section has its own
retrieval (a query derived from the topic), and a sentence cited in one section is never cited
again in another, so the note covers the topic instead of repeating its best paragraph. The
boundary section is built first so its source sentences are reserved for it.

Evidence is judged against the bare topic, not the section queries: "lessons ... what mediators
should do about organising a cricket tournament" resembles the corpus (cosine ~0.47) far more
than the topic does (~0.26). With no boundary rule raised, the note is short and says the
documents do not cover the topic when the best passage of every section is below
`Settings.min_evidence`, or when evidence is only partial and half the topic's words occur
nowhere in the corpus ("cricket", "tournament").

Extractive by default (verbatim sentences, scored by `extractive.SentenceScorer`). With an LLM,
each prose section is citation-checked (`check_citations`), sentences without a supported
citation are left out, the guard's `after` runs on it, and a section left with no supported
citation falls back to extractive points with a notice. Markers are numbered once for the whole
note, in reading order, and each resolves to one entry of `Briefing.sources`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answer.extractive import Point, select_points
from assistant.answer.llm import mode_name
from assistant.briefing.sections import (
    open_questions,
    section_prose,
    unknown_topic_words,
    unmentioned,
)
from assistant.briefing.types import (
    MAX_TOPIC_CHARS,
    ORDER,
    SPECS,
    Briefing,
    Coverage,
    Draft,
    Length,
    SectionKind,
    SectionSpec,
    citation_for,
    clean_sentence,
    norm_sentence,
    number_sections,
    passage_key,
    topic_words,
)
from assistant.errors import ConfigError, InvalidQuestion, LLMUnavailable
from assistant.guard.engine import PreCheck
from assistant.text import content_terms, split_sentences
from assistant.types import BoundaryEvent, Passage, cite_label

if TYPE_CHECKING:
    from assistant.service import Assistant

_BUILD_ORDER: tuple[SectionKind, ...] = ("boundaries", "key_points", "lessons", "risks", "purpose")
# A sentence is embedded under its section heading: "This is particularly likely when talks are
# making progress" has cosine 0.25 with "managing spoilers in the final stage of talks" alone and
# 0.69 as "G. Managing spoilers. This is ...". Its score adds the share of topic words it (or
# its heading) contains, its paragraph's cosine with the topic (plus a bonus inside the document
# sections the topic is best found in), and the section's cue words; reusing a paragraph
# already cited elsewhere costs a little, so the note spreads over the guidance.
_OWN, _LEXICAL, _RELEVANCE, _ANCHOR = 0.55, 0.2, 0.25, 0.06
_CUE_BONUS, _MAX_CUES, _REUSE_PENALTY, _RELATIVE, _MAX_MATES = 0.03, 3, 0.03, 0.6, 12
_NOTE_RELATIVE = 0.65  # no point scores below this share of the note's best: no padding


def build_briefing(
    assistant: Assistant,
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
    return _Builder(assistant, topic, context, length, llm, progress or (lambda _: None)).build()


class _Builder:
    def __init__(
        self,
        assistant: Assistant,
        topic: str,
        context: str,
        length: Length,
        llm: str | None,
        progress: Callable[[str], None],
    ) -> None:
        self.a, self.topic, self.context, self.length = assistant, topic, context, length
        self.settings, self.scorer = assistant.settings, assistant.chain.scorer
        self.progress = progress
        self.model: Any = assistant.chain.chat_model(llm)
        self.mode = "extractive"
        self.llm_mode = mode_name(llm or assistant.settings.llm)
        self.used: set[str] = set()  # normalized sentences already cited somewhere
        self.cited: dict[str, int] = {}  # doc_id#labels -> times cited so far
        self.notices: list[str] = []
        self.events: list[BoundaryEvent] = []
        self.timings: dict[str, float] = {}
        self.best: float | None = None  # best sentence score of the note
        self.sims: dict[str, float] = {}  # chunk_id -> cosine with the bare topic
        self.anchors: set[tuple[str, str]] = set()  # (doc_id, section) the topic is best found in

    def build(self) -> Briefing:
        started = time.perf_counter()
        pre = self.a.guard.before(f"{self.topic}\n{self.context}".strip())
        self.pre, self.events = pre, list(pre.events)
        self.topic_vec = np.asarray(self.a.embeddings.embed_query(self.topic))
        found, mates = self._retrieve()
        evidence = {
            k: max((self.sims[p.meta.chunk_id] for p in ps), default=0.0) for k, ps in found.items()
        }
        best = max(evidence.values(), default=0.0)
        self.timings["retrieve"] = (time.perf_counter() - started) * 1000
        floor = self.settings.min_evidence
        coverage: Coverage = "covered" if best >= floor + 0.15 else "partial"
        unknown = len(unknown_topic_words(self.a, self.topic)) / max(
            len(topic_words(self.topic)), 1
        )
        if not pre.rules and (best < floor or (unknown >= 0.5 and coverage == "partial")):
            coverage, drafts = "not_covered", self._uncovered(found)
        else:
            drafts = {}
            for kind in _BUILD_ORDER:
                self.progress(SPECS[kind].title)
                t0 = time.perf_counter()
                if kind == "boundaries":
                    drafts[kind] = self._boundaries(pre)
                else:
                    pool = list({p.meta.chunk_id: p for p in found[kind] + mates}.values())
                    keep = [p for p in pool if self.sims[p.meta.chunk_id] >= floor - 0.1]
                    drafts[kind] = self._section(kind, keep, evidence[kind])
                self.timings[kind] = (time.perf_counter() - t0) * 1000
            drafts["purpose"].intro = self._purpose_intro()
            drafts["risks"].notes += self._gaps(evidence)
        self.progress("Sources")
        sections, sources = number_sections([drafts[k] for k in ORDER if k in drafts])
        self.timings["total"] = (time.perf_counter() - started) * 1000
        return Briefing(
            topic=self.topic,
            context=self.context,
            length=self.length,
            mode=self.mode,
            coverage=coverage,
            sections=sections,
            sources=sources,
            boundaries=tuple(self.events),
            notices=tuple(self.notices),
            timings_ms=self.timings,
            created=date.today().isoformat(),
        )

    # -- evidence ----------------------------------------------------------------------------
    def _retrieve(self) -> tuple[dict[SectionKind, list[Passage]], list[Passage]]:
        """Each section's passages, and the rest of the document sections the topic is best
        found in, or the raised boundary rules cite (a human reads the whole of "G. Managing
        spoilers", not only the top hits)."""
        k = 8 if self.length == "standard" else 6
        found: dict[SectionKind, list[Passage]] = {
            kind: self.a.retrieve(SPECS[kind].query.format(topic=self.topic), k=k)
            for kind in ORDER
            if kind != "boundaries"
        }
        for ps in found.values():
            self.sims.update(self._topic_sims(ps))
        ranked = sorted(found["key_points"], key=lambda p: -self.sims[p.meta.chunk_id])
        tops = [
            p
            for p in ranked[:2]
            if p.section
            and self.sims[p.meta.chunk_id]
            >= max(self.settings.min_evidence, self.sims[ranked[0].meta.chunk_id] - 0.05)
        ]
        rules = [
            self.a.paragraph(*ref.partition("#")[::2]) for r in self.pre.rules for ref in r.corpus
        ]
        self.anchors |= {(p.doc_id, p.section) for p in [*tops, *rules] if p and p.section}
        mates = [
            q
            for doc_id, section in sorted(self.anchors)
            for q in self.a.document_passages(doc_id)
            if q.section == section
        ][:_MAX_MATES]
        self.sims.update(self._topic_sims([q for q in mates if q.meta.chunk_id not in self.sims]))
        return found, mates

    def _topic_sims(self, passages: list[Passage]) -> dict[str, float]:
        if not passages:
            return {}
        sims = self.scorer.vectors([p.text for p in passages]) @ self.topic_vec
        return {p.meta.chunk_id: float(s) for p, s in zip(passages, sims, strict=True)}

    def _uncovered(self, found: dict[SectionKind, list[Passage]]) -> dict[SectionKind, Draft]:
        near = sorted(
            {p.meta.chunk_id: p for ps in found.values() for p in ps}.values(),
            key=lambda p: self.sims[p.meta.chunk_id],
            reverse=True,
        )[:2]
        closest = "; ".join(cite_label(p.doc_id, p.paragraphs) for p in near)
        notes = [
            f"The guidance documents do not cover {self.topic}. The closest passages "
            f"({closest}) concern other matters, so this note makes no points on it."
        ]
        if missing := unmentioned(self.a, self.topic, self.context):
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

    # -- sections ----------------------------------------------------------------------------
    def _boundaries(self, pre: PreCheck) -> Draft:
        draft = Draft("boundaries")
        if pre.refused:
            draft.intro = (
                "The topic, as worded, asks for something across a normative "
                "boundary; this note states the boundary and drafts nothing."
            )
            self.notices.append("Part of the topic crosses a normative boundary; nothing drafted.")
        for rule in pre.rules:
            markers = tuple(self._rule_source(draft, rule.statement, r) for r in rule.corpus)
            details = [f"Other sources: {'; '.join(rule.external)}."] if rule.external else []
            details.append(f"What it does not rule out: {rule.nuance}")
            draft.points.append(
                (rule.statement, tuple(m for m in markers if m), rule.title, tuple(details))
            )
        if not pre.rules:
            draft.notes.append(
                "None of the assistant's boundary rules is raised by this topic. That is not a "
                "clearance: UN norms and the mission's legal advice still apply."
            )
        return draft

    def _rule_source(self, draft: Draft, statement: str, ref: str) -> int:
        doc_id, _, label = ref.partition("#")
        passage = self.a.paragraph(doc_id, label)
        if passage is None:
            self.notices.append(f"Boundary source {ref} is not in the index; re-run ingest.")
            return 0
        terms = set(content_terms(statement))
        sentences = [clean_sentence(s) for s in split_sentences(passage.text)] or [passage.text]
        quote = max(sentences, key=lambda s: len(terms & set(content_terms(s))))
        draft.passages.append(passage)
        draft.citations.append(citation_for(len(draft.passages), passage, quote))
        self._mark(passage, [quote])
        return len(draft.passages)

    def _section(self, kind: SectionKind, passages: list[Passage], evidence: float) -> Draft:
        draft = Draft(kind, evidence=evidence)
        passages = [t for t in (self._unused(p) for p in passages) if t is not None]
        if evidence < self.settings.min_evidence or not passages:
            draft.notes.append(
                f"The guidance says little that bears directly on this for {self.topic}."
            )
            return draft
        # Purpose stays extractive: two framing points are not worth a generation.
        if self.model is not None and kind != "purpose" and self._generate(draft, passages):
            return draft
        spec = SPECS[kind]
        points = self._points(spec, passages)
        points.sort(key=lambda p: p.score, reverse=True)
        if points and self.best is None:  # the first section scored (key points) sets the bar
            self.best = points[0].score
        points = [p for p in points if p.score >= _NOTE_RELATIVE * (self.best or 0.0)]
        if not points:
            draft.notes.append(
                f"Nothing further in the documents bears directly on this for {self.topic}."
            )
            return draft
        most = spec.points[0 if self.length == "standard" else 1]
        chosen = select_points(points, relative=_RELATIVE)[:most]
        local: dict[int, int] = {}
        for point in chosen:
            local.setdefault(point.marker, len(local) + 1)
            draft.points.append((point.sentence, (local[point.marker],), "", ()))
        draft.passages = [passages[m - 1] for m in local]
        for marker, n in local.items():
            quotes = [p.sentence for p in chosen if p.marker == marker]
            draft.citations.append(citation_for(n, passages[marker - 1], " ".join(quotes)))
            self._mark(passages[marker - 1], quotes)
        return draft

    def _points(self, spec: SectionSpec, passages: list[Passage]) -> list[Point]:
        """Every sentence of the passages, scored for this section (see the weights above)."""
        query_vec = np.asarray(self.a.embeddings.embed_query(spec.query.format(topic=self.topic)))
        vector = query_vec + self.topic_vec
        vector = vector / (np.linalg.norm(vector) or 1.0)
        terms = set(content_terms(self.topic))
        found: list[tuple[int, str, str]] = []  # marker, sentence, sentence in its heading
        for marker, passage in enumerate(passages, start=1):
            heading = passage.section.rsplit(">", 1)[-1].strip()
            for sentence in map(clean_sentence, split_sentences(passage.text)):
                if len(sentence.split()) >= 5:
                    found.append((marker, sentence, f"{heading}. {sentence}".lstrip(". ")))
        if not found:
            return []
        own = self.scorer.vectors([ctx for _, _, ctx in found]) @ vector
        points = []
        for (marker, sentence, ctx), sim in zip(found, own, strict=True):
            passage = passages[marker - 1]
            lexical = len(terms & set(content_terms(ctx))) / len(terms) if terms else 0.0
            relevance = self.sims.get(passage.meta.chunk_id, 0.0)
            anchored = (passage.doc_id, passage.section) in self.anchors
            cues = len(set(spec.cue_re.findall(sentence))) if spec.cues else 0
            score = (
                _OWN * float(sim)
                + _LEXICAL * lexical
                + _RELEVANCE * relevance
                + _ANCHOR * anchored
                + _CUE_BONUS * min(cues, _MAX_CUES)
                - _REUSE_PENALTY * self.cited.get(passage_key(passage), 0)
            )
            points.append(Point(marker, sentence, score))
        return points

    def _generate(self, draft: Draft, passages: list[Passage]) -> bool:
        """LLM prose for the section; False (with a notice) when extractive must stand in."""
        try:
            prose = section_prose(
                self.model, self.a.guard, self.pre, self.settings, draft.kind, self.topic, passages
            )
        except LLMUnavailable as exc:
            self.model = None
            self.notices.append(f"{exc} This and the remaining sections are extractive.")
            return False
        self.events += prose.events
        self.notices += prose.notices
        if not prose.ok:
            return False
        draft.passages, draft.prose = list(prose.shown), prose.text
        draft.citations = list(prose.citations)
        for c in prose.citations:
            self._mark(prose.shown[c.marker - 1], split_sentences(c.quote))
        self.mode = self.llm_mode
        return True

    # -- bookkeeping -------------------------------------------------------------------------
    def _unused(self, passage: Passage) -> Passage | None:
        """The passage without sentences already cited elsewhere (None when nothing is left)."""
        sentences = [s for s in split_sentences(passage.text) if norm_sentence(s) not in self.used]
        if sum(len(s.split()) for s in sentences) < 8:
            return None
        return passage.model_copy(update={"text": " ".join(sentences)})

    def _mark(self, passage: Passage, sentences: list[str]) -> None:
        self.used.update(norm_sentence(s) for s in sentences)
        self.cited[passage_key(passage)] = self.cited.get(passage_key(passage), 0) + 1

    def _purpose_intro(self) -> str:
        where = f" ({self.context})" if self.context else ""
        return (
            f"To brief the head of mission on {self.topic}{where}: what the UN mediation "
            "guidance says, the lessons and options it offers the mediator, the normative "
            "boundaries that apply, and the risks and open questions. Every point is cited "
            "to the paragraph (see Sources)."
        )

    def _gaps(self, evidence: dict[SectionKind, float]) -> list[str]:
        """Open questions: words the corpus never uses, thin sections, the corpus's age."""
        return open_questions(self.a, self.topic, self.context, evidence)
