"""The library as the interfaces list it: indexed documents and the state of the index."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DocumentSummary(BaseModel):
    """One indexed document as `mediation docs` and the Library page show it."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    title: str
    kind: str
    date: str
    source: str
    chunks: int
    first_label: str
    last_label: str
    sha256: str = ""


class IndexStatus(BaseModel):
    """What is indexed and when, for the sidebar and `mediation docs`."""

    model_config = ConfigDict(frozen=True)

    documents: int
    chunks: int
    last_ingest: str  # ISO time, "" when never
    complete: bool  # False when the last ingest was interrupted
