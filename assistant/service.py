"""The assistant as the user interfaces see it: models and indexes loaded once, then ask.

STUB: signatures are the contract for ui/ and evals/; bodies land with the cited-answers issue.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from assistant.config import Settings
from assistant.types import (
    Answer,
    DocumentSummary,
    IndexStatus,
    Passage,
    RetrievalFilter,
    Turn,
)


class Assistant:
    """Facade over retrieval, answering and the boundary guard. Thread-safe for reads."""

    @classmethod
    def open(cls, settings: Settings) -> "Assistant":
        """Load the embedding model, the Chroma store and the lexical index (raises IndexMissing)."""
        raise NotImplementedError

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: RetrievalFilter | None = None,
        k: int | None = None,
        llm: str | None = None,
    ) -> Answer:
        """A cited answer, `no_evidence` or a refusal; never raises for a bad question."""
        raise NotImplementedError

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: RetrievalFilter | None = None,
        k: int | None = None,
        llm: str | None = None,
    ) -> Iterator[str | Answer]:
        """Text deltas as they are produced, then the final checked `Answer` as the last item."""
        raise NotImplementedError

    def retrieve(
        self, query: str, filters: RetrievalFilter | None = None, k: int | None = None
    ) -> list[Passage]:
        """Ranked passages for a query (hybrid retrieval), best first."""
        raise NotImplementedError

    def documents(self) -> list[DocumentSummary]:
        raise NotImplementedError

    def document_passages(self, doc_id: str) -> list[Passage]:
        """Every chunk of a document in reading order (for the document view)."""
        raise NotImplementedError

    def paragraph(self, doc_id: str, label: str) -> Passage | None:
        """The chunk(s) of one paragraph joined, for opening a citation."""
        raise NotImplementedError

    def status(self) -> IndexStatus:
        raise NotImplementedError
