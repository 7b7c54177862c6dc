"""What a briefing needs from the assistant, and nothing more: the narrow interface it builds on.

`assistant.service.Assistant` satisfies it; the briefing never sees the answer chain, the stores
or the chat models themselves. Writing goes through `GuardedWriter`, the one guarded-generation
path answers use too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from assistant.answer.guarded import GuardedWriter
from assistant.config import Settings
from assistant.guard.engine import BoundaryGuard
from assistant.types import DocumentSummary, Passage, RetrievalFilter


class Guidance(Protocol):
    """Search, the library, sentence vectors, the boundary guard and the guarded writer."""

    @property
    def settings(self) -> Settings: ...

    @property
    def guard(self) -> BoundaryGuard: ...

    def retrieve(
        self, query: str, filters: RetrievalFilter | None = None, k: int | None = None
    ) -> list[Passage]:
        """Ranked passages for a query, best first."""
        ...

    def paragraph(self, doc_id: str, label: str) -> Passage | None:
        """One paragraph, its pieces joined."""
        ...

    def document_passages(self, doc_id: str) -> list[Passage]:
        """Every chunk of a document, in reading order."""
        ...

    def documents(self) -> list[DocumentSummary]: ...

    def vocabulary(self) -> frozenset[str]:
        """Words of every indexed chunk."""
        ...

    def embed_query(self, text: str) -> list[float]: ...

    def sentence_vectors(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit vectors of the sentences (cached)."""
        ...

    def writer(self, spec: str | None = None) -> GuardedWriter | None:
        """The guarded writer for an LLM spec; None in extractive mode."""
        ...
