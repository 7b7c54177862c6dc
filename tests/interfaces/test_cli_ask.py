"""`mediation ask` and `mediation docs` through the real command line (JSON contract, batch)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings

pytestmark = pytest.mark.slow


def mediation(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MEDIATION_DATA_DIR": str(settings.data_dir),
        "MEDIATION_DOCS_DIR": str(settings.docs_dir),
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "interfaces", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_ask_json_cites_paragraph_36_for_amnesty(indexed_settings: Settings) -> None:
    done = mediation(indexed_settings, "ask", "Can a peace deal amnesty war crimes?", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["status"] in {"answered", "partial", "refused"}
    assert any(c["doc_id"] == "S/2009/189" and c["paragraphs"] == ["36"] for c in data["citations"])
    assert any(b["rule_id"] == "amnesty-serious-crimes" for b in data["boundaries"])


def test_ask_renders_readable_citations(indexed_settings: Settings) -> None:
    done = mediation(
        indexed_settings,
        "ask",
        "What should mediators do about spoilers?",
        "--doc",
        "S/2009/189",
        "--k",
        "3",
    )
    assert done.returncode == 0, done.stderr
    assert "S/2009/189, para." in done.stdout


def test_ask_batch_one_json_line_per_question(indexed_settings: Settings, tmp_path: Path) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text(
        "What is preventive diplomacy?\n\n" + "x" * 5000 + "\nRecipe for lentil soup?\n"
    )
    done = mediation(indexed_settings, "ask", "--batch", str(batch), "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["status"] == "answered"
    assert "limit" in lines[1]["error"]
    assert lines[2]["status"] == "no_evidence"


def test_empty_question_is_a_clear_error(indexed_settings: Settings) -> None:
    done = mediation(indexed_settings, "ask", "  ")
    assert done.returncode == 2 and "empty" in done.stderr
    assert "Traceback" not in done.stderr


def test_ask_without_an_index_says_what_to_do(tmp_path: Path) -> None:
    done = mediation(Settings(data_dir=tmp_path / "nothing"), "ask", "Anything?")
    assert done.returncode == 2 and "mediation ingest" in done.stderr


def test_docs_lists_the_corpus(indexed_settings: Settings) -> None:
    done = mediation(indexed_settings, "docs", "--json")
    docs = {d["doc_id"]: d for d in json.loads(done.stdout)}
    assert docs["S/2009/189"]["first_label"] == "1"
    assert docs["S/2009/189"]["last_label"] == "annex 5"
