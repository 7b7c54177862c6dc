"""Shared fixtures for the web app tests: a real index of the seed corpus, built once per session.

The index is built with the real embedding model and Chroma into a temporary data directory;
tests that only read it share it, tests that add documents get their own copy.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.config import Settings

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "interfaces" / "web" / "app.py"
CORPUS = REPO / "guidance_docs"
AMNESTY = "Can a peace agreement grant amnesty for war crimes?"
# A document that tries to run a script, load an image and smuggle in links and directives.
PLANTED = b"""# Field note on ceasefire monitors <script>alert(1)</script>

1. Ceasefire monitoring teams must report every violation to the joint commission within
twenty-four hours <script>alert(1)</script> ![x](http://127.0.0.1:9/x.png) and
[click here](javascript:alert(1)) :red[danger] $x^2$ <img src=x onerror=alert(1)>.

2. Monitors of the ceasefire are unarmed and wear the insignia of the joint commission.
"""


def corpus_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, docs_dir=CORPUS, llm="none", **overrides)


@pytest.fixture(scope="session")
def corpus_data_dir(indexed_settings: Settings) -> Path:
    """The session's data directory holding the whole seed corpus (tests/conftest.py)."""
    return indexed_settings.data_dir


@pytest.fixture
def web_env(corpus_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app (which reads MEDIATION_* env) at the shared corpus index."""
    _point_at(monkeypatch, corpus_data_dir)
    return corpus_data_dir


@pytest.fixture
def own_data_dir(
    corpus_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A private copy of the corpus index, for tests that add documents to it."""
    data_dir = tmp_path / "data"
    shutil.copytree(corpus_data_dir, data_dir, ignore=shutil.ignore_patterns("feedback.sqlite"))
    _point_at(monkeypatch, data_dir)
    yield data_dir


def _point_at(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("MEDIATION_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MEDIATION_DOCS_DIR", str(CORPUS))
    monkeypatch.setenv("MEDIATION_LLM", "none")
