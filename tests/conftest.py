"""Shared fixtures: the real corpus ingested once per session with the real model and Chroma."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.config import Settings

pytest_plugins = ["tests.llm_server", "tests.chroma_server"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "guidance_docs"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden files from current output."
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data directory holds the real corpus, ingested once for the session."""
    from ingest.pipeline import ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), docs_dir=CORPUS)
    report = ingest(settings)
    assert not report.failed, report.failed
    return settings


@pytest.fixture(scope="session")
def assistant(indexed_settings: Settings) -> Iterator[object]:
    """One Assistant over the session index (models loaded once)."""
    from assistant.service import Assistant

    yield Assistant.open(indexed_settings)
