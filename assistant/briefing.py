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

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from assistant.boundaries import PreCheck
from assistant.citations import check_citations, strip_markers
from assistant.errors import ConfigError, InvalidQuestion, LLMUnavailable
from assistant.evidence import unknown_names
from assistant.extractive import Point, select_points
from assistant.text import STOPWORDS, content_terms, normalize, split_sentences, stem
from assistant.types import BoundaryEvent, Citation, Passage, cite_label

if TYPE_CHECKING:
    from assistant.service import Assistant

Length = Literal["short", "standard"]
SectionKind = Literal["purpose", "key_points", "lessons", "boundaries", "risks"]
Coverage = Literal["covered", "partial", "not_covered"]

CLOSING = "This note supports, and does not replace, the judgement of the mission."
MAX_TOPIC_CHARS = 500


@dataclass(frozen=True)
class _Spec:
    title: str
    query: str  # retrieval query; {topic} is replaced
    prompt: str  # the LLM's question for this section
    cues: str = ""  # words that make a sentence belong here rather than elsewhere
    points: tuple[int, int] = (5, 3)  # most points: standard, short

    @property
    def cue_re(self) -> re.Pattern[str]:
        return re.compile(rf"\b(?:{self.cues})\b", re.IGNORECASE)


_SPECS: dict[SectionKind, _Spec] = {
    "purpose": _Spec(
        "Purpose", "why {topic} matters for mediation and peace processes",
        "Why does {topic} matter for a UN mediator?",
        r"important|importance|essential|crucial|critical|greatest|vital|key|priority", (2, 1)),
    "key_points": _Spec(
        "What the guidance says", "{topic}", "What does the guidance say about {topic}?"),
    "lessons": _Spec(
        "Lessons and options for the mediator",
        "lessons learned and options: what mediators should do about {topic}",
        "What lessons and options does the guidance give a mediator on {topic}?",
        r"should|must|needs?|learned|lessons?|experience|strateg\w*|approach\w*|options?|"
        r"recommend\w*|effective\w*|helped|requires?|ensure"),
    "boundaries": _Spec("Normative boundaries that apply", "", ""),
    "risks": _Spec(
        "Risks and open questions", "risks, challenges and obstacles of {topic}",
        "What risks and obstacles does the guidance identify for {topic}?",
        r"risks?|danger\w*|threat\w*|challeng\w*|obstacles?|fail\w*|undermin\w*|derail\w*|"
        r"tensions?|difficult\w*|cannot|violence|obstruct\w*|backlash|hamper\w*|costs?|impunity",
        (4, 2)),
}
ORDER: tuple[SectionKind, ...] = ("purpose", "key_points", "lessons", "boundaries", "risks")
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
_FOOTNOTE = re.compile(r"^\d{1,2}\s+(?=[A-Z])")  # "11 Although ..." after a footnote reference
_MARKER = re.compile(r"\[\d+\]")  # markers as check_citations writes them


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


class BriefingSource(BaseModel):
    """One cited paragraph, as the Sources list shows it."""

    model_config = ConfigDict(frozen=True)

    marker: int
    doc_id: str
    paragraphs: tuple[str, ...]
    title: str
    date: str
    section: str = ""

    @property
    def label(self) -> str:
        return cite_label(self.doc_id, self.paragraphs)

    @property
    def paragraph(self) -> str:
        """"para. 36" / "¶3", without the symbol."""
        return self.label.removeprefix(self.doc_id).lstrip(", ")


class Briefing(BaseModel):
    """A briefing note on a topic, every point cited to the paragraph."""

    model_config = ConfigDict(frozen=True)

    topic: str
    context: str = ""
    length: Length = "standard"
    mode: str = "extractive"  # "extractive" | "llm:<model>"
    coverage: Coverage = "covered"
    sections: tuple[BriefingSection, ...]
    sources: tuple[BriefingSource, ...] = ()
    boundaries: tuple[BoundaryEvent, ...] = ()
    notices: tuple[str, ...] = ()
    timings_ms: dict[str, float] = Field(default_factory=dict)
    closing: str = CLOSING
    created: str = ""  # ISO date

    def section(self, kind: SectionKind) -> BriefingSection | None:
        return next((s for s in self.sections if s.kind == kind), None)


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


@dataclass
class _Draft:
    """A section before global numbering: markers are local (1-based into `passages`)."""

    kind: SectionKind
    passages: list[Passage] = field(default_factory=list)
    points: list[tuple[str, tuple[int, ...], str, tuple[str, ...]]] = field(default_factory=list)
    prose: str = ""
    citations: list[Citation] = field(default_factory=list)
    intro: str = ""
    notes: list[str] = field(default_factory=list)
    evidence: float = 0.0


class _Builder:
    def __init__(self, assistant: Assistant, topic: str, context: str, length: Length,
                 llm: str | None, progress: Callable[[str], None]) -> None:
        self.a, self.topic, self.context, self.length = assistant, topic, context, length
        self.settings, self.scorer = assistant.settings, assistant.chain.scorer
        self.progress = progress
        self.model: Any = assistant.chain.chat_model(llm)
        self.mode = "extractive"
        self.model_label = getattr(self.model, "model_name", None) or getattr(
            self.model, "model_path", "model")
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
        evidence = {k: max((self.sims[p.meta.chunk_id] for p in ps), default=0.0)
                    for k, ps in found.items()}
        best = max(evidence.values(), default=0.0)
        self.timings["retrieve"] = (time.perf_counter() - started) * 1000
        floor = self.settings.min_evidence
        coverage: Coverage = "covered" if best >= floor + 0.15 else "partial"
        unknown = len(self._unknown_words()) / max(len(_topic_words(self.topic)), 1)
        if not pre.rules and (best < floor or (unknown >= 0.5 and coverage == "partial")):
            coverage, drafts = "not_covered", self._uncovered(found)
        else:
            drafts = {}
            for kind in _BUILD_ORDER:
                self.progress(_SPECS[kind].title)
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
        sections, sources = _number([drafts[k] for k in ORDER if k in drafts])
        self.timings["total"] = (time.perf_counter() - started) * 1000
        return Briefing(
            topic=self.topic, context=self.context, length=self.length, mode=self.mode,
            coverage=coverage, sections=sections, sources=sources,
            boundaries=tuple(self.events), notices=tuple(self.notices),
            timings_ms=self.timings, created=date.today().isoformat(),
        )

    # -- evidence ----------------------------------------------------------------------------
    def _retrieve(self) -> tuple[dict[SectionKind, list[Passage]], list[Passage]]:
        """Each section's passages, and the rest of the document sections the topic is best
        found in, or the raised boundary rules cite (a human reads the whole of "G. Managing
        spoilers", not only the top hits)."""
        k = 8 if self.length == "standard" else 6
        found: dict[SectionKind, list[Passage]] = {
            kind: self.a.retrieve(_SPECS[kind].query.format(topic=self.topic), k=k)
            for kind in ORDER if kind != "boundaries"
        }
        for ps in found.values():
            self.sims.update(self._topic_sims(ps))
        ranked = sorted(found["key_points"], key=lambda p: -self.sims[p.meta.chunk_id])
        tops = [p for p in ranked[:2] if p.section and self.sims[p.meta.chunk_id] >= max(
            self.settings.min_evidence, self.sims[ranked[0].meta.chunk_id] - 0.05)]
        rules = [self.a.paragraph(*ref.partition("#")[::2]) for r in self.pre.rules
                 for ref in r.corpus]
        self.anchors |= {(p.doc_id, p.section) for p in [*tops, *rules] if p and p.section}
        mates = [
            q for doc_id, section in sorted(self.anchors)
            for q in self.a.document_passages(doc_id) if q.section == section
        ][:_MAX_MATES]
        self.sims.update(self._topic_sims([q for q in mates if q.meta.chunk_id not in self.sims]))
        return found, mates

    def _topic_sims(self, passages: list[Passage]) -> dict[str, float]:
        if not passages:
            return {}
        sims = self.scorer.vectors([p.text for p in passages]) @ self.topic_vec
        return {p.meta.chunk_id: float(s) for p, s in zip(passages, sims, strict=True)}

    def _uncovered(self, found: dict[SectionKind, list[Passage]]) -> dict[SectionKind, _Draft]:
        near = sorted({p.meta.chunk_id: p for ps in found.values() for p in ps}.values(),
                      key=lambda p: self.sims[p.meta.chunk_id], reverse=True)[:2]
        closest = "; ".join(cite_label(p.doc_id, p.paragraphs) for p in near)
        notes = [f"The guidance documents do not cover {self.topic}. The closest passages "
                 f"({closest}) concern other matters, so this note makes no points on it."]
        if missing := self._unmentioned():
            notes.append(f"They never mention {', '.join(f'“{w}”' for w in missing)}.")
        notes.append("Seek other sources or expertise: the documents hold UN guidance on "
                     "mediation and preventive diplomacy only.")
        self.notices.append("The guidance documents do not cover this topic.")
        return {
            "purpose": _Draft("purpose", intro=f"To brief the head of mission on {self.topic}."),
            "key_points": _Draft("key_points", notes=notes),
        }

    # -- sections ----------------------------------------------------------------------------
    def _boundaries(self, pre: PreCheck) -> _Draft:
        draft = _Draft("boundaries")
        if pre.refused:
            draft.intro = ("The topic, as worded, asks for something across a normative "
                           "boundary; this note states the boundary and drafts nothing.")
            self.notices.append("Part of the topic crosses a normative boundary; nothing drafted.")
        for rule in pre.rules:
            markers = tuple(self._rule_source(draft, rule.statement, r) for r in rule.corpus)
            details = [f"Other sources: {'; '.join(rule.external)}."] if rule.external else []
            details.append(f"What it does not rule out: {rule.nuance}")
            draft.points.append((rule.statement, tuple(m for m in markers if m), rule.title,
                                 tuple(details)))
        if not pre.rules:
            draft.notes.append(
                "None of the assistant's boundary rules is raised by this topic. That is not a "
                "clearance: UN norms and the mission's legal advice still apply."
            )
        return draft

    def _rule_source(self, draft: _Draft, statement: str, ref: str) -> int:
        doc_id, _, label = ref.partition("#")
        passage = self.a.paragraph(doc_id, label)
        if passage is None:
            self.notices.append(f"Boundary source {ref} is not in the index; re-run ingest.")
            return 0
        terms = set(content_terms(statement))
        sentences = [_clean(s) for s in split_sentences(passage.text)] or [passage.text]
        quote = max(sentences, key=lambda s: len(terms & set(content_terms(s))))
        draft.passages.append(passage)
        draft.citations.append(_citation(len(draft.passages), passage, quote))
        self._mark(passage, [quote])
        return len(draft.passages)

    def _section(self, kind: SectionKind, passages: list[Passage], evidence: float) -> _Draft:
        draft = _Draft(kind, evidence=evidence)
        passages = [t for t in (self._unused(p) for p in passages) if t is not None]
        if evidence < self.settings.min_evidence or not passages:
            draft.notes.append(f"The guidance says little that bears directly on this for "
                               f"{self.topic}.")
            return draft
        # Purpose stays extractive: two framing points are not worth a generation.
        if self.model is not None and kind != "purpose" and self._generate(draft, passages):
            return draft
        spec = _SPECS[kind]
        points = self._points(spec, passages)
        points.sort(key=lambda p: p.score, reverse=True)
        if points and self.best is None:  # the first section scored (key points) sets the bar
            self.best = points[0].score
        points = [p for p in points if p.score >= _NOTE_RELATIVE * (self.best or 0.0)]
        if not points:
            draft.notes.append(f"Nothing further in the documents bears directly on this for "
                               f"{self.topic}.")
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
            draft.citations.append(_citation(n, passages[marker - 1], " ".join(quotes)))
            self._mark(passages[marker - 1], quotes)
        return draft

    def _points(self, spec: _Spec, passages: list[Passage]) -> list[Point]:
        """Every sentence of the passages, scored for this section (see the weights above)."""
        query_vec = np.asarray(self.a.embeddings.embed_query(spec.query.format(topic=self.topic)))
        vector = query_vec + self.topic_vec
        vector = vector / (np.linalg.norm(vector) or 1.0)
        terms = set(content_terms(self.topic))
        found: list[tuple[int, str, str]] = []  # marker, sentence, sentence in its heading
        for marker, passage in enumerate(passages, start=1):
            heading = passage.section.rsplit(">", 1)[-1].strip()
            for sentence in map(_clean, split_sentences(passage.text)):
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
            score = (_OWN * float(sim) + _LEXICAL * lexical + _RELEVANCE * relevance
                     + _ANCHOR * anchored + _CUE_BONUS * min(cues, _MAX_CUES)
                     - _REUSE_PENALTY * self.cited.get(_key(passage), 0))
            points.append(Point(marker, sentence, score))
        return points

    def _generate(self, draft: _Draft, passages: list[Passage]) -> bool:
        """LLM prose for the section; False (with a notice) when extractive must stand in."""
        from assistant.generation import fit_passages, prompt_budget, stream_answer

        title = _SPECS[draft.kind].title
        question = _SPECS[draft.kind].prompt.format(topic=self.topic)
        shown = list(fit_passages(question, passages, prompt_budget(self.settings)))
        try:
            text = "".join(stream_answer(self.model, question, shown, self.settings))
        except LLMUnavailable as exc:
            self.model = None
            self.notices.append(f"{exc} This and the remaining sections are extractive.")
            return False
        check = check_citations(text, shown)
        bad = set(check.unsupported_sentences)
        kept = [s for s in split_sentences(check.text)
                if _MARKER.search(s) and strip_markers(s).lstrip("-*•> ").strip() not in bad]
        dropped = len(split_sentences(check.text)) - len(kept)
        post = self.a.guard.after(" ".join(kept), self.pre)
        self.events += post.events
        final = check_citations(post.text, shown)
        if not any(c.supported for c in final.citations):
            self.notices.append(f"{title}: the language model's text had no supported citation; "
                                "showing verbatim points instead.")
            return False
        if dropped:
            self.notices.append(f"{title}: {dropped} sentence(s) of the language model without a "
                                "supported citation were left out.")
        if post.events:
            self.notices.append(f"{title}: sentences that crossed a normative boundary were "
                                "removed.")
        draft.passages, draft.prose, draft.citations = shown, final.text, list(final.citations)
        for c in final.citations:
            self._mark(shown[c.marker - 1], split_sentences(c.quote))
        self.mode = f"llm:{self.model_label}"
        return True

    # -- bookkeeping -------------------------------------------------------------------------
    def _unused(self, passage: Passage) -> Passage | None:
        """The passage without sentences already cited elsewhere (None when nothing is left)."""
        sentences = [s for s in split_sentences(passage.text) if _norm(s) not in self.used]
        if sum(len(s.split()) for s in sentences) < 8:
            return None
        return passage.model_copy(update={"text": " ".join(sentences)})

    def _mark(self, passage: Passage, sentences: list[str]) -> None:
        self.used.update(_norm(s) for s in sentences)
        self.cited[_key(passage)] = self.cited.get(_key(passage), 0) + 1

    def _purpose_intro(self) -> str:
        where = f" ({self.context})" if self.context else ""
        return (f"To brief the head of mission on {self.topic}{where}: what the UN mediation "
                "guidance says, the lessons and options it offers the mediator, the normative "
                "boundaries that apply, and the risks and open questions. Every point is cited "
                "to the paragraph (see Sources).")

    def _unknown_words(self) -> list[str]:
        """Words of the topic that no indexed text contains, in any inflection."""
        stems = {stem(v) for v in self.a.chain.vocabulary()}
        return [w for w in _topic_words(self.topic) if stem(w) not in stems]

    def _unmentioned(self) -> list[str]:
        """The topic's unknown words and the context's unknown names and numbers."""
        names = unknown_names(self.context, self.a.chain.vocabulary())
        return list(dict.fromkeys(self._unknown_words() + names))

    def _gaps(self, evidence: dict[SectionKind, float]) -> list[str]:
        """Open questions: words the corpus never uses, thin sections, the corpus's age."""
        notes = []
        if missing := self._unmentioned():
            notes.append("The documents never mention " + ", ".join(f"“{w}”" for w in missing)
                         + "; that aspect is not covered by this note.")
        thin = [_SPECS[k].title.lower() for k, e in evidence.items()
                if e < self.settings.min_evidence]
        if thin:
            notes.append(f"Little in the documents bears on: {'; '.join(thin)}.")
        if self.context:
            notes.append("The documents are general guidance and do not assess the situation "
                         "described; the mission's own analysis has to apply them to it.")
        dates = sorted(d.date for d in self.a.documents() if d.date)
        if dates:
            notes.append(f"The guidance consulted dates from {dates[0]} to {dates[-1]}; later "
                         "policy and recent events are not reflected.")
        return notes


def _number(drafts: list[_Draft]) -> tuple[tuple[BriefingSection, ...], tuple[BriefingSource, ...]]:
    """Global markers in reading order, one per paragraph; local markers rewritten."""
    sources: dict[str, BriefingSource] = {}
    sections = []
    for d in drafts:
        glob: dict[int, int] = {}
        cited = {c.marker for c in d.citations} | {m for pt in d.points for m in pt[1]}
        for n, p in enumerate(d.passages, start=1):
            if n not in cited:
                continue
            if _key(p) not in sources:
                sources[_key(p)] = BriefingSource(
                    marker=len(sources) + 1, doc_id=p.doc_id, paragraphs=p.paragraphs,
                    title=p.meta.title, date=p.meta.date, section=p.section)
            glob[n] = sources[_key(p)].marker
        merged: dict[int, Citation] = {}
        for c in d.citations:
            m = glob[c.marker]
            if m in merged:  # two pieces of one paragraph: one citation
                old = merged[m]
                c = old.model_copy(update={"quote": f"{old.quote} {c.quote}",
                                           "supported": old.supported or c.supported})
            merged[m] = c.model_copy(update={"marker": m})
        prose = _renumber(d.prose, glob)
        sections.append(BriefingSection(
            kind=d.kind, title=_SPECS[d.kind].title, mode="llm" if d.prose else "extractive",
            intro=d.intro, prose=prose, notes=tuple(d.notes), evidence=round(d.evidence, 4),
            citations=tuple(merged.values()),
            points=tuple(BriefingPoint(text=t, markers=tuple(dict.fromkeys(glob[m] for m in ms)),
                                       lead=lead, details=det) for t, ms, lead, det in d.points),
        ))
    return tuple(sections), tuple(sources.values())


def _topic_words(topic: str) -> list[str]:
    return [w for w in dict.fromkeys(re.findall(r"[a-z0-9]+", topic.lower()))
            if w not in STOPWORDS and len(w) > 2]


def _renumber(text: str, markers: dict[int, int]) -> str:
    return _MARKER.sub(lambda m: f"[{markers.get(int(m.group()[1:-1]), 0)}]", text)


def _citation(marker: int, passage: Passage, quote: str) -> Citation:
    return Citation(marker=marker, doc_id=passage.doc_id, paragraphs=passage.paragraphs,
                    section=passage.section, quote=quote, supported=True)


def _key(passage: Passage) -> str:
    return f"{passage.doc_id}#{'|'.join(passage.paragraphs)}"


def _clean(sentence: str) -> str:
    return _FOOTNOTE.sub("", sentence.strip())


def _norm(sentence: str) -> str:
    return normalize(_clean(sentence))
