"""The grounds an answer stands on: which passages answer, within which documents.

`Grounds` joins the relevance step (`points.PointPicker`) to the index it reads: the stored
sentence vectors, the chunks (for term weights and the `scope.Library` of documents), and the
retriever (to look outside a filter). The chain asks it what to quote and whether a filter left
the evidence out.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.documents import Document

from assistant.answer import scope
from assistant.answer.extractive import SentenceScorer
from assistant.answer.points import Picked, PointPicker
from assistant.answer.question import AskInput
from assistant.retrieval.hybrid import HybridRetriever
from assistant.types import Passage, RetrievalFilter, cite_label


class Grounds:
    """Relevance over the index: one per chain, safe to share."""

    def __init__(self, retriever: HybridRetriever, scorer: SentenceScorer) -> None:
        self.retriever = retriever
        self.scorer = scorer
        self.picker = PointPicker(scorer, self.chunks)
        self._library: tuple[int, scope.Library] | None = None

    def pick(
        self, question: str, vector: list[float], passages: Sequence[Passage], required: list[int]
    ) -> Picked:
        """The points that answer (relevance model), passages renumbered in reading order."""
        self.scorer.prime(self.retriever.sentence_vectors([p.meta.chunk_id for p in passages]))
        return self.picker.pick(question, vector, passages, required)

    def excluded(
        self, question: str, vector: list[float], k: int, ask: AskInput, within: Picked
    ) -> str | None:
        """The `no_evidence` text when the question's filter left the evidence out, else None."""
        filters = ask.filters
        if filters is None or filters.empty or within.best >= self.picker.model.answer_threshold:
            return None
        elsewhere = self.elsewhere(question, vector, k, filters, within)
        if not elsewhere:
            return None
        return scope.excluded_text(self.library().selected(filters), elsewhere)

    def elsewhere(
        self, question: str, vector: list[float], k: int, filters: RetrievalFilter, within: Picked
    ) -> list[str]:
        """Where, outside a filter, the corpus answers (cite labels); [] when it does not.

        The filter left the evidence out when the unfiltered answer's first point lies outside
        the selection and the unfiltered passages are clearly closer to the question (cosine
        higher by `scope.CLEARLY_CLOSER`) or clearly more relevant (`scope.CLEARLY_MORE`).
        """
        docs = self.retriever.search(question, vector, k, None)
        passages = [Passage.from_document(d, rank) for rank, d in enumerate(docs, start=1)]
        picked = self.pick(question, vector, passages, [])
        if not picked.points or scope.matches_filter(filters, picked.passages[0]):
            return []
        closer = max((p.similarity for p in passages), default=0.0) - max(
            (p.similarity for p in within.passages), default=0.0
        )
        if closer < scope.CLEARLY_CLOSER and picked.best - within.best < scope.CLEARLY_MORE:
            return []
        cited = picked.passages[: len({p.marker for p in picked.points})]
        return [
            cite_label(p.doc_id, p.paragraphs)
            for p in cited
            if not scope.matches_filter(filters, p)
        ]

    def chunks(self) -> Sequence[Document]:
        lexical = self.retriever.lexical
        return lexical.documents if lexical is not None else []

    def library(self) -> scope.Library:
        """The indexed documents (ids, kinds, dates), re-read when the index is reloaded."""
        chunks = self.chunks()
        if self._library is None or self._library[0] != id(chunks):
            self._library = (id(chunks), scope.Library.of(chunks))
        return self._library[1]
