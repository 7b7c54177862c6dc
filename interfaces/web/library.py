"""The Library page: the indexed documents, a reader with paragraph anchors, and uploads.

Deep links `library?doc=S/2009/189&para=36` (from citation markers and "Open in the Library")
select the document, put the paragraph on top and highlight and scroll to it in the full text.
A Streamlit page script (run by `st.navigation` in app.py) whose functions are importable too.
"""

from __future__ import annotations

import json
import math

import streamlit as st

from assistant.service import Assistant
from assistant.types import DocumentSummary, Passage, cite_label
from interfaces.web import state, upload
from interfaces.web.safe_text import HIGHLIGHT, escape

_APPLIED = "_library_link"  # the deep link already applied, so the user can choose another doc


def render() -> None:
    st.title("Library", anchor=False)
    assistant = state.assistant()
    _uploads(assistant)
    if assistant is None:
        return
    documents = assistant.documents()
    if not documents:
        st.info("No documents yet; add one above.")
        return
    _table(documents)
    doc_id, para = _selection(documents)
    if doc_id:
        _reader(assistant, next(d for d in documents if d.doc_id == doc_id), para)


def _table(documents: list[DocumentSummary]) -> None:
    rows = [
        {
            "Symbol": d.doc_id,
            "Title": d.title,
            "Kind": d.kind,
            "Date": d.date,
            "Paragraphs": f"{d.first_label} – {d.last_label}",
            "Passages": d.chunks,
        }
        for d in documents
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _selection(documents: list[DocumentSummary]) -> tuple[str | None, str | None]:
    """The document and paragraph to show: a new deep link wins, then the user's choice."""
    ids = [d.doc_id for d in documents]
    link = (st.query_params.get("doc"), st.query_params.get("para"))
    if link[0] and list(link) != st.session_state.get(_APPLIED):
        st.session_state[_APPLIED] = list(link)
        if link[0] in ids:
            st.session_state["library_doc"] = link[0]
            st.session_state["library_para"] = link[1]
        else:
            st.warning(f"{escape(link[0])} is not in the library (removed or renamed?).")
    titles = {d.doc_id: d.title for d in documents}
    doc_id = st.selectbox(
        "Read a document",
        ids,
        index=None,
        key="library_doc",
        placeholder="Choose a document",
        format_func=lambda d: f"{d} — {titles[d][:80]}",
        on_change=_chosen,
    )
    return doc_id, st.session_state.get("library_para") if doc_id else None


def _chosen() -> None:
    """The user picked a document: forget the linked paragraph and keep the URL shareable."""
    st.session_state["library_para"] = None
    doc_id = st.session_state.get("library_doc")
    st.query_params.clear()
    if doc_id:
        st.query_params["doc"] = doc_id
    st.session_state[_APPLIED] = [doc_id, None]


def _reader(assistant: Assistant, document: DocumentSummary, para: str | None) -> None:
    passages = assistant.document_passages(document.doc_id)
    st.subheader(escape(document.title), anchor=False)
    facts = (
        document.doc_id,
        document.kind,
        document.date or "undated",
        f"{len(passages)} passages",
        f"paragraphs {document.first_label}–{document.last_label}",
    )
    st.caption(" · ".join(escape(fact) for fact in facts))
    target = next((i for i, p in enumerate(passages) if para and para in p.paragraphs), None)
    if para and target is None:
        st.warning(f"Paragraph {escape(para)} is not in this document; showing all of it.")
    if target is not None:
        with st.container(border=True, key="library-focus"):
            st.markdown(f"**{escape(cite_label(document.doc_id, (para or '',)))}**")
            st.markdown(_paragraph_text(passages, para or ""))
    section = None
    for index, passage in enumerate(passages):
        if passage.section != section:
            section = passage.section
            if section:
                st.markdown(f"##### {escape(section.split(' > ')[-1])}")
        _paragraph(passage, index, highlighted=index == target)
    if target is not None:
        _scroll_to(f"st-key-para-{target}")


def _paragraph_text(passages: list[Passage], label: str) -> str:
    pieces = [p.text for p in passages if label in p.paragraphs]
    return escape(" ".join(" ".join(pieces).split()))


def _paragraph(passage: Passage, index: int, highlighted: bool) -> None:
    labels = ", ".join(passage.paragraphs)
    text = escape(" ".join(passage.text.split()))
    body = f":{HIGHLIGHT}[{text}]" if highlighted else text
    with st.container(key=f"para-{index}", border=highlighted):
        st.markdown(f"**{escape(labels)}** {body}" if labels else body)


def _scroll_to(css_class: str) -> None:
    """Scroll the page to the linked paragraph (our own script; no document text in it)."""
    selector = json.dumps(f".{css_class}")
    st.iframe(
        "<script>let tries = 0; const go = () => {"
        f"const el = window.parent.document.querySelector({selector});"
        "if (el) { el.scrollIntoView({block: 'center'}); } else if (tries++ < 20) "
        "{ setTimeout(go, 150); } }; go();</script>",
        height=1,
    )


def _uploads(assistant: Assistant | None) -> None:
    cfg = state.settings()
    results: list[upload.UploadResult] = st.session_state.get("upload_results", [])
    with st.expander("Add documents", icon=":material/upload_file:", expanded=bool(results)):
        with st.form("upload", clear_on_submit=True, border=False):
            files = st.file_uploader(
                f"Documents ({upload.limit_text(cfg)})",
                accept_multiple_files=True,
                max_upload_size=max(1, math.ceil(cfg.max_upload_mb)),
                key="upload_files",
            )
            submitted = st.form_submit_button("Add to the library", icon=":material/add:")
        if submitted and files:
            results = [upload.ingest_upload(cfg, f.name, f.getvalue()) for f in files]
            st.session_state["upload_results"] = results
            if any(r.ok for r in results):
                if assistant is not None:
                    state.ingested_here(assistant)
                else:  # the first documents of an empty data dir: open the index now
                    state.forget_assistant()
                    st.rerun()
        elif submitted:
            st.warning("Choose a file first.")
        for result in results:
            if result.ok:
                st.success(escape(result.message), icon=":material/check_circle:")
            else:
                st.error(escape(result.message), icon=":material/error:")
            for warning in result.warnings:
                st.caption(escape(warning))


if __name__ == "__main__":
    render()
