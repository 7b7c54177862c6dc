"""Typed data that crosses module boundaries; import it from here (`from assistant.types import`).

`passages`: chunks, passages, citations, filters. `answers`: the `Answer` and its parts (points,
sources, boundary events). `library`: indexed documents and the index status.
"""

from assistant.types.answers import (
    Answer,
    AnswerPoint,
    BoundaryAction,
    BoundaryEvent,
    BoundaryKind,
    Layout,
    Source,
    Status,
    Turn,
)
from assistant.types.library import DocumentSummary, IndexStatus
from assistant.types.passages import (
    LABEL_SEP,
    MARKER,
    ChunkMeta,
    Citation,
    Passage,
    RetrievalFilter,
    body_text,
    cite_label,
    cite_refs,
    date_key,
    replace_markers,
)

__all__ = [
    "LABEL_SEP",
    "MARKER",
    "Answer",
    "AnswerPoint",
    "BoundaryAction",
    "BoundaryEvent",
    "BoundaryKind",
    "ChunkMeta",
    "Citation",
    "DocumentSummary",
    "IndexStatus",
    "Layout",
    "Passage",
    "RetrievalFilter",
    "Source",
    "Status",
    "Turn",
    "body_text",
    "cite_label",
    "cite_refs",
    "date_key",
    "replace_markers",
]
