"""The pipeline on the real model and real Chroma: incremental, failure-tolerant, crash-safe."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from assistant.config import Settings
from assistant.store.lexical import LexicalIndex
from ingest.pipeline import ingest
from ingest.store import ChunkStore
from tests.chroma_server import start_chroma
from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.slow
SMALL = [
    "manifest.yaml",
    "dpa-preventive-diplomacy-and-mediation.txt",
    "mediation-and-preventive-diplomacy-initiatives-2011.txt",
    "msn-joint-letter-to-unsg-2016.txt",
]


def corpus_copy(tmp_path: Path, files: list[str] | None = None) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in files or [p.name for p in CORPUS.iterdir()]:
        shutil.copy(CORPUS / name, folder / name)
    manifest = yaml.safe_load((CORPUS / "manifest.yaml").read_text())
    manifest["documents"] = [d for d in manifest["documents"] if (folder / d["file"]).exists()]
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    return folder


def state(settings: Settings) -> tuple[list[str], list[str], list[str]]:
    """(Chroma ids, record-manager keys, chunk_ids) of the index."""
    from assistant.store.embeddings import build_embeddings

    store = ChunkStore(settings, build_embeddings(settings))
    got = store.vectorstore.get(include=["metadatas"])
    return (
        sorted(got["ids"]),
        sorted(store.records.list_keys()),
        [m["chunk_id"] for m in got["metadatas"]],
    )


def test_reingest_unchanged_corpus_embeds_nothing(indexed_settings: Settings) -> None:
    report = ingest(indexed_settings)
    assert report.embedded == 0
    assert report.count("unchanged") == 5 and not report.failed


def test_changed_document_replaces_only_its_chunks_and_removed_one_goes(tmp_path: Path) -> None:
    docs = corpus_copy(tmp_path, SMALL)
    settings = Settings(data_dir=tmp_path / "data", docs_dir=docs)
    first = ingest(settings)
    assert first.count("added") == 3
    letter = docs / "msn-joint-letter-to-unsg-2016.txt"
    letter.write_text(letter.read_text().replace("steady decline", "steady and welcome decline"))
    (docs / "mediation-and-preventive-diplomacy-initiatives-2011.txt").unlink()
    manifest = yaml.safe_load((docs / "manifest.yaml").read_text())
    manifest["documents"] = [d for d in manifest["documents"] if (docs / d["file"]).exists()]
    (docs / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True))
    second = ingest(settings)
    by_doc = {f.doc_id: f for f in second.files}
    assert by_doc["cr-msn-letter-2016"].status == "updated"
    assert by_doc["cr-msn-letter-2016"].embedded == 1  # only the changed paragraph
    assert by_doc["dpa-prevention-mediation"].status == "unchanged"
    assert by_doc["un-mediation-initiatives-2011"].status == "removed"
    ids, keys, chunk_ids = state(settings)
    assert ids == keys and len(chunk_ids) == len(set(chunk_ids))
    assert not any(c.startswith("un-mediation") for c in chunk_ids)
    lexical = LexicalIndex.load(settings.lexical_dir)
    assert lexical is not None
    assert sorted(d.id for d in lexical.documents) == ids


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    docs = corpus_copy(tmp_path, SMALL)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (docs / "empty.txt").write_text("")
    (docs / "table.xlsx").write_bytes(b"x")
    (docs / "binary.txt").write_bytes(b"\x00\x01" * 500)
    (docs / "latin.txt").write_bytes(
        "Note de médiation\n\nLa médiation en Côte d'Ivoire.".encode("latin-1")
    )
    report = ingest(Settings(data_dir=tmp_path / "data", docs_dir=docs))
    failed = {Path(f.file).name: f.reason for f in report.failed}
    assert set(failed) == {"broken.pdf", "empty.txt", "table.xlsx", "binary.txt"}
    assert "PDF" in failed["broken.pdf"] and "empty" in failed["empty.txt"]
    assert report.count("added") == 4  # three seed documents + the Latin-1 note
    assert any("no manifest entry" in w for w in report.warnings)


def test_manifest_entry_with_missing_file_keeps_its_chunks(tmp_path: Path) -> None:
    docs = corpus_copy(tmp_path, SMALL)
    settings = Settings(data_dir=tmp_path / "data", docs_dir=docs)
    ingest(settings)
    (docs / "msn-joint-letter-to-unsg-2016.txt").unlink()
    report = ingest(settings)
    (failed,) = report.failed
    assert "missing" in failed.reason
    assert any(c.startswith("cr-msn-letter-2016#") for c in state(settings)[2])


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interfaces", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_exit_codes(tmp_path: Path) -> None:
    docs = corpus_copy(tmp_path, SMALL)
    env = {
        **os.environ,
        "MEDIATION_DATA_DIR": str(tmp_path / "data"),
        "MEDIATION_DOCS_DIR": str(docs),
    }
    ok = run_cli("ingest", env=env)
    assert ok.returncode == 0, ok.stderr
    assert "Ingest summary" in ok.stdout
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    partial = run_cli("ingest", env=env)
    assert partial.returncode == 1 and "broken.pdf" in partial.stdout
    (docs / "manifest.yaml").write_text("documents: [oops\n")
    bad = run_cli("ingest", env=env)
    assert bad.returncode == 2 and "malformed YAML" in bad.stderr
    listed = run_cli("docs", "--json", env=env)
    assert {d["doc_id"] for d in json.loads(listed.stdout)} >= {"dpa-prevention-mediation"}


@pytest.mark.parametrize("kill_after", ["first_record", "half"])
def test_killed_ingest_is_completed_by_the_next_run(tmp_path: Path, kill_after: str) -> None:
    docs = corpus_copy(tmp_path)
    data = tmp_path / "data"
    env = {
        **os.environ,
        "MEDIATION_DATA_DIR": str(data),
        "MEDIATION_DOCS_DIR": str(docs),
        "MEDIATION_EMBEDDING_BATCH_SIZE": "8",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "interfaces", "ingest"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    target = 1 if kill_after == "first_record" else 100
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        db = data / "records.sqlite"
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as con:
                    if con.execute("select count(*) from upsertion_record").fetchone()[0] >= target:
                        break
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    settings = Settings(data_dir=data, docs_dir=docs)
    assert (data / "ingest.incomplete").exists()
    report = ingest(settings)
    assert not report.failed
    ids, keys, chunk_ids = state(settings)
    assert ids == keys, "orphan vectors or records left behind"
    assert len(chunk_ids) == len(set(chunk_ids)) == report.chunks, "duplicate chunks"
    assert not (data / "ingest.incomplete").exists()


def test_ingest_and_query_through_a_chroma_server(tmp_path: Path) -> None:
    server, url = start_chroma(tmp_path / "server")
    try:
        docs = corpus_copy(tmp_path, SMALL)
        settings = Settings(data_dir=tmp_path / "data", docs_dir=docs, chroma_url=url)
        report = ingest(settings)
        assert report.count("added") == 3 and not report.failed
        assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally
        from assistant.service import Assistant

        passages = Assistant.open(settings).retrieve(
            "Who established the High-Level Advisory Board on Mediation?"
        )
        assert passages[0].doc_id == "dpa-prevention-mediation"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_project_root_is_importable() -> None:
    assert (ROOT / "pyproject.toml").exists()


def test_rebuild_starts_clean_and_reindexes_everything(tmp_path: Path) -> None:
    docs = corpus_copy(tmp_path, SMALL)
    settings = Settings(data_dir=tmp_path / "data", docs_dir=docs)
    first = ingest(settings)
    again = ingest(settings, rebuild=True)
    assert again.embedded == first.embedded == first.chunks
    ids, keys, chunk_ids = state(settings)
    assert ids == keys and len(chunk_ids) == len(set(chunk_ids)) == first.chunks
