"""The manifest: stable doc_ids, clear errors for malformed entries, inference without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from ingest.loaders import SourceLine
from ingest.manifest import infer_info, load_manifest
from tests.conftest import CORPUS


def test_seed_manifest_keeps_doc_ids() -> None:
    ids = {info.doc_id for info in load_manifest(CORPUS).values()}
    assert ids == {
        "S/2009/189",
        "S/2011/552",
        "cr-msn-letter-2016",
        "un-mediation-initiatives-2011",
        "dpa-prevention-mediation",
    }


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "manifest.yaml").write_text("documents:\n  - doc_id: X\n    file: [unclosed\n")
    with pytest.raises(ConfigError, match=r"malformed YAML at line \d+"):
        load_manifest(tmp_path)


def test_entry_without_required_field_is_reported(tmp_path: Path) -> None:
    (tmp_path / "manifest.yaml").write_text("documents:\n  - doc_id: X\n    title: T\n")
    with pytest.raises(ConfigError, match=r"entry 1 is invalid.*file"):
        load_manifest(tmp_path)


def test_duplicate_doc_id_is_reported(tmp_path: Path) -> None:
    entry = "  - doc_id: X\n    title: T\n    file: {f}\n"
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n" + entry.format(f="a.txt") + entry.format(f="b.txt")
    )
    with pytest.raises(ConfigError, match="appears twice"):
        load_manifest(tmp_path)


def test_doc_id_inferred_from_un_symbol_at_the_top() -> None:
    lines = [SourceLine("United Nations A/66/811"), SourceLine(""), SourceLine("Strengthening")]
    info = infer_info(Path("x.txt"), lines)
    assert info.doc_id == "A/66/811"
    assert info.title == "United Nations A/66/811"


def test_doc_id_falls_back_to_file_stem() -> None:
    info = infer_info(Path("field-notes.md"), [SourceLine("# Field notes"), SourceLine("Text.")])
    assert (info.doc_id, info.title) == ("field-notes", "Field notes")
