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


# What each package of the core may import (besides config, errors, types, text, which all may).
# Lower layers never import higher ones: store <- retrieval <- answer <- briefing <- service.
ALLOWED: dict[str, set[str]] = {
    "store": {"store"},
    "retrieval": {"store", "retrieval"},
    "guard": {"guard"},
    "answer": {"store", "retrieval", "guard", "answer"},
    "briefing": {"store", "retrieval", "guard", "answer", "briefing"},
}
SHARED = {"config", "errors", "types", "text"}


def core_imports(path: Path) -> set[str]:
    """The `assistant.<part>` modules/packages a file imports, at any depth (lazy ones too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts: set[str] = set()
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        for module in modules:
            bits = module.split(".")
            if bits[0] == "assistant" and len(bits) > 1:
                parts.add(bits[1])
    return parts


def test_assistant_imports_no_interface_ingest_or_evals() -> None:
    for path in (ROOT / "assistant").rglob("*.py"):
        assert not imported_packages(path) & {"ingest", "interfaces", "evals", "bench"}, path


def test_core_packages_import_only_lower_layers() -> None:
    for package, allowed in ALLOWED.items():
        for path in (ROOT / "assistant" / package).rglob("*.py"):
            extra = core_imports(path) - allowed - SHARED
            assert not extra, f"{path.relative_to(ROOT)} imports assistant.{sorted(extra)}"


def test_ingest_and_evals_do_not_import_interfaces() -> None:
    for package in ("ingest", "evals"):
        for path in (ROOT / package).rglob("*.py"):
            assert "interfaces" not in imported_packages(path), path


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
    for package in ("assistant", "ingest", "evals", "interfaces"):
        for path in (ROOT / package).rglob("*.py"):
            lines = path.read_text(encoding="utf-8").count("\n")
            assert lines <= 300, f"{path} has {lines} lines; split it by concept"
