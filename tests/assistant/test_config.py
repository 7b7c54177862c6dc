"""Settings precedence: arguments > MEDIATION_* environment > mediation.toml > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings


def test_toml_then_environment_then_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("MEDIATION_K", "MEDIATION_LLM", "MEDIATION_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "mediation.toml").write_text(
        'llm = "openai:llama3.1"\nllm_base_url = "http://127.0.0.1:11434/v1"\nk = 6\n'
    )
    assert (Settings().llm, Settings().k) == ("openai:llama3.1", 6)
    assert Settings().llm_base_url == "http://127.0.0.1:11434/v1"
    monkeypatch.setenv("MEDIATION_K", "7")
    assert Settings().k == 7
    assert Settings(k=3).k == 3


def test_defaults_work_offline_without_a_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEDIATION_LLM", raising=False)
    settings = Settings()
    assert settings.llm == "none" and settings.data_dir == Path(".mediation")
