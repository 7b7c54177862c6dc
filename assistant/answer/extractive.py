"""The extractive answer (the default, no language model): verbatim sentences with citations.

Sentences of the retrieved passages are scored against the question (cosine of sentence and
question embeddings, plus the share of the question's content words they contain); the best
MIN_POINTS to MAX_POINTS, at most PER_PASSAGE per passage, become the points, each ending with
its passage's `[n]` marker.
Deterministic, fast, and it never says anything the documents do not say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict

from assistant.text import content_terms, split_sentences
from assistant.types import AnswerPoint, Citation, Passage, Source, cite_label

MIN_POINTS, MAX_POINTS, PER_PASSAGE = 2, 6, 2  # enough to answer, few enough to read
# A sentence's score: mostly meaning (cosine with the question), partly the share of the
# question's content words it contains (names and terms an embedding blurs), plus a bonus of at
# most RANK_BONUS for its passage's retrieval rank, so near-ties go to the better passage.
SEMANTIC_WEIGHT, LEXICAL_WEIGHT, RANK_BONUS = 0.7, 0.3, 0.04
MIN_SENTENCE_WORDS = 5  # shorter pieces are headings and fragments, not claims
RELATIVE_TO_BEST = 0.7  # beyond MIN_POINTS, a point must score this share of the best point


@dataclass(frozen=True)
class Point:
    """One selected sentence and the passage (1-based marker) it comes from."""

    marker: int
    sentence: str
    score: float


class SentenceScorer:
    """Embeds sentences once per chunk (cached) and scores them against a question."""

    def __init__(self, embeddings: Embeddings, cache_size: int = 20000) -> None:
        self.embeddings = embeddings
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = cache_size

    def prime(self, known: Mapping[str, Sequence[float]]) -> None:
        """Add vectors computed elsewhere (the index's sentence vectors) to the cache."""
        if len(self._cache) + len(known) > self._cache_size:
            self._cache.clear()
        for sentence, vector in known.items():
            self._cache.setdefault(sentence, np.asarray(vector))

    def vectors(self, sentences: Sequence[str]) -> np.ndarray:
        missing = [s for s in dict.fromkeys(sentences) if s not in self._cache]
        if missing:
            if len(self._cache) + len(missing) > self._cache_size:
                self._cache.clear()
            for sentence, vector in zip(
                missing, self.embeddings.embed_documents(missing), strict=True
            ):
                self._cache[sentence] = np.asarray(vector)
        return np.array([self._cache[s] for s in sentences])

    def points(
        self, question: str, query_vector: Sequence[float], passages: Sequence[Passage]
    ) -> list[Point]:
        """Candidate points, best first, across all passages."""
        candidates: list[tuple[int, str]] = []
        for marker, passage in enumerate(passages, start=1):
            for sentence in split_sentences(passage.text):
                if len(sentence.split()) >= MIN_SENTENCE_WORDS:
                    candidates.append((marker, sentence))
        if not candidates:
            return []
        sims = self.vectors([s for _, s in candidates]) @ np.asarray(query_vector)
        wanted = set(content_terms(question))
        scored = []
        for (marker, sentence), sim in zip(candidates, sims, strict=True):
            lexical = len(wanted & set(content_terms(sentence))) / len(wanted) if wanted else 0.0
            rank_bonus = RANK_BONUS * (len(passages) - marker) / max(len(passages), 1)
            score = SEMANTIC_WEIGHT * sim + LEXICAL_WEIGHT * lexical + rank_bonus
            scored.append(Point(marker, sentence, float(score)))
        return sorted(scored, key=lambda p: p.score, reverse=True)


def select_points(
    points: Sequence[Point], relative: float = RELATIVE_TO_BEST, required: Sequence[int] = ()
) -> list[Point]:
    """2-6 points: close to the best score, at most two per passage, grouped by passage.

    `required` markers (a triggered boundary rule's source paragraphs) contribute their best
    sentence whatever its score, so the answer always cites the rule's source.
    """
    if not points:
        return []
    best = points[0].score
    chosen: list[Point] = []
    per_passage: dict[int, int] = {}
    for marker in required:
        top = next((p for p in points if p.marker == marker), None)
        if top is not None:
            chosen.append(top)
            per_passage[marker] = 1
    for point in points:
        if len(chosen) >= MAX_POINTS:
            break
        if point in chosen:
            continue
        if len(chosen) >= MIN_POINTS and point.score < relative * best:
            break
        if per_passage.get(point.marker, 0) >= PER_PASSAGE:
            continue
        per_passage[point.marker] = per_passage.get(point.marker, 0) + 1
        chosen.append(point)
    first_seen: dict[int, int] = {}
    for i, point in enumerate(chosen):
        first_seen.setdefault(point.marker, i)
    return sorted(chosen, key=lambda p: first_seen[p.marker])


class Extract(BaseModel):
    """The extractive answer as data: summary line, points, their sources and citations."""

    model_config = ConfigDict(frozen=True)

    summary: str
    points: tuple[AnswerPoint, ...]
    sources: tuple[Source, ...]
    citations: tuple[Citation, ...]


def compose(points: Sequence[Point], passages: Sequence[Passage]) -> Extract:
    """The chosen points with their markers, the sources they cite (in reading order)."""
    used = list(dict.fromkeys(p.marker for p in points))
    where = [cite_label(passages[m - 1].doc_id, passages[m - 1].paragraphs) for m in used]
    citations = tuple(
        Citation(
            marker=marker,
            doc_id=passages[marker - 1].doc_id,
            paragraphs=passages[marker - 1].paragraphs,
            section=passages[marker - 1].section,
            quote=" ".join(p.sentence for p in points if p.marker == marker),
            supported=True,
        )
        for marker in used
    )
    return Extract(
        summary=f"The guidance addresses this most directly in {_join(where)}:",
        points=tuple(
            AnswerPoint(text=f"{p.sentence} [{p.marker}]", markers=(p.marker,)) for p in points
        ),
        sources=tuple(Source.of(marker, passages[marker - 1]) for marker in used),
        citations=citations,
    )


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
