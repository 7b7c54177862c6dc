"""The Briefing page with Streamlit's AppTest: form, cited preview, downloads, empty topic."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "interfaces" / "web" / "briefing_page.py"

pytestmark = pytest.mark.slow


def _page() -> AppTest:
    return AppTest.from_file(str(PAGE), default_timeout=180)


def test_builds_a_cited_note_with_downloads(web_env: Path) -> None:
    at = _page().run()
    at.text_input[0].set_value("managing spoilers in the final stage of talks")
    at.button[0].click().run()
    assert not at.exception
    text = "\n".join(str(m.value) for m in at.markdown)
    assert "#### 1\\. Purpose" in text and "#### Sources" in text
    assert "library?doc=S%2F2009%2F189" in text, "markers link to the cited paragraph"
    sources = at.dataframe[0].value
    assert "S/2009/189" in set(sources.iloc[:, 1])
    assert len(at.get("download_button")) == 3


def test_empty_topic_is_a_clear_message(web_env: Path) -> None:
    at = _page().run()
    at.button[0].click().run()
    assert not at.exception
    assert any("topic is empty" in str(e.value) for e in at.error)
