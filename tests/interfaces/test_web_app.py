"""The web app's flows with Streamlit's AppTest, on the real index of the seed corpus.

Ask, follow up, filter, open a source, deep-link into the Library, give feedback, upload (bad and
planted files), bad questions and a language model that is down. The planted document checks that
document text can never inject HTML, images or links into the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.feedback import FeedbackStore
from tests.interfaces.conftest import AMNESTY, APP, PLANTED, corpus_settings

TIMEOUT_S = 180  # the first run of a session loads the embedding model and opens the index


def _app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question)
    return at.run()


def _turns(at: AppTest) -> list:
    return list(at.session_state["turns"])


def _texts(at: AppTest) -> list[str]:
    """Every piece of text the page sends to the browser as markdown (labels included)."""
    values = [
        e.value
        for kind in (
            "markdown",
            "caption",
            "title",
            "subheader",
            "error",
            "warning",
            "info",
            "success",
        )
        for e in getattr(at, kind)
    ]
    values += [b.label for b in at.button] + [e.label for e in at.expander]
    return [str(v) for v in values]


def _plain(markdown: str) -> str:
    """Markdown with its backslash escapes undone (what the reader sees, roughly)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


@pytest.fixture
def app(web_env: Path) -> AppTest:
    at = _app().run()
    _no_exception(at)
    return at


def test_ask_shows_a_cited_answer_with_status_and_boundary_callout(app: AppTest) -> None:
    _ask(app, AMNESTY)
    _no_exception(app)
    answer = _turns(app)[0].answer
    assert answer.status in {"answered", "partial"}
    assert any(c.doc_id == "S/2009/189" for c in answer.citations)
    texts = "\n".join(_texts(app))
    assert "badge[" in texts  # the status badge
    assert "library?doc=S%2F2009%2F189&para=" in texts  # [n] markers link to the paragraph
    callouts = [_plain(w.value) for w in app.warning]
    assert any("Boundary" in c and "S/2009/189, para. 36" in c for c in callouts), callouts
    assert any(b.key.startswith("chip-") for b in app.button)


def test_follow_up_question_uses_the_conversation(app: AppTest) -> None:
    _ask(app, "What does the guidance say about amnesty in peace agreements?")
    _ask(app, "and what about spoilers?")
    _no_exception(app)
    _, second = _turns(app)
    assert second.answer is not None
    assert "spoilers" in second.answer.standalone_question
    assert second.answer.standalone_question != second.question
    app.button(key="new_conversation").click().run()
    assert _turns(app) == []


def test_document_filter_restricts_the_sources(app: AppTest) -> None:
    app.multiselect(key="filter_docs").set_value(["S/2011/552"]).run()
    _ask(app, "What does preventive diplomacy require to succeed?")
    _no_exception(app)
    answer = _turns(app)[0].answer
    assert answer.passages
    assert {p.doc_id for p in answer.passages} == {"S/2011/552"}
    assert {c.doc_id for c in answer.citations} <= {"S/2011/552"}


def test_citation_chip_opens_the_paragraph_with_the_quote_highlighted(app: AppTest) -> None:
    _ask(app, AMNESTY)
    turn = _turns(app)[0]
    citation = next(c for c in turn.answer.citations if c.doc_id == "S/2009/189")
    assert not [m for m in app.markdown if ":orange-background[" in m.value]  # closed: no text
    app.button(key=f"chip-{turn.turn_id}-{citation.marker}").click().run()
    _no_exception(app)
    opened = [m.value for m in app.markdown if ":orange-background[" in m.value]
    assert opened and f"S/2009/189, para. {citation.paragraphs[0]}" in _plain(opened[0])
    assert "amnest" in opened[0]


def test_library_deep_link_selects_the_document_and_the_paragraph(app: AppTest) -> None:
    app.query_params = {"doc": "S/2009/189", "para": "36"}
    app.switch_page("library.py").run()
    _no_exception(app)
    assert app.selectbox(key="library_doc").value == "S/2009/189"
    focus = [m for m in app.markdown if _plain(m.value).startswith("**S/2009/189, para. 36")]
    assert focus
    highlighted = [m.value for m in app.markdown if ":orange-background[" in m.value]
    assert highlighted and highlighted[0].startswith("**36**")


def test_feedback_is_stored_with_question_answer_citations_and_mode(
    app: AppTest, web_env: Path
) -> None:
    _ask(app, AMNESTY)
    turn = _turns(app)[0]
    app.feedback(key=f"fb-{turn.turn_id}").set_value(0).run()
    app.text_input(key=f"fbc-{turn.turn_id}").input("Para 37 on the ICC is missing").run()
    _no_exception(app)
    saved = FeedbackStore(web_env / "feedback.sqlite").get(turn.turn_id)
    assert saved is not None
    assert (saved.rating, saved.comment) == ("down", "Para 37 on the ICC is missing")
    assert saved.question == AMNESTY and saved.mode == "extractive"
    assert saved.answer == turn.answer.answer
    assert saved.citations[0]["doc_id"] == turn.answer.citations[0].doc_id


@pytest.mark.parametrize("question", ["   ", "x" * 20_000])
def test_bad_question_shows_the_reason_and_the_app_keeps_working(
    app: AppTest, question: str
) -> None:
    _ask(app, question)
    _no_exception(app)
    message = " ".join(_plain(e.value) for e in app.error)
    assert "empty" in message or "20,000 characters" in message
    _ask(app, AMNESTY)
    _no_exception(app)
    assert _turns(app)[-1].answer is not None
    assert _turns(app)[0].error  # the bad question stays visible, not passed as history


def test_llm_server_down_shows_the_notice_and_answers_extractively(
    web_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIATION_LLM", "openai:test-model")
    monkeypatch.setenv("MEDIATION_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MEDIATION_LLM_TIMEOUT_S", "5")
    at = _ask(_app().run(), AMNESTY)
    _no_exception(at)
    answer = _turns(at)[0].answer
    assert answer.mode == "extractive" and answer.notices
    assert any("extractive" in i.value for i in at.info)
    assert any("Language model" in m.value for m in at.sidebar.markdown)


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_files").upload(name, data, "application/octet-stream")
    return at.button(key="FormSubmitter:upload-Add to the library").click().run()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.exe", b"MZ\x90\x00binary", "not supported"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "PDF"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_upload_is_refused_with_a_clear_message(
    own_data_dir: Path, name: str, data: bytes, reason: str
) -> None:
    at = _app().run()
    at.switch_page("library.py").run()
    _upload(at, name, data)
    _no_exception(at)
    errors = [e.value for e in at.error]
    assert errors and reason in errors[0], errors
    assert not list((own_data_dir / "uploads").glob("*"))  # nothing left to break an ingest


def test_planted_document_is_searchable_and_rendered_escaped(own_data_dir: Path) -> None:
    at = _app().run()
    at.switch_page("library.py").run()
    _upload(at, "planted-note.md", PLANTED)
    _no_exception(at)
    assert [s.value for s in at.success], [e.value for e in at.error]
    at.query_params = {"doc": "planted-note", "para": "¶1"}
    at.switch_page("library.py").run()
    assert at.selectbox(key="library_doc").value == "planted-note"
    _assert_escaped(at)

    at.switch_page("chat.py").run()
    _ask(at, "How fast must ceasefire monitoring teams report violations?")
    turn = _turns(at)[0]
    cited = [c for c in turn.answer.citations if c.doc_id == "planted-note"]
    assert cited, turn.answer.answer
    at.button(key=f"chip-{turn.turn_id}-{cited[0].marker}").click().run()
    _no_exception(at)
    _assert_escaped(at)


def _assert_escaped(at: AppTest) -> None:
    texts = _texts(at)
    joined = "\n".join(texts)
    assert "\\<script\\>alert\\(1\\)" in joined  # the text is shown, as text
    for text in texts:
        bare = re.sub(r"\\.", "", text)  # drop escaped characters: what is left is live markup
        for attack in ("<script", "![x](", "](javascript:", "<img", ":red[", "$x"):
            assert attack not in bare, text
    assert not any(m.proto.allow_html for m in at.markdown)


def test_empty_data_dir_says_what_to_do_and_the_first_upload_opens_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIATION_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("MEDIATION_LLM", "none")
    at = _app().run()
    _no_exception(at)
    assert any("mediation ingest" in _plain(e.value) for e in at.error)
    at.switch_page("library.py").run()
    _upload(at, "planted-note.md", PLANTED)
    _no_exception(at)
    assert [s.value for s in at.success], [e.value for e in at.error]
    options = at.selectbox(key="library_doc").options
    assert len(options) == 1 and options[0].startswith("planted-note — ")


def test_upload_over_the_size_limit_is_refused_before_reading_it(tmp_path: Path) -> None:
    from interfaces.web import upload

    settings = corpus_settings(tmp_path, max_upload_mb=0.001)
    problem = upload.check(settings, "big.pdf", 2048)
    assert problem and "over the 0.001 MB limit" in problem
    assert upload.check(settings, "ok.docx", 100) is None
    assert upload.safe_name("../../etc/pass wd<>.TXT") == "pass wd.txt"


def test_an_ingest_run_elsewhere_is_picked_up_on_the_next_rerun(own_data_dir: Path) -> None:
    from ingest.pipeline import ingest

    at = _app().run()
    at.switch_page("library.py").run()
    assert len(at.selectbox(key="library_doc").options) == 5
    note = own_data_dir / "uploads" / "planted-note.md"
    note.parent.mkdir(parents=True)
    note.write_bytes(PLANTED)
    assert not ingest(corpus_settings(own_data_dir), [note]).failed  # like `mediation ingest`
    at.run()
    _no_exception(at)
    assert len(at.selectbox(key="library_doc").options) == 6
