"""Feedback on answers (thumbs and an optional comment), kept in SQLite and exported for review.

One row per answer, keyed by the answer's id in the web session: changing the rating or adding a
comment later updates the row instead of adding a second one. The store opens a connection per
call, so the Streamlit server's threads can share it.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel, ConfigDict

from assistant.types import Answer

Rating = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    answer_id  TEXT PRIMARY KEY,
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    rating     TEXT,
    comment    TEXT NOT NULL DEFAULT '',
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    status     TEXT NOT NULL,
    mode       TEXT NOT NULL,
    citations  TEXT NOT NULL DEFAULT '[]'
)
"""
_COLUMNS = (
    "answer_id",
    "created",
    "updated",
    "rating",
    "comment",
    "question",
    "answer",
    "status",
    "mode",
    "citations",
)


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


class FeedbackRecord(BaseModel):
    """What a reviewer needs to judge one answer: the exchange, its sources and the verdict."""

    model_config = ConfigDict(frozen=True)

    answer_id: str
    rating: Rating | None = None
    comment: str = ""
    question: str
    answer: str
    status: str
    mode: str
    citations: tuple[dict[str, Any], ...] = ()
    created: str = ""
    updated: str = ""

    @classmethod
    def from_answer(
        cls, answer_id: str, answer: Answer, rating: Rating | None, comment: str = ""
    ) -> FeedbackRecord:
        return cls(
            answer_id=answer_id,
            rating=rating,
            comment=comment.strip(),
            question=answer.question,
            answer=answer.answer,
            status=answer.status,
            mode=answer.mode,
            citations=tuple(c.to_json() for c in answer.citations),
        )


class FeedbackStore:
    """The feedback table in `settings.feedback_db` (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(_SCHEMA)
        return conn

    def save(self, record: FeedbackRecord) -> None:
        """Insert the record, or update rating and comment when the answer was rated before."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        row = record.model_dump()
        row.update(created=now, updated=now, citations=json.dumps(row["citations"]))
        with closing(self._connect()) as conn, conn:
            conn.execute(
                f"INSERT INTO feedback ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _COLUMNS)}) "
                "ON CONFLICT(answer_id) DO UPDATE SET rating = excluded.rating, "
                "comment = excluded.comment, updated = excluded.updated",
                [row[c] for c in _COLUMNS],
            )

    def get(self, answer_id: str) -> FeedbackRecord | None:
        found = self._select("WHERE answer_id = ?", (answer_id,))
        return found[0] if found else None

    def all(self) -> list[FeedbackRecord]:
        """Every record, oldest first ([] when nobody gave feedback yet)."""
        if not self.path.is_file():
            return []
        return self._select("ORDER BY created, answer_id", ())

    def _select(self, clause: str, params: tuple[Any, ...]) -> list[FeedbackRecord]:
        with closing(self._connect()) as conn:
            rows = conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM feedback {clause}", params)
            return [_record(dict(zip(_COLUMNS, row, strict=True))) for row in rows]


def _record(row: dict[str, Any]) -> FeedbackRecord:
    row["citations"] = tuple(json.loads(row["citations"] or "[]"))
    return FeedbackRecord.model_validate(row)


def export(records: Iterable[FeedbackRecord], fmt: ExportFormat, out: TextIO) -> int:
    """Write the records as CSV (citations as `S/2009/189 para. 36` labels) or JSON lines."""
    count = 0
    if fmt is ExportFormat.jsonl:
        for record in records:
            out.write(record.model_dump_json() + "\n")
            count += 1
        return count
    writer = csv.writer(out)
    writer.writerow(_COLUMNS)
    for record in records:
        row = record.model_dump()
        row["rating"] = record.rating or ""
        row["citations"] = "; ".join(_citation_label(c) for c in record.citations)
        writer.writerow([row[c] for c in _COLUMNS])
        count += 1
    return count


def _citation_label(citation: dict[str, Any]) -> str:
    paragraphs = ", ".join(citation.get("paragraphs", []))
    return f"[{citation.get('marker')}] {citation.get('doc_id')} {paragraphs}".strip()
