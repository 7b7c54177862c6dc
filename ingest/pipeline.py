"""The ingest orchestrator: folders -> chunks -> Chroma + BM25, incremental and crash-safe.

Bookkeeping is LangChain's indexing API with a SQL record manager: an unchanged corpus embeds
nothing, a changed document replaces only its own chunks (incremental cleanup keyed by doc_id),
and a document gone from its folder is deleted from both indexes. A run killed at any point is
completed by the next one: chunk ids are content hashes (re-adding is an upsert), vectors the
record manager does not know are deleted as orphans, and the lexical index and the document
records are rebuilt from Chroma and written atomically at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from langchain_core.documents import Document

from assistant.config import Settings
from assistant.errors import ConfigError, DocumentError
from assistant.store import catalog
from assistant.store.embeddings import build_embeddings, build_token_counter
from assistant.store.lexical import LexicalIndex
from assistant.types import DocumentSummary
from ingest import records
from ingest.chunking import chunk_document
from ingest.loaders import SUPPORTED, load
from ingest.manifest import MANIFEST, DocumentInfo, infer_info, load_manifest
from ingest.progress import NullProgress, Progress
from ingest.records import FileResult, FileStatus, IngestReport
from ingest.store import ChunkStore
from ingest.structure import build_paragraphs, looks_numbered

_SKIP = {MANIFEST, "boundaries.yaml"}


def parse_file(
    path: Path,
    info: DocumentInfo | None,
    max_tokens: int = 250,
    count: Callable[[str], int] | None = None,
) -> tuple[DocumentInfo, list[Document], list[str]]:
    """Load, clean, structure and chunk one file (no index involved); returns warnings too."""
    lines = load(path)
    warnings: list[str] = []
    if info is None:
        info = infer_info(path, lines)
        warnings.append(
            f"{path.name}: no manifest entry; using doc_id {info.doc_id!r} and title "
            f"{info.title[:60]!r}. Add an entry to {MANIFEST} to fix the citation name."
        )
    numbered = (
        info.paragraphs == "numbered" if info.paragraphs is not None else looks_numbered(lines)
    )
    paragraphs = build_paragraphs(lines, numbered)
    if not paragraphs:
        raise DocumentError(path, "no paragraphs found after cleaning; is this the right file?")
    count = count or build_token_counter(Settings().embedding_model)
    return info, chunk_document(info, paragraphs, max_tokens, count), warnings


def discover(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(folder, file) pairs to ingest: every supported file in the given folders or files."""
    found: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.iterdir()):
                if file.is_file() and file.name not in _SKIP and not file.name.startswith("."):
                    found.append((path, file))
        elif path.exists():
            found.append((path.parent, path))
        else:
            raise ConfigError(f"{path} does not exist; give a folder or a document file.")
    return found


def ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the indexes in line with the given folders/files (default: the corpus folder)."""
    started = time.perf_counter()
    progress = progress or NullProgress()
    folders = list(paths) if paths else default_paths(settings)
    files = discover(folders)
    manifests = {
        folder: load_manifest(folder)
        for folder in {f for f, _ in files} | set(folders)
        if folder.is_dir()
    }
    embeddings = build_embeddings(settings)
    store = ChunkStore(settings, embeddings, on_embedded=progress.embedded)
    if rebuild:
        store.reset()
    catalog.mark_incomplete(settings)
    previous = records.load_documents(settings)
    report = IngestReport()
    count = build_token_counter(settings.embedding_model)
    progress.start(len(files))
    seen_ids: dict[str, Path] = {}
    current: dict[str, DocumentSummary] = {}
    for folder, file in files:
        progress.document(file.name)
        if file.suffix.lower() not in SUPPORTED:
            report.add(
                FileResult(
                    file=str(file),
                    status="failed",
                    reason=(
                        f"unsupported file type {file.suffix or '(none)'!r}; "
                        f"use one of {', '.join(SUPPORTED)}"
                    ),
                )
            )
            continue
        try:
            info, docs, warnings = parse_file(
                file, manifests.get(folder, {}).get(file.name), settings.max_chunk_tokens, count
            )
        except DocumentError as exc:
            report.add(FileResult(file=str(file), status="failed", reason=exc.reason))
            continue
        report.warnings.extend(warnings)
        if info.doc_id in seen_ids:
            report.add(
                FileResult(
                    file=str(file),
                    status="failed",
                    doc_id=info.doc_id,
                    reason=(
                        f"doc_id {info.doc_id!r} is already used by {seen_ids[info.doc_id].name}; "
                        "give one of them another doc_id in the manifest"
                    ),
                )
            )
            continue
        seen_ids[info.doc_id] = file
        result = store.index_document(info.doc_id, docs)
        progress.chunks(len(docs))
        status: FileStatus = (
            "added"
            if info.doc_id not in previous
            else ("updated" if result["num_added"] or result["num_deleted"] else "unchanged")
        )
        report.add(
            FileResult(
                file=str(file),
                status=status,
                doc_id=info.doc_id,
                chunks=len(docs),
                embedded=result["num_added"],
            )
        )
        current[info.doc_id] = records.summary_from_chunks(info, file, docs)
    missing = records.missing_manifest_files(manifests)
    for folder, entry in missing:
        report.add(
            FileResult(
                file=str(folder / entry.file),
                status="failed",
                doc_id=entry.doc_id,
                reason=f"listed in {MANIFEST} but the file is missing; its chunks are kept",
            )
        )
    scanned = {str(folder.resolve()) for folder in folders if folder.is_dir()}
    kept_ids = {entry.doc_id for _, entry in missing}
    failed_files = {r.file for r in report.files if r.status == "failed"}
    for doc_id, record in previous.items():
        if doc_id in current or doc_id in kept_ids:
            continue
        gone = (
            str(Path(record.source).resolve().parent) in scanned
            and not Path(record.source).exists()
        )
        if gone and record.source not in failed_files:
            store.delete_document(doc_id)
            report.add(FileResult(file=record.source, status="removed", doc_id=doc_id))
        else:
            current[doc_id] = record
    store.delete_orphans()
    LexicalIndex.build(store.all_documents()).save(settings.lexical_dir)
    # The fingerprint always covers the default folders, whatever this run was given, so an
    # upload does not make the next `--if-stale` redo the corpus.
    records.save_documents(settings, current, default_paths(settings))
    catalog.mark_complete(settings)
    report.seconds = time.perf_counter() - started
    return report


def default_paths(settings: Settings) -> list[Path]:
    """The corpus folder, plus the uploads folder of the web app when it exists."""
    uploads = settings.data_dir / "uploads"
    return [settings.docs_dir] + ([uploads] if uploads.is_dir() else [])
