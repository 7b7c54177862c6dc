"""House rules that are cheap to check: layering, documented settings, the README's commands."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from assistant.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_assistant_imports_none_of_ingest_ui_evals() -> None:
    for path in (ROOT / "assistant").rglob("*.py"):
        assert not imported_packages(path) & {"ingest", "ui", "evals"}, path


def test_ingest_and_evals_do_not_import_ui() -> None:
    for package in ("ingest", "evals"):
        for path in (ROOT / package).rglob("*.py"):
            assert "ui" not in imported_packages(path), path


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"MEDIATION_{name.upper()}" in readme, f"MEDIATION_{name.upper()} not in README"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "./test.sh" in readme and "./run.sh" in readme
    assert re.search(r"^exec \./test\.sh", ci, re.MULTILINE)


def test_modules_stay_small() -> None:
    for package in ("assistant", "ingest", "evals", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            lines = path.read_text(encoding="utf-8").count("\n")
            assert lines <= 400, f"{path} has {lines} lines; split it by concept"
