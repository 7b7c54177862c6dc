"""The points of an extractive answer: the sentences that answer, quoted whole, cited in order.

`PointPicker.pick` asks the relevance model (`relevance.py`) which passages answer, quotes the
two sentences of the most likely one closest to the question, adds the closest sentence of every
other passage that clears the model's keep threshold (at most `MAX_POINTS` points, at most
`PER_PASSAGE` from one passage), brings in the sentence
before a quote that opens with an anaphor, and renumbers the passages so that the answer's
citations run [1], [2], ... in reading order with no gaps (a cited passage's rank is its marker;
the passages no point cites follow, best first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.answer.extractive import Point, SentenceScorer
from assistant.answer.relevance import (
    ANAPHOR,
    MIN_SENTENCE_WORDS,
    Candidate,
    Evidence,
    RelevanceModel,
    TermWeights,
    describe,
    load_model,
)
from assistant.text import split_sentences
from assistant.types import Passage

# A short answer: the few sentences that answer, not a survey. The most likely passage gives two
# (a paragraph usually answers in more than one sentence, and both stand or fall with it).
MAX_POINTS, PER_PASSAGE = 4, 2


@dataclass(frozen=True)
class Scored:
    """A candidate sentence and the model's probability that its passage answers."""

    candidate: Candidate
    probability: float


@dataclass(frozen=True)
class Picked:
    """The chosen points (markers = ranks of `passages`), the renumbered passages, the scores."""

    points: list[Point]
    passages: tuple[Passage, ...]
    best: float  # probability that the first point's passage answers (0.0 without points)
    ranked: list[tuple[Evidence, float]]  # every passage with its probability, best first


class PointPicker:
    """Scores passages and picks the points; one per chain, safe to share."""

    def __init__(
        self,
        scorer: SentenceScorer,
        corpus: Callable[[], Sequence[Document]],
        model: RelevanceModel | None = None,
    ) -> None:
        self.scorer = scorer
        self._model = model
        self._corpus = corpus
        self._weights: tuple[int, TermWeights] | None = None

    @property
    def model(self) -> RelevanceModel:
        """The relevance model (the packaged one unless another was given)."""
        if self._model is None:
            self._model = load_model()
        return self._model

    def weights(self) -> TermWeights:
        """Term weights of the indexed texts, recomputed when the index object changes."""
        documents = self._corpus()
        if self._weights is None or self._weights[0] != id(documents):
            texts = (d.page_content for d in documents)
            self._weights = (id(documents), TermWeights(texts))
        return self._weights[1]

    def describe(
        self, question: str, vector: Sequence[float], passages: Sequence[Passage]
    ) -> list[Evidence]:
        """Every passage with its features and candidate sentences (no model needed)."""
        sentences = [
            s
            for p in passages
            for s in split_sentences(p.text)
            if len(s.split()) >= MIN_SENTENCE_WORDS
        ]
        vectors = dict(zip(sentences, self.scorer.vectors(sentences), strict=True))
        return describe(question, vector, passages, vectors, self.weights())

    def rank(
        self, question: str, vector: Sequence[float], passages: Sequence[Passage]
    ) -> list[tuple[Evidence, float]]:
        """Every passage with the probability that it answers, best first."""
        found = self.describe(question, vector, passages)
        probabilities = self.model.probabilities([e.features for e in found])
        ranked = [(e, float(p)) for e, p in zip(found, probabilities, strict=True)]
        return sorted(ranked, key=lambda item: item[1], reverse=True)

    def pick(
        self,
        question: str,
        vector: Sequence[float],
        passages: Sequence[Passage],
        required: Sequence[int] = (),
    ) -> Picked:
        ranked = self.rank(question, vector, passages)
        chosen = choose(ranked, self.model.keep_threshold, required)
        points, ordered = in_reading_order(chosen, passages)
        best = chosen[0].probability if chosen else 0.0
        return Picked(points=points, passages=ordered, best=best, ranked=ranked)


def choose(
    ranked: Sequence[tuple[Evidence, float]], keep: float, required: Sequence[int] = ()
) -> list[Scored]:
    """The most likely passage's two closest sentences, then the closest sentence of each other
    passage above `keep`, at most MAX_POINTS in all.

    `required` markers (a triggered boundary rule's source paragraphs) contribute their closest
    sentence whatever their probability, so the answer always cites the rule's source.
    """
    chosen: list[Scored] = []
    if not ranked:
        return chosen
    first, probability = ranked[0]
    chosen += [Scored(c, probability) for c in first.sentences[:PER_PASSAGE]]
    by_marker = {e.marker: (e, p) for e, p in ranked}
    for marker in required:
        if marker in by_marker and marker != first.marker:
            evidence, p = by_marker[marker]
            chosen.append(Scored(evidence.sentences[0], p))
    for evidence, p in ranked[1:]:
        if len(chosen) >= MAX_POINTS or p < keep:
            break
        if evidence.marker not in required:
            chosen.append(Scored(evidence.sentences[0], p))
    return chosen


def quote(candidate: Candidate) -> str:
    """The sentence, with the one before it when it opens with an anaphor ("This", "Such")."""
    if candidate.previous and ANAPHOR.match(candidate.sentence):
        return f"{candidate.previous} {candidate.sentence}"
    return candidate.sentence


def in_reading_order(
    chosen: Sequence[Scored], passages: Sequence[Passage]
) -> tuple[list[Point], tuple[Passage, ...]]:
    """Points grouped by passage (the most likely passage first) and renumbered passages.

    Within a passage the points keep the document's order, except that the first point of the
    answer stays first. Markers become 1, 2, ... in the order the reader meets them.
    """
    groups: dict[int, list[Scored]] = {}
    for item in chosen:
        groups.setdefault(item.candidate.marker, []).append(item)
    ordered: list[Scored] = []
    for i, group in enumerate(groups.values()):
        rest = sorted(group[1:] if i == 0 else group, key=lambda s: s.candidate.index)
        ordered += ([group[0]] if i == 0 else []) + rest
    renumber = {old: new for new, old in enumerate(groups, start=1)}
    uncited = [m for m in range(1, len(passages) + 1) if m not in renumber]
    renumber.update({old: len(groups) + i for i, old in enumerate(uncited, start=1)})
    reordered = sorted(
        (p.model_copy(update={"rank": renumber[m]}) for m, p in enumerate(passages, start=1)),
        key=lambda p: p.rank,
    )
    points = _merged(
        [Point(renumber[s.candidate.marker], quote(s.candidate), s.probability) for s in ordered]
    )
    return points, tuple(reordered)


def _merged(points: list[Point]) -> list[Point]:
    """One point per quote: a quote inside another point's quote (an anaphor brought the same
    sentence in twice) is dropped, and the longer quote takes the place of the first it holds."""
    kept: list[Point] = []
    for point in points:
        if any(point.marker == k.marker and point.sentence in k.sentence for k in kept):
            continue
        inside = [
            i
            for i, k in enumerate(kept)
            if k.marker == point.marker and k.sentence in point.sentence
        ]
        if inside:
            kept[inside[0]] = point
            kept = [k for i, k in enumerate(kept) if i not in inside[1:]]
        else:
            kept.append(point)
    return kept
