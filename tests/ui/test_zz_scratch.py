import re
from tests.ui import test_web_app as t
import ui.web.safe_text as s

def test_mutant(own_data_dir, monkeypatch):
    monkeypatch.setattr(s, "_PUNCT", re.compile(r"(NEVERMATCHES)"))
    t.test_planted_document_is_searchable_and_rendered_escaped(own_data_dir)
