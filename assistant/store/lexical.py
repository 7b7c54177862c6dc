"""The lexical (BM25) index over the same chunks as Chroma, built with bm25s.

Saved next to the Chroma store; the ingest pipeline rebuilds it from Chroma after every run,
so the two indexes always describe the same chunks. Written to a temporary directory and
renamed into place, so a killed ingest never leaves a half-written index.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from langchain_core.documents import Document

from assistant.text import vocabulary

_CHUNKS = "chunks.jsonl"


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def lexical_text(doc: Document) -> str:
    """What BM25 sees: context header (section) and paragraph, plus the document title."""
    return f"{doc.page_content}\n{doc.metadata.get('title', '')}"


class LexicalIndex:
    """BM25 over chunk texts; `search` returns LangChain Documents with their BM25 score."""

    def __init__(self, model: bm25s.BM25, documents: list[Document]) -> None:
        self._model = model
        self._documents = documents
        self._stem = _stemmer()
        self.by_chunk_id = {str(d.metadata.get("chunk_id")): d for d in documents}

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Lower-cased words of every indexed chunk (what `evidence.unknown_names` checks)."""
        return vocabulary(d.page_content for d in self._documents)

    @property
    def documents(self) -> list[Document]:
        return self._documents

    @classmethod
    def build(cls, documents: Sequence[Document]) -> LexicalIndex:
        docs = list(documents)
        model = bm25s.BM25()
        if docs:
            tokens = bm25s.tokenize(
                [lexical_text(d) for d in docs],
                stopwords="en",
                stemmer=_stemmer(),
                show_progress=False,
            )
            model.index(tokens, show_progress=False)
        return cls(model, docs)

    def save(self, directory: Path) -> None:
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._documents:
            self._model.save(str(tmp))
        with (tmp / _CHUNKS).open("w", encoding="utf-8") as handle:
            for doc in self._documents:
                record = {"id": doc.id, "text": doc.page_content, "metadata": doc.metadata}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The saved index, or None when there is none (yet)."""
        chunks = directory / _CHUNKS
        if not chunks.is_file():
            return None
        documents = []
        with chunks.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                documents.append(
                    Document(
                        id=record["id"], page_content=record["text"], metadata=record["metadata"]
                    )
                )
        model = bm25s.BM25.load(str(directory)) if documents else bm25s.BM25()
        return cls(model, documents)

    def search(
        self, query: str, k: int, allow: Callable[[dict[str, Any]], bool] | None = None
    ) -> list[tuple[Document, float]]:
        """Top-k chunks by BM25 among those `allow` accepts (all when None)."""
        if not self._documents:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stem, show_progress=False)
        if not tokens.vocab or not any(tokens.ids):
            return []
        mask = None
        if allow is not None:
            mask = np.array([1.0 if allow(d.metadata) else 0.0 for d in self._documents])
            if not mask.any():
                return []
        n = min(k, len(self._documents))
        try:
            ids, scores = self._model.retrieve(
                tokens, k=n, weight_mask=mask, show_progress=False, n_threads=1
            )
        except (ValueError, KeyError):
            return []
        hits = []
        for index, score in zip(ids[0], scores[0], strict=True):
            if score > 0:
                hits.append((self._documents[int(index)], float(score)))
        return hits
