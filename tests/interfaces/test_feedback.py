"""The feedback store (SQLite) and `mediation feedback export --format csv|jsonl`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.feedback import ExportFormat, FeedbackRecord, FeedbackStore, export
from assistant.types import Answer, Citation
from interfaces.cli.main import app

ANSWER = Answer(
    question="Can a peace agreement grant amnesty for war crimes?",
    status="answered",
    answer="UN-endorsed agreements can never promise amnesty for war crimes [1].",
    citations=(
        Citation(
            marker=1,
            doc_id="S/2009/189",
            paragraphs=("36",),
            section="III > H",
            quote="can never promise amnesties",
            supported=True,
        ),
    ),
    mode="extractive",
)


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "data" / "feedback.sqlite")


def test_store_keeps_question_answer_citations_mode_and_rating(store: FeedbackStore) -> None:
    store.save(FeedbackRecord.from_answer("a1", ANSWER, "up", "  clear  "))
    saved = store.get("a1")
    assert saved is not None
    assert (saved.rating, saved.comment, saved.mode, saved.status) == (
        "up",
        "clear",
        "extractive",
        "answered",
    )
    assert saved.question == ANSWER.question and saved.answer == ANSWER.answer
    assert saved.citations == (
        {
            "marker": 1,
            "doc_id": "S/2009/189",
            "paragraphs": ["36"],
            "section": "III > H",
            "quote": "can never promise amnesties",
            "supported": True,
        },
    )
    assert saved.created and saved.updated


def test_rating_again_updates_the_same_answer_instead_of_adding_one(
    store: FeedbackStore,
) -> None:
    store.save(FeedbackRecord.from_answer("a1", ANSWER, "up"))
    store.save(FeedbackRecord.from_answer("a1", ANSWER, "down", "wrong paragraph"))
    store.save(FeedbackRecord.from_answer("a2", ANSWER, None, "no rating, just a comment"))
    records = store.all()
    assert [(r.answer_id, r.rating, r.comment) for r in records] == [
        ("a1", "down", "wrong paragraph"),
        ("a2", None, "no rating, just a comment"),
    ]


def test_empty_store_has_no_records_and_creates_no_file(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "none.sqlite")
    assert store.all() == []
    assert not store.path.exists()


def test_export_csv_has_a_header_and_readable_citations(store: FeedbackStore) -> None:
    store.save(FeedbackRecord.from_answer("a1", ANSWER, "up", 'says "yes", then, no'))
    out = io.StringIO()
    assert export(store.all(), ExportFormat.csv, out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["rating"] == "up" and rows[0]["comment"] == 'says "yes", then, no'
    assert rows[0]["citations"] == "[1] S/2009/189 36"


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("MEDIATION_DATA_DIR", str(tmp_path / "data"))
    return CliRunner().invoke(app, ["feedback", "export", *args])


def test_cli_exports_jsonl_to_stdout(
    store: FeedbackStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(FeedbackRecord.from_answer("a1", ANSWER, "down", "missing para 37"))
    result = _cli(tmp_path, monkeypatch, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["rating"] == "down" and lines[0]["citations"][0]["doc_id"] == "S/2009/189"
    assert lines[0]["mode"] == "extractive"


def test_cli_exports_csv_to_a_file(
    store: FeedbackStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(FeedbackRecord.from_answer("a1", ANSWER, "up"))
    target = tmp_path / "feedback.csv"
    result = _cli(tmp_path, monkeypatch, "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(r["answer_id"], r["rating"]) for r in rows] == [("a1", "up")]


def test_cli_says_when_there_is_no_feedback_and_refuses_unknown_formats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = _cli(tmp_path, monkeypatch)
    assert empty.exit_code == 0 and "No feedback yet" in empty.output
    wrong = _cli(tmp_path, monkeypatch, "--format", "xml")
    assert wrong.exit_code != 0
