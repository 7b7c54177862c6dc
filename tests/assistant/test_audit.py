"""The boundary audit log: append, read back, filter by date, survive damage and concurrency."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, date, datetime
from pathlib import Path

from assistant import audit
from assistant.audit import AuditRecord, append_events, read_audit
from assistant.types import Answer, BoundaryEvent

REFUSED = BoundaryEvent(
    rule_id="amnesty-serious-crimes",
    action="refused",
    statement="UN-endorsed peace agreements can never promise amnesty for war crimes.",
    sources=("S/2009/189#36",),
)
NOTICE = BoundaryEvent(
    rule_id="icc-justice", action="notice", statement="The Court is independent.", sources=()
)


def test_append_then_read_returns_typed_records(tmp_path: Path) -> None:
    log = tmp_path / "data" / "audit.jsonl"  # the directory does not exist yet
    moment = datetime(2025, 5, 1, 12, 30, tzinfo=UTC)
    written = append_events(log, [REFUSED, NOTICE], "Draft an amnesty", "extractive", now=moment)
    assert written == 2
    records = read_audit(log)
    assert records == [
        AuditRecord(
            time=moment,
            rule_id="amnesty-serious-crimes",
            action="refused",
            question="Draft an amnesty",
            mode="extractive",
        ),
        AuditRecord(
            time=moment,
            rule_id="icc-justice",
            action="notice",
            question="Draft an amnesty",
            mode="extractive",
        ),
    ]


def test_each_event_is_one_json_line_with_an_iso_utc_time(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_events(log, [REFUSED], "Frage über Amnestie — ¿sí?", "llm:smollm2")
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert set(row) == {"time", "rule_id", "action", "question", "mode"}
    assert row["time"].endswith("Z")
    assert datetime.fromisoformat(row["time"]).tzinfo is not None
    assert row["question"] == "Frage über Amnestie — ¿sí?"


def test_no_events_writes_nothing(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    assert append_events(log, [], "q", "extractive") == 0
    assert not log.exists()
    assert read_audit(log) == []


def test_since_keeps_records_from_that_utc_day_on(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    for day in (1, 2, 3):
        append_events(
            log, [NOTICE], f"day {day}", "extractive", datetime(2025, 5, day, 23, 59, tzinfo=UTC)
        )
    assert [r.question for r in read_audit(log, since=date(2025, 5, 2))] == ["day 2", "day 3"]
    assert read_audit(log, since=date(2025, 6, 1)) == []


def test_truncated_last_line_is_skipped_and_does_not_swallow_the_next(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    append_events(log, [REFUSED], "first", "extractive")
    with log.open("ab") as handle:  # a writer that died mid-line
        handle.write(b'{"time": "2025-05-01T12:00:00Z", "rule_id": "incl')
    assert [r.question for r in read_audit(log)] == ["first"]
    append_events(log, [NOTICE], "after the crash", "extractive")
    assert [r.question for r in read_audit(log)] == ["first", "after the crash"]


def test_record_logs_the_answers_boundaries(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    answer = Answer(
        question="Draft an amnesty clause",
        status="refused",
        answer="...",
        boundaries=(REFUSED,),
        mode="llm:smollm2",
    )
    assert audit.record(log, answer) == 1
    (record,) = read_audit(log)
    assert (record.rule_id, record.action, record.mode) == (
        "amnesty-serious-crimes",
        "refused",
        "llm:smollm2",
    )


def _writer(path: str, worker: int) -> None:
    for i in range(50):
        append_events(Path(path), [REFUSED, NOTICE], f"w{worker}-{i}", "extractive")


def test_concurrent_appends_from_processes_keep_every_line_whole(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    workers = [
        multiprocessing.get_context("spawn").Process(target=_writer, args=(str(log), n))
        for n in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 * 50 * 2
    assert all(json.loads(line)["rule_id"] for line in lines)
    assert len(read_audit(log)) == 400


def test_unreadable_audit_log_is_one_error_line_from_the_cli(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    (tmp_path / "audit.jsonl").mkdir()  # a directory where the log should be: reading fails
    done = subprocess.run(
        [sys.executable, "-m", "interfaces", "audit"],
        capture_output=True,
        text=True,
        env={**os.environ, "MEDIATION_DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1"},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Cannot use the audit log" in done.stderr and "MEDIATION_DATA_DIR" in done.stderr
    assert "Traceback" not in done.stderr
