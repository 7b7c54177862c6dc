"""Drafting the sections of a briefing note: the boundary section, extractive points, LLM prose.

One `SectionDrafter` per note keeps the note-wide bookkeeping: a sentence cited in one section
is never cited again in another, a paragraph already cited costs a little, and no point scores
below a share of the note's best. With a language model, a section is written through the
`GuardedWriter` (the path answers use) under the STRICT policy: only sentences with a supported
citation stay, the guard runs on them, and a section left with no supported citation falls back
to extractive points with a notice.
"""

from __future__ import annotations

import numpy as np

from assistant.answer.extractive import MIN_SENTENCE_WORDS, Point, select_points
from assistant.answer.guarded import STRICT, GuardedWriter
from assistant.briefing.guidance import Guidance
from assistant.briefing.types import (
    SPECS,
    Draft,
    Length,
    SectionKind,
    SectionSpec,
    citation_for,
    clean_sentence,
    norm_sentence,
    passage_key,
)
from assistant.errors import LLMUnavailable
from assistant.guard.engine import PreCheck
from assistant.text import content_terms, split_sentences
from assistant.types import BoundaryEvent, Passage

# A sentence is embedded under its section heading: "This is particularly likely when talks are
# making progress" has cosine 0.25 with "managing spoilers in the final stage of talks" alone and
# 0.69 as "G. Managing spoilers. This is ...". Its score adds the share of topic words it (or
# its heading) contains, its paragraph's cosine with the topic (plus a bonus inside the document
# sections the topic is best found in), and the section's cue words; reusing a paragraph
# already cited elsewhere costs a little, so the note spreads over the guidance.
_OWN, _LEXICAL, _RELEVANCE, _ANCHOR = 0.55, 0.2, 0.25, 0.06
_CUE_BONUS, _MAX_CUES, _REUSE_PENALTY = 0.03, 3, 0.03
_RELATIVE = 0.6  # within a section, points this close to its best (looser than an answer)
_NOTE_RELATIVE = 0.65  # no point scores below this share of the note's best: no padding
_MIN_LEFT_WORDS = 8  # a passage with fewer words left uncited has nothing more to say


class SectionDrafter:
    """Drafts each section of one note, remembering what the note has cited so far."""

    def __init__(
        self,
        guidance: Guidance,
        topic: str,
        length: Length,
        pre: PreCheck,
        topic_vec: np.ndarray,
        sims: dict[str, float],
        anchors: set[tuple[str, str]],
        writer: GuardedWriter | None,
    ) -> None:
        self.g, self.topic, self.length, self.pre = guidance, topic, length, pre
        self.topic_vec, self.sims, self.anchors = topic_vec, sims, anchors
        self.writer = writer
        self.mode = "extractive"  # becomes the writer's mode once a section is written by it
        self.used: set[str] = set()  # normalized sentences already cited somewhere
        self.cited: dict[str, int] = {}  # doc_id#labels -> times cited so far
        self.best: float | None = None  # best sentence score of the note
        self.notices: list[str] = []
        self.events: list[BoundaryEvent] = []

    # -- the boundary section ------------------------------------------------------------------
    def boundaries(self) -> Draft:
        draft = Draft("boundaries")
        if self.pre.refused:
            draft.intro = (
                "The topic, as worded, asks for something across a normative "
                "boundary; this note states the boundary and drafts nothing."
            )
            self.notices.append("Part of the topic crosses a normative boundary; nothing drafted.")
        for rule in self.pre.rules:
            markers = tuple(self._rule_source(draft, rule.statement, r) for r in rule.corpus)
            details = [f"Other sources: {'; '.join(rule.external)}."] if rule.external else []
            details.append(f"What it does not rule out: {rule.nuance}")
            draft.points.append(
                (rule.statement, tuple(m for m in markers if m), rule.title, tuple(details))
            )
        if not self.pre.rules:
            draft.notes.append(
                "None of the assistant's boundary rules is raised by this topic. That is not a "
                "clearance: UN norms and the mission's legal advice still apply."
            )
        return draft

    def _rule_source(self, draft: Draft, statement: str, ref: str) -> int:
        doc_id, _, label = ref.partition("#")
        passage = self.g.paragraph(doc_id, label)
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

    # -- the other sections --------------------------------------------------------------------
    def section(self, kind: SectionKind, passages: list[Passage], evidence: float) -> Draft:
        draft = Draft(kind, evidence=evidence)
        passages = [t for t in (self._unused(p) for p in passages) if t is not None]
        if evidence < self.g.settings.min_evidence or not passages:
            draft.notes.append(
                f"The guidance says little that bears directly on this for {self.topic}."
            )
            return draft
        # Purpose stays extractive: two framing points are not worth a generation.
        if self.writer is not None and kind != "purpose" and self._write(draft, passages):
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
        query_vec = np.asarray(self.g.embed_query(spec.query.format(topic=self.topic)))
        vector = query_vec + self.topic_vec
        vector = vector / (np.linalg.norm(vector) or 1.0)
        terms = set(content_terms(self.topic))
        found: list[tuple[int, str, str]] = []  # marker, sentence, sentence in its heading
        for marker, passage in enumerate(passages, start=1):
            heading = passage.section.rsplit(">", 1)[-1].strip()
            for sentence in map(clean_sentence, split_sentences(passage.text)):
                if len(sentence.split()) >= MIN_SENTENCE_WORDS:
                    found.append((marker, sentence, f"{heading}. {sentence}".lstrip(". ")))
        if not found:
            return []
        own = self.g.sentence_vectors([ctx for _, _, ctx in found]) @ vector
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

    def _write(self, draft: Draft, passages: list[Passage]) -> bool:
        """LLM prose for the section; False (with a notice) when extractive must stand in."""
        assert self.writer is not None
        title = SPECS[draft.kind].title
        question = SPECS[draft.kind].prompt.format(topic=self.topic)
        try:
            written = self.writer.write_all(question, passages, self.pre, STRICT)
        except LLMUnavailable as exc:
            self.writer = None
            self.notices.append(f"{exc} This and the remaining sections are extractive.")
            return False
        self.events += written.events
        if not written.ok:
            self.notices.append(
                f"{title}: the language model's text had no supported citation; "
                "showing verbatim points instead."
            )
            return False
        if written.dropped:
            self.notices.append(
                f"{title}: {written.dropped} sentence(s) of the language model without a "
                "supported citation were left out."
            )
        if written.events:
            self.notices.append(
                f"{title}: sentences that crossed a normative boundary were removed."
            )
            draft.notes += [f"{e.title}: {e.cited_statement()}" for e in written.events]
        draft.passages, draft.prose = list(written.shown), written.text
        draft.citations = list(written.citations)
        for c in written.citations:
            self._mark(written.shown[c.marker - 1], split_sentences(c.quote))
        self.mode = self.writer.mode
        return True

    # -- bookkeeping ---------------------------------------------------------------------------
    def _unused(self, passage: Passage) -> Passage | None:
        """The passage without sentences already cited elsewhere (None when nothing is left)."""
        sentences = [s for s in split_sentences(passage.text) if norm_sentence(s) not in self.used]
        if sum(len(s.split()) for s in sentences) < _MIN_LEFT_WORDS:
            return None
        return passage.model_copy(update={"text": " ".join(sentences)})

    def _mark(self, passage: Passage, sentences: list[str]) -> None:
        self.used.update(norm_sentence(s) for s in sentences)
        self.cited[passage_key(passage)] = self.cited.get(passage_key(passage), 0) + 1
