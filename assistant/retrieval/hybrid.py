"""Hybrid retrieval: dense paragraphs, dense sentences and BM25, fused by reciprocal rank.

A LangChain `BaseRetriever`: `invoke(query, config, k=3, filters=...)` honours k, the filters
and the config's callbacks, tags and run name (LangChain's standard retriever tests run on it).
Pieces of one long paragraph are collapsed to the best-ranked one
and near-identical texts (the same passage quoted by two documents) to the first, so a single
paragraph never crowds out the others. Each returned Document carries `score` (fused) and
`similarity` (cosine of question and passage: the evidence strength the answer step judges).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables.config import run_in_executor
from pydantic import ConfigDict

from assistant.retrieval.filters import chroma_where, matches
from assistant.store.lexical import LexicalIndex
from assistant.types import LABEL_SEP, RetrievalFilter, body_text

_WORD = re.compile(r"[a-z0-9]+")
# The paragraph and BM25 rankings weigh 1 in the fusion; `sentence_weight` is relative to them.
_BASE_WEIGHT = 1.0
# Sentence hits fetched per chunk wanted: a chunk's several sentences often rank together, so
# `candidates` distinct chunks need about three times as many sentence hits.
_SENTENCE_HITS_PER_CHUNK = 3


def _paragraph_key(doc: Document) -> tuple[str, str]:
    return (str(doc.metadata.get("doc_id")), str(doc.metadata.get("paragraphs")))


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


class HybridRetriever(BaseRetriever):
    """Dense paragraphs + dense sentences + BM25, reciprocal-rank fusion, duplicates out, top k."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    vectorstore: Any
    embeddings: Embeddings
    sentences: Any | None = None  # Chroma collection of sentence vectors (chunk_id metadata)
    lexical: LexicalIndex | None = None
    k: int = 5
    candidates: int = 30
    rrf_k: int = 10
    sentence_weight: float = 1.5
    filters: RetrievalFilter | None = None
    # Share of the shorter text's words two passages must have in common to count as one
    # passage quoted twice (by two documents, or by an annex that repeats the body).
    duplicate_overlap: float = 0.85

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: RetrievalFilter | None = None,
    ) -> list[Document]:
        """`invoke(query, config, k=..., filters=...)`: the call's k and filters win over the
        retriever's own (LangChain passes invoke's keyword arguments through)."""
        vector = self.embeddings.embed_query(query)
        return self.search(query, vector, k or self.k, filters or self.filters)

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: RetrievalFilter | None = None,
    ) -> list[Document]:
        """`ainvoke` with the same keyword arguments (LangChain's default would drop them)."""
        return await run_in_executor(
            None,
            self._get_relevant_documents,
            query,
            run_manager=run_manager.get_sync(),
            k=k,
            filters=filters,
        )

    def rankings(
        self, query: str, vector: list[float], filters: RetrievalFilter | None
    ) -> list[tuple[float, list[Document]]]:
        """(weight, ranked chunks) of each retriever: paragraphs, sentences, BM25."""
        where = chroma_where(filters)
        dense = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
            vector, k=self.candidates, filter=where
        )
        lists = [(_BASE_WEIGHT, [d for d, _ in dense])]
        if self.sentences is not None:
            lists.append((self.sentence_weight, self._sentence_ranking(vector, where)))
        if self.lexical is not None:
            hits = self.lexical.search(query, self.candidates, lambda m: matches(filters, m))
            lists.append((_BASE_WEIGHT, [d for d, _ in hits]))
        return lists

    def _sentence_ranking(
        self, vector: list[float], where: dict[str, Any] | None
    ) -> list[Document]:
        """Chunks ranked by their best-matching sentence."""
        if self.sentences is None:
            return []
        hits = self.sentences.similarity_search_by_vector_with_relevance_scores(
            vector, k=self.candidates * _SENTENCE_HITS_PER_CHUNK, filter=where
        )
        chunk_ids = list(dict.fromkeys(d.metadata["chunk_id"] for d, _ in hits))[: self.candidates]
        return self._chunks_by_id(chunk_ids)

    def _chunks_by_id(self, chunk_ids: list[str]) -> list[Document]:
        if self.lexical is not None:
            table = self.lexical.by_chunk_id
            return [table[c] for c in chunk_ids if c in table]
        if not chunk_ids:
            return []
        got = self.vectorstore.get(
            where={"chunk_id": {"$in": chunk_ids}}, include=["documents", "metadatas"]
        )
        found = {
            m["chunk_id"]: Document(id=i, page_content=t, metadata=m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [found[c] for c in chunk_ids if c in found]

    def search(
        self, query: str, vector: list[float], k: int, filters: RetrievalFilter | None
    ) -> list[Document]:
        """Fused top-k for a query whose embedding is already known."""
        fused: dict[tuple[str, str], float] = {}
        best: dict[tuple[str, str], tuple[int, Document]] = {}
        for weight, ranking in self.rankings(query, vector, filters):
            for rank, doc in enumerate(ranking):
                key = _paragraph_key(doc)
                fused[key] = fused.get(key, 0.0) + weight / (self.rrf_k + rank + 1)
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, doc)
        chosen: list[tuple[float, Document]] = []
        seen_words: list[set[str]] = []
        for key in sorted(fused, key=lambda key: fused[key], reverse=True):
            doc = best[key][1]
            words = _words(body_text(doc))
            if any(_overlap(words, other) >= self.duplicate_overlap for other in seen_words):
                continue
            seen_words.append(words)
            chosen.append((fused[key], doc))
            if len(chosen) == k:
                break
        return self.with_similarity(vector, chosen)

    def with_similarity(
        self, vector: list[float], chosen: list[tuple[float, Document]]
    ) -> list[Document]:
        """Attach fused score and cosine similarity (from the stored vectors, no re-embedding)."""
        if not chosen:
            return []
        ids = [doc.id for _, doc in chosen]
        got = self.vectorstore.get(ids=ids, include=["embeddings"])
        stored = dict(zip(got["ids"], got["embeddings"], strict=True))
        query = np.asarray(vector)
        out = []
        for score, doc in chosen:
            embedding = stored.get(doc.id)
            if embedding is None:  # not in Chroma (an index out of step): embed it now
                embedding = self.embeddings.embed_documents([doc.page_content])[0]
            sim = float(np.asarray(embedding) @ query)
            meta = {**doc.metadata, "score": float(score), "similarity": sim}
            out.append(Document(id=doc.id, page_content=doc.page_content, metadata=meta))
        return out

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        """Stored sentence vectors of these chunks (text -> vector), so answers do not re-encode."""
        if self.sentences is None or not chunk_ids:
            return {}
        got = self.sentences.get(
            where={"chunk_id": {"$in": chunk_ids}}, include=["documents", "embeddings"]
        )
        return dict(zip(got["documents"], got["embeddings"], strict=True))

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
