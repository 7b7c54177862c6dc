"""Ingest results and corpus bookkeeping: per-file outcomes, the catalog entries, staleness."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from langchain_core.documents import Document
from pydantic import BaseModel, Field

from assistant.config import Settings
from assistant.store import catalog
from assistant.types import ChunkMeta, DocumentSummary
from ingest.loaders import SUPPORTED
from ingest.manifest import MANIFEST, DocumentInfo

FileStatus = Literal["added", "updated", "unchanged", "removed", "failed"]

# Bump when cleaning, structure or chunking changes what a file turns into: the run command then
# re-ingests (the indexing API re-embeds only the chunks whose text or metadata changed).
PIPELINE_VERSION = "3"


class FileResult(BaseModel):
    """What happened to one file."""

    file: str
    status: FileStatus
    doc_id: str = ""
    chunks: int = 0
    embedded: int = 0
    reason: str = ""


class IngestReport(BaseModel):
    """Everything `mediation ingest` prints in its summary table."""

    files: list[FileResult] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    def add(self, result: FileResult) -> None:
        self.files.append(result)

    def count(self, status: FileStatus) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files if f.status != "removed")

    @property
    def embedded(self) -> int:
        return sum(f.embedded for f in self.files)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def summary_from_chunks(
    info: DocumentInfo, path: Path, docs: Sequence[Document]
) -> DocumentSummary:
    labels = [ChunkMeta.from_metadata(d.metadata).paragraphs[0] for d in docs]
    return DocumentSummary(
        doc_id=info.doc_id,
        title=info.title,
        kind=info.kind,
        date=info.date,
        source=str(path.resolve()),
        chunks=len(docs),
        first_label=labels[0] if labels else "",
        last_label=labels[-1] if labels else "",
        sha256=sha256_file(path),
    )


def missing_manifest_files(
    manifests: dict[Path, dict[str, DocumentInfo]],
) -> list[tuple[Path, DocumentInfo]]:
    """Manifest entries whose file is not in their folder."""
    return [
        (folder, entry)
        for folder, entries in manifests.items()
        for entry in entries.values()
        if not (folder / entry.file).is_file()
    ]


def fingerprint(folders: Sequence[Path]) -> str:
    """A hash over every ingestable file (name + content) and manifest in the folders."""
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    for folder in sorted(folders):
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            if file.is_file() and (file.suffix.lower() in SUPPORTED or file.name == MANIFEST):
                digest.update(file.name.encode())
                digest.update(sha256_file(file).encode())
    return digest.hexdigest()


def save_documents(
    settings: Settings, documents: dict[str, DocumentSummary], folders: Sequence[Path]
) -> None:
    catalog.save_catalog(settings, documents, fingerprint(folders))


def load_documents(settings: Settings) -> dict[str, DocumentSummary]:
    return catalog.load_catalog(settings)


def stale_reason(settings: Settings, folders: Sequence[Path]) -> str | None:
    """Why the index needs an ingest ('no index yet', ...), or None when it is up to date."""
    status = catalog.index_status(settings)
    if status.documents == 0:
        return "no index yet"
    if not status.complete:
        return "the last ingest did not finish"
    if catalog.catalog_fingerprint(settings) != fingerprint(folders):
        return "the documents changed since the last ingest"
    return None
