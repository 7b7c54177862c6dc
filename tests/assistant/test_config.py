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


def test_every_setting_is_in_one_group_and_the_readme_follows_the_groups() -> None:
    from assistant.config import GROUPS

    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(Settings.model_fields), "each setting in exactly one group"
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    positions = []
    for group, names in GROUPS.items():
        heading = readme.index(f"<!-- settings: {group} -->")
        positions.append(heading)
        following = readme[heading:]
        for name in names:
            assert f"MEDIATION_{name.upper()}" in following.split("<!-- settings:", 2)[1]
    assert positions == sorted(positions)


def test_environment_names_stay_flat(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "MEDIATION_K": "4",
        "MEDIATION_LLM_TIMEOUT_S": "5",
        "MEDIATION_MAX_UPLOAD_MB": "3",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert (settings.k, settings.llm_timeout_s, settings.max_upload_mb) == (4, 5.0, 3.0)
