"""Uploading documents from the Library page: check, save to `<data_dir>/uploads`, ingest, report.

The uploads folder is part of the default ingest, so an uploaded document survives a full
`mediation ingest`; a file that fails to ingest is deleted again so it cannot break later runs.
One upload is indexed at a time per server process (the store and the lexical index are shared).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from assistant.config import Settings
from ingest.loaders import SUPPORTED

_LOCK = threading.Lock()
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class UploadResult:
    """What happened to one uploaded file, as the page shows it."""

    name: str
    ok: bool
    message: str
    doc_id: str = ""
    warnings: tuple[str, ...] = ()


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def limit_text(settings: Settings) -> str:
    kinds = ", ".join(sorted({s.lstrip(".").upper() for s in SUPPORTED} - {"HTM"}))
    return f"{kinds}; up to {settings.max_upload_mb:g} MB each"


def check(settings: Settings, name: str, size: int) -> str | None:
    """Why this file cannot be uploaded, or None when it may be."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        return (
            f"{name}: {suffix or 'no extension'} files are not supported; upload "
            f"{limit_text(settings)}."
        )
    if size > settings.max_upload_mb * 1024 * 1024:
        return (
            f"{name} is {size / 1024 / 1024:.1f} MB, over the {settings.max_upload_mb:g} MB limit; "
            "split it or ask an administrator to ingest it with `mediation ingest`."
        )
    if size == 0:
        return f"{name} is empty; nothing to index."
    return None


def safe_name(name: str) -> str:
    """The file name without folders or odd characters (it becomes the default doc_id)."""
    stem, suffix = Path(Path(name).name).stem, Path(name).suffix.lower()
    stem = _UNSAFE.sub("-", stem).strip(" .-") or "document"
    return f"{stem[:100]}{suffix}"


class BarProgress:
    """The ingest pipeline's progress calls drawn as one Streamlit progress bar."""

    def __init__(self) -> None:
        self._bar = st.progress(0.0, text="Reading the document…")
        self._chunks = 0
        self._embedded = 0

    def start(self, documents: int) -> None:
        self._bar.progress(0.05, text="Reading the document…")

    def document(self, name: str) -> None:
        self._bar.progress(0.1, text=f"Reading {name[:60]}…")

    def chunks(self, count: int) -> None:
        self._chunks += count
        self._bar.progress(1.0, text=f"Indexed {self._chunks} passages.")

    def embedded(self, count: int) -> None:
        self._embedded += count
        done = 0.1 + 0.85 * min(1.0, self._embedded / max(self._chunks or self._embedded, 1))
        self._bar.progress(done, text=f"Embedding passages ({self._embedded})…")

    def done(self) -> None:
        self._bar.empty()


def _discard(path: Path, previous: bytes | None) -> None:
    """Remove a failed upload, or put back the file it replaced."""
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        path.write_bytes(previous)


def _doc_id_clash(settings: Settings, path: Path) -> str | None:
    """Refuse a file whose doc_id belongs to another document (it would replace its passages)."""
    from assistant.errors import DocumentError
    from assistant.store.catalog import load_catalog
    from ingest.loaders import load
    from ingest.manifest import infer_info

    try:
        doc_id = infer_info(path, load(path)).doc_id
    except DocumentError as exc:
        return f"{path.name} could not be added: {exc.reason}."
    known = load_catalog(settings).get(doc_id)
    if known is None or Path(known.source).resolve() == path.resolve():
        return None
    return (
        f"{path.name} would be cited as {doc_id}, which is already in the library "
        f"({Path(known.source).name}); rename the file or ask an administrator to add it "
        "to the corpus manifest."
    )


def ingest_upload(settings: Settings, name: str, data: bytes) -> UploadResult:
    """Save one uploaded file and ingest it (progress drawn on the page)."""
    from ingest.pipeline import ingest

    problem = check(settings, name, len(data))
    if problem:
        return UploadResult(name, False, problem)
    if not _LOCK.acquire(timeout=1):
        return UploadResult(name, False, "Another upload is being indexed; try again in a minute.")
    try:
        folder = uploads_dir(settings)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe_name(name)
        previous = path.read_bytes() if path.is_file() else None
        path.write_bytes(data)
        clash = _doc_id_clash(settings, path)
        if clash:
            _discard(path, previous)
            return UploadResult(name, False, clash)
        progress = BarProgress()
        try:
            report = ingest(settings, [path], progress=progress)
        finally:
            progress.done()
    finally:
        _LOCK.release()
    mine = [f for f in report.files if Path(f.file).name == path.name]
    failed = [f for f in mine if f.status == "failed"]
    if failed or not mine:
        _discard(path, previous)
        reason = failed[0].reason if failed else "the file was not indexed"
        return UploadResult(name, False, f"{name} could not be added: {reason}.")
    result = mine[0]
    warnings = tuple(w for w in report.warnings if path.name in w)
    verb = {"unchanged": "is already in the library", "updated": "was updated"}.get(
        result.status, "was added"
    )
    return UploadResult(
        name,
        True,
        f"{name} {verb} as {result.doc_id} ({result.chunks} passages); it is now searchable.",
        doc_id=result.doc_id,
        warnings=warnings,
    )
