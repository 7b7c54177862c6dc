"""Audit log of boundary events: one JSON line per event in `settings.audit_log`.

Reviewers read it to see which red lines were raised, refused or corrected, for which question
and by which backend. Appends are safe across threads and processes: the file is opened in
append mode, all lines of a call go out in one `os.write` under an exclusive `flock` (where the
platform has one), and a line left unfinished by a crashed writer is closed off before the next
record so that it cannot swallow it. Reading skips such a damaged line instead of failing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.errors import AssistantError
from assistant.types import Answer, BoundaryAction, BoundaryEvent

try:  # POSIX; elsewhere O_APPEND alone keeps single writes whole in practice
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # the module is optional; checked before use


class AuditRecord(BaseModel):
    """One boundary event as logged."""

    model_config = ConfigDict(frozen=True)

    time: datetime  # UTC
    rule_id: str
    action: BoundaryAction
    question: str
    mode: str  # "extractive" | "llm:<model>"


def append_events(
    path: Path,
    events: Iterable[BoundaryEvent],
    question: str,
    mode: str,
    now: datetime | None = None,
) -> int:
    """Append one line per event; returns how many were written."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    records = [
        AuditRecord(time=stamp, rule_id=e.rule_id, action=e.action, question=question, mode=mode)
        for e in events
    ]
    if not records:
        return 0
    data = "".join(
        json.dumps(
            {**r.model_dump(mode="json"), "time": _iso(r.time)},
            ensure_ascii=False,
        )
        + "\n"
        for r in records
    ).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise AuditError(path, exc) from exc
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        if _ends_mid_line(fd):
            data = b"\n" + data
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise AuditError(path, exc) from exc
    finally:
        os.close(fd)  # closing releases the lock
    return len(records)


def record(path: Path, answer: Answer) -> int:
    """Log the boundary events of an answer (the `on_events` hook of the answer chain)."""
    return append_events(path, answer.boundaries, answer.question, answer.mode)


def read_audit(path: Path, since: date | None = None) -> list[AuditRecord]:
    """Records in file order, those on or after `since` (a UTC date) if given.

    A missing file is an empty log. Lines that are not a complete record (the last line of a
    writer that crashed) are skipped.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AuditError(path, exc) from exc
    records: list[AuditRecord] = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = AuditRecord.model_validate_json(line)
        except ValidationError:
            continue
        if since is None or record.time.astimezone(UTC).date() >= since:
            records.append(record)
    return records


class AuditError(AssistantError):
    """The audit log could not be written or read."""

    def __init__(self, path: Path, exc: OSError) -> None:
        super().__init__(
            f"Cannot use the audit log {str(path)!r} ({exc.strerror or exc}); check that the "
            "data directory (MEDIATION_DATA_DIR) exists and is writable."
        )


def _iso(moment: datetime) -> str:
    """'2025-05-01T12:00:00.123Z': ISO 8601 in UTC, millisecond precision."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ends_mid_line(fd: int) -> bool:
    """Does the file end without a newline (a record cut short by a crash)?"""
    if os.fstat(fd).st_size == 0:
        return False
    os.lseek(fd, -1, os.SEEK_END)  # O_APPEND still writes at the end whatever the position
    return os.read(fd, 1) != b"\n"
