"""The corpus manifest (`manifest.yaml`): stable doc_ids and metadata for each file.

A malformed manifest is a configuration error (nothing is ingested, nothing is lost). A file
without an entry is still ingested: its doc_id comes from a UN symbol at the top of the text
(`S/2009/189`, `A/66/811`) or else from the file name, and a warning suggests an entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from assistant.errors import ConfigError
from ingest.loaders import SourceLine

MANIFEST = "manifest.yaml"
_SYMBOL = re.compile(r"\b((?:S|A|E)/(?:RES/|PRST/)?\d+/\d+(?:/(?:Add|Rev)\.\d+)?)\b")


class DocumentInfo(BaseModel):
    """What the manifest (or inference) says about one document."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    doc_id: str
    file: str
    title: str
    kind: str = "document"
    issuer: str = ""
    date: str = ""
    language: str = "en"
    paragraphs: Literal["numbered", "unnumbered"] | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> str:
        return "" if value is None else str(value)

    @field_validator("doc_id", "file", "title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


def load_manifest(folder: Path) -> dict[str, DocumentInfo]:
    """Entries of `folder/manifest.yaml` keyed by file name; {} when there is no manifest."""
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        raise ConfigError(
            f"{path}: malformed YAML{where}; fix it (nothing was ingested or removed)."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise ConfigError(f"{path}: expected a top-level `documents:` list of entries.")
    entries: dict[str, DocumentInfo] = {}
    seen_ids: set[str] = set()
    for number, raw in enumerate(data["documents"], start=1):
        try:
            info = DocumentInfo.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"{path}: entry {number} is invalid ({problems}).") from exc
        if info.doc_id in seen_ids:
            raise ConfigError(
                f"{path}: doc_id {info.doc_id!r} appears twice; doc_ids must be unique."
            )
        seen_ids.add(info.doc_id)
        entries[info.file] = info
    return entries


def infer_info(path: Path, lines: Sequence[SourceLine]) -> DocumentInfo:
    """Metadata for a document without a manifest entry."""
    head = "\n".join(line.text for line in lines[:15])[:800]
    symbol = _SYMBOL.search(head)
    title = next(
        (t for line in lines if (t := line.text.strip().lstrip("#").strip()) and len(t) <= 200),
        path.stem,
    )
    return DocumentInfo(
        doc_id=symbol.group(1) if symbol else path.stem,
        file=path.name,
        title=title,
        kind="document",
    )
