"""Hybrid retrieval: dense (Chroma) + lexical (BM25) candidates fused by reciprocal rank.

A LangChain `BaseRetriever`. Pieces of one long paragraph are collapsed to the best-ranked one
and near-identical texts (the same passage quoted by two documents) to the first, so a single
paragraph never crowds out the others. Each returned Document carries `score` (fused) and
`similarity` (cosine of question and passage: the evidence strength the answer step judges).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.lexical import LexicalIndex
from assistant.types import LABEL_SEP, RetrievalFilter, date_key

_WORD = re.compile(r"[a-z0-9]+")


def chroma_where(filters: RetrievalFilter | None) -> dict[str, Any] | None:
    """The Chroma `where` clause for a filter (None when it filters nothing)."""
    if filters is None or filters.empty:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.doc_ids:
        clauses.append({"doc_id": {"$in": list(filters.doc_ids)}})
    if filters.kinds:
        clauses.append({"kind": {"$in": list(filters.kinds)}})
    if filters.date_from:
        clauses.append({"date_key": {"$gte": date_key(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date_key": {"$lte": _date_to_key(filters.date_to)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _date_to_key(date: str) -> int:
    """Inclusive upper bound: '2011' means up to 2011-12-31."""
    parts = date.split("-")
    if len(parts) == 1:
        return date_key(date) + 1130
    if len(parts) == 2:
        return date_key(date) + 30
    return date_key(date)


def matches(filters: RetrievalFilter | None, meta: dict[str, Any]) -> bool:
    """The same filter as `chroma_where`, evaluated in Python (for the lexical side)."""
    if filters is None or filters.empty:
        return True
    key = int(meta.get("date_key") or date_key(str(meta.get("date", ""))))
    return (
        (not filters.doc_ids or meta.get("doc_id") in filters.doc_ids)
        and (not filters.kinds or meta.get("kind") in filters.kinds)
        and (not filters.date_from or key >= date_key(filters.date_from))
        and (not filters.date_to or key <= _date_to_key(filters.date_to))
    )


def _paragraph_key(doc: Document) -> tuple[str, str]:
    return (str(doc.metadata.get("doc_id")), str(doc.metadata.get("paragraphs")))


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


class HybridRetriever(BaseRetriever):
    """Dense + BM25 candidates, reciprocal-rank fusion, duplicate suppression, top k."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    vectorstore: Any
    embeddings: Embeddings
    lexical: LexicalIndex | None = None
    k: int = 5
    candidates: int = 30
    rrf_k: int = 60
    filters: RetrievalFilter | None = None
    duplicate_overlap: float = 0.85

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        vector = self.embeddings.embed_query(query)
        return self.search(query, vector, self.k, self.filters)

    def search(
        self, query: str, vector: list[float], k: int, filters: RetrievalFilter | None
    ) -> list[Document]:
        """Fused top-k for a query whose embedding is already known."""
        where = chroma_where(filters)
        dense = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            vector, k=self.candidates, filter=where
        )
        lexical = (
            self.lexical.search(query, self.candidates, lambda m: matches(filters, m))
            if self.lexical
            else []
        )
        fused: dict[tuple[str, str, int], tuple[float, Document]] = {}
        for ranking in ([d for d, _ in dense], [d for d, _ in lexical]):
            for rank, doc in enumerate(ranking):
                key = (*_paragraph_key(doc), int(doc.metadata.get("piece", 0)))
                score, _ = fused.get(key, (0.0, doc))
                fused[key] = (score + 1.0 / (self.rrf_k + rank + 1), doc)
        ordered = sorted(fused.values(), key=lambda item: item[0], reverse=True)
        chosen: list[tuple[float, Document]] = []
        seen_paragraphs: set[tuple[str, str]] = set()
        seen_words: list[set[str]] = []
        for score, doc in ordered:
            if _paragraph_key(doc) in seen_paragraphs:
                continue
            words = _words(doc.page_content)
            if any(_overlap(words, other) >= self.duplicate_overlap for other in seen_words):
                continue
            seen_paragraphs.add(_paragraph_key(doc))
            seen_words.append(words)
            chosen.append((score, doc))
            if len(chosen) == k:
                break
        return self._with_similarity(vector, chosen)

    def _with_similarity(
        self, vector: list[float], chosen: list[tuple[float, Document]]
    ) -> list[Document]:
        texts = [doc.page_content for _, doc in chosen]
        if not texts:
            return []
        vectors = np.array(self.embeddings.embed_documents(texts))
        sims = vectors @ np.array(vector)
        out = []
        for (score, doc), sim in zip(chosen, sims, strict=True):
            meta = {**doc.metadata, "score": float(score), "similarity": float(sim)}
            out.append(Document(id=doc.id, page_content=doc.page_content, metadata=meta))
        return out

    def fetch_refs(self, refs: tuple[str, ...] | list[str]) -> list[Document]:
        """The chunks of given `doc_id#label` references (boundary sources), in that order."""
        out: list[Document] = []
        for ref in refs:
            doc_id, _, label = ref.partition("#")
            got = self.vectorstore.get(
                where={"$and": [{"doc_id": doc_id}, {"paragraphs": label}]},
                include=["documents", "metadatas"],
            )
            for chunk_id, text, meta in zip(
                got["ids"], got["documents"], got["metadatas"], strict=True
            ):
                if LABEL_SEP not in str(meta.get("paragraphs")) and int(meta.get("piece", 0)) == 0:
                    out.append(Document(id=chunk_id, page_content=text, metadata=dict(meta)))
        return out


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
