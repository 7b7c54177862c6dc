"""The document catalog in the data directory: what is indexed, and whether the last ingest ended.

Written by the ingest pipeline, read by the assistant and the user interfaces. The catalog is
replaced atomically; an `ingest.incomplete` marker exists while an ingest runs, so an ingest that
was killed is visible to the next run and to `mediation docs`.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.types import DocumentSummary, IndexStatus


def _catalog_path(settings: Settings) -> Path:
    return settings.ingest_record


def _marker(settings: Settings) -> Path:
    return settings.data_dir / "ingest.incomplete"


def _read(settings: Settings) -> dict[str, Any]:
    path = _catalog_path(settings)
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _documents(data: dict[str, Any]) -> dict[str, DocumentSummary]:
    return {d["doc_id"]: DocumentSummary.model_validate(d) for d in data.get("documents", [])}


def load_catalog(settings: Settings) -> dict[str, DocumentSummary]:
    """doc_id -> summary of every indexed document ({} before the first ingest)."""
    return _documents(_read(settings))


def catalog_fingerprint(settings: Settings) -> str:
    return str(_read(settings).get("fingerprint", ""))


def save_catalog(
    settings: Settings, documents: dict[str, DocumentSummary], fingerprint: str
) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "last_ingest": datetime.now(UTC).isoformat(timespec="seconds"),
        "fingerprint": fingerprint,
        "documents": [d.model_dump() for d in sorted(documents.values(), key=lambda d: d.doc_id)],
    }
    path = _catalog_path(settings)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def mark_incomplete(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _marker(settings).write_text(datetime.now(UTC).isoformat(timespec="seconds"))


def mark_complete(settings: Settings) -> None:
    _marker(settings).unlink(missing_ok=True)


def index_status(settings: Settings) -> IndexStatus:
    data = _read(settings)
    documents = _documents(data)
    return IndexStatus(
        documents=len(documents),
        chunks=sum(d.chunks for d in documents.values()),
        last_ingest=str(data.get("last_ingest", "")),
        complete=not _marker(settings).exists(),
    )
