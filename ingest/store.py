"""The write side of the indexes: Chroma through LangChain's indexing API and a record manager."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import IndexingResult, index

from assistant.config import Settings
from assistant.store.chroma import SENTENCES, build_vectorstore
from ingest.chunking import sentence_documents


class _CountingEmbeddings(Embeddings):
    """Passes through to the real model and reports how many texts were embedded."""

    def __init__(self, inner: Embeddings, on_embedded: Callable[[int], None]) -> None:
        self.inner = inner
        self.on_embedded = on_embedded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.inner.embed_documents(texts)
        self.on_embedded(len(texts))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class ChunkStore:
    """Chroma collection + SQL record manager, keyed by doc_id for incremental cleanup."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings,
        on_embedded: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.settings = settings
        self._embeddings = _CountingEmbeddings(embeddings, on_embedded)
        self._open()

    def _open(self) -> None:
        from langchain_classic.indexes import SQLRecordManager

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        where = self.settings.chroma_url or "embedded"
        db_url = f"sqlite:///{self.settings.records_db}"
        self.vectorstore: Any = build_vectorstore(self.settings, self._embeddings)
        self.sentences: Any = build_vectorstore(self.settings, self._embeddings, SENTENCES)
        self.records = SQLRecordManager(f"chroma/{where}/{self.settings.collection}", db_url=db_url)
        self.sentence_records = SQLRecordManager(
            f"chroma/{where}/{self.settings.collection}{SENTENCES}", db_url=db_url
        )
        self.records.create_schema()
        self.sentence_records.create_schema()

    def _pairs(self) -> list[tuple[Any, Any]]:
        return [(self.vectorstore, self.records), (self.sentences, self.sentence_records)]

    def reset(self) -> None:
        """Start clean (`--rebuild`): drop the collections, the records and the lexical index."""
        for store, _ in self._pairs():
            store.delete_collection()
        self.settings.records_db.unlink(missing_ok=True)
        shutil.rmtree(self.settings.lexical_dir, ignore_errors=True)
        self._open()

    def index_document(self, doc_id: str, docs: list[Document]) -> IndexingResult:
        """Upsert one document's chunks and their sentences; stale ones of the doc are deleted."""
        sentences = sentence_documents(docs)
        # One batch per document and collection: incremental cleanup runs after every batch and
        # would delete (then re-embed) the document's chunks that a later batch still holds.
        kwargs: dict[str, Any] = {
            "cleanup": "incremental",
            "source_id_key": "doc_id",
            "key_encoder": "sha256",
        }
        result = index(docs, self.records, self.vectorstore, batch_size=max(len(docs), 1), **kwargs)
        index(
            sentences,
            self.sentence_records,
            self.sentences,
            batch_size=max(len(sentences), 1),
            **kwargs,
        )
        return result

    def delete_document(self, doc_id: str) -> int:
        deleted = 0
        for store, records in self._pairs():
            ids = store.get(where={"doc_id": doc_id}, include=[])["ids"]
            if ids:
                store.delete(ids=ids)
                records.delete_keys(ids)
            deleted += len(ids)
        return deleted

    def delete_orphans(self) -> int:
        """Vectors whose record was never written (a run killed mid-batch) are deleted."""
        removed = 0
        for store, records in self._pairs():
            known = set(records.list_keys())
            stored = set(store.get(include=[])["ids"])
            orphans = sorted(stored - known)
            if orphans:
                store.delete(ids=orphans)
            stale = sorted(known - stored)
            if stale:
                records.delete_keys(stale)
            removed += len(orphans)
        return removed

    def all_documents(self) -> list[Document]:
        got = self.vectorstore.get(include=["documents", "metadatas"])
        docs = [
            Document(id=i, page_content=t, metadata=m)
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(
            docs, key=lambda d: (d.metadata.get("doc_id", ""), d.metadata.get("order", 0))
        )
