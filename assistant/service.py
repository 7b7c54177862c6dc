"""The assistant as the user interfaces see it: models and indexes loaded once, then ask.

One `Assistant` per process (the CLI's batch mode, the Streamlit server's cached resource, the
eval runner). It owns the embedding model, the Chroma store, the lexical index, the boundary
guard and the chat models, and appends every boundary event to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer.chain import AnswerChain
from assistant.answer.guarded import GuardedWriter
from assistant.answer.question import AskInput
from assistant.config import Settings
from assistant.errors import ConfigError, IndexMissing
from assistant.guard.engine import BoundaryGuard
from assistant.retrieval.hybrid import HybridRetriever
from assistant.store.catalog import index_status, load_catalog
from assistant.store.chroma import SENTENCES, build_vectorstore
from assistant.store.embeddings import build_embeddings
from assistant.store.lexical import LexicalIndex
from assistant.types import (
    Answer,
    DocumentSummary,
    IndexStatus,
    Passage,
    RetrievalFilter,
    Turn,
)

BOUNDARIES_FILE = "boundaries.yaml"
# The project's own rules, used when a corpus folder brings none: the guard is never off.
DEFAULT_BOUNDARIES = Path(__file__).resolve().parent.parent / "guidance_docs" / BOUNDARIES_FILE


def boundaries_file(settings: Settings) -> Path:
    """The corpus folder's boundaries.yaml, else the project's; ConfigError when neither exists."""
    for candidate in (settings.docs_dir / BOUNDARIES_FILE, DEFAULT_BOUNDARIES):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"No {BOUNDARIES_FILE} in {settings.docs_dir}; copy guidance_docs/{BOUNDARIES_FILE} "
        "there. The assistant does not answer without its boundary rules."
    )


class Assistant:
    """Facade over retrieval, answering and the boundary guard. Safe to share across threads."""

    def __init__(self, settings: Settings) -> None:
        import torch

        torch.set_num_threads(settings.query_threads)
        self.settings = settings
        self.embeddings = build_embeddings(settings)
        self.vectorstore = build_vectorstore(settings, self.embeddings)
        self.sentences = build_vectorstore(settings, self.embeddings, SENTENCES)
        self.guard = BoundaryGuard.load(boundaries_file(settings))
        self.retriever = HybridRetriever(
            vectorstore=self.vectorstore,
            sentences=self.sentences,
            embeddings=self.embeddings,
            k=settings.k,
            candidates=settings.candidates,
            rrf_k=settings.rrf_k,
            sentence_weight=settings.sentence_weight,
        )
        self.reload()
        self.chain = AnswerChain(
            settings, self.retriever, self.guard, self._chat_model, self._audit
        )

    @classmethod
    def open(cls, settings: Settings) -> Assistant:
        """Load everything once (raises IndexMissing when nothing was ingested)."""
        if index_status(settings).documents == 0:
            raise IndexMissing(settings.data_dir)
        return cls(settings)

    def reload(self) -> None:
        """Re-read the lexical index and the catalog (after an ingest in this process)."""
        self.retriever.lexical = LexicalIndex.load(self.settings.lexical_dir)
        self._catalog = load_catalog(self.settings)

    # asking ------------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: RetrievalFilter | None = None,
        k: int | None = None,
        llm: str | None = None,
    ) -> Answer:
        """A cited answer, `no_evidence` or a refusal (InvalidQuestion for an unaskable one)."""
        return self.chain.invoke(_input(question, history, filters, k, llm))

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: RetrievalFilter | None = None,
        k: int | None = None,
        llm: str | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas as they are produced, then the final checked `Answer` as the last item."""
        return self.chain.iter_answer(_input(question, history, filters, k, llm))

    def retrieve(
        self, query: str, filters: RetrievalFilter | None = None, k: int | None = None
    ) -> list[Passage]:
        """Ranked passages for a query (hybrid retrieval), best first."""
        vector = self.embeddings.embed_query(query)
        docs = self.retriever.search(query, vector, k or self.settings.k, filters)
        return [Passage.from_document(d, rank) for rank, d in enumerate(docs, start=1)]

    # the library -------------------------------------------------------------------------------
    def documents(self) -> list[DocumentSummary]:
        return sorted(self._catalog.values(), key=lambda d: d.doc_id)

    def document_passages(self, doc_id: str) -> list[Passage]:
        """Every chunk of a document in reading order (for the document view)."""
        lexical = self.retriever.lexical
        docs = [d for d in (lexical.documents if lexical else []) if d.metadata["doc_id"] == doc_id]
        docs.sort(key=lambda d: int(d.metadata.get("order", 0)))
        return [Passage.from_document(d, i) for i, d in enumerate(docs, start=1)]

    def paragraph(self, doc_id: str, label: str) -> Passage | None:
        """One paragraph, its pieces joined, for opening a citation."""
        pieces = [p for p in self.document_passages(doc_id) if label in p.paragraphs]
        if not pieces:
            return None
        text = " ".join(p.text for p in pieces)
        return pieces[0].model_copy(update={"text": text})

    def vocabulary(self) -> frozenset[str]:
        """Words of every indexed chunk: what a question or topic can be checked against."""
        return self.chain.vocabulary()

    # what a briefing needs besides the library (`assistant.briefing.guidance.Guidance`) --------
    def embed_query(self, text: str) -> list[float]:
        return self.embeddings.embed_query(text)

    def sentence_vectors(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors of sentences, cached across questions and notes."""
        return self.chain.scorer.vectors(sentences)

    def writer(self, spec: str | None = None) -> GuardedWriter | None:
        """The guarded writer for an LLM spec (default: the settings'); None means extractive."""
        return self.chain.writer(spec)

    def status(self) -> IndexStatus:
        return index_status(self.settings)

    # internals -----------------------------------------------------------------------------------
    def _chat_model(self, spec: str | None) -> Any:
        return _cached_chat_model(self.settings, spec or self.settings.llm)

    def _audit(self, answer: Answer) -> None:
        from assistant import audit

        audit.record(self.settings.audit_log, answer)


@lru_cache(maxsize=4)
def _cached_chat_model(settings: Settings, spec: str) -> Any:
    from assistant.answer.llm import build_chat_model

    return build_chat_model(settings, spec)


def _input(
    question: str,
    history: Sequence[Turn],
    filters: RetrievalFilter | None,
    k: int | None,
    llm: str | None,
) -> AskInput:
    return AskInput(question=question, history=tuple(history), filters=filters, k=k, llm=llm)
