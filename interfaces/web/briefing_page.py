"""Briefing page: a mission head builds a cited note on a topic, previews it, downloads it.

Wiring only: the note is built by `assistant.briefing.builder.build_briefing` (progress per
section),
rendered with the same escaped markdown and citation links as chat answers, and exported with
`assistant.briefing.export` (Markdown, DOCX, PDF).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from assistant.briefing.builder import build_briefing
from assistant.briefing.export import (
    SOURCE_COLUMNS,
    default_filename,
    export,
    heading,
    meta_line,
    section_items,
    source_rows,
    title_line,
)
from assistant.briefing.types import Briefing
from assistant.errors import AssistantError
from interfaces.web import state
from interfaces.web.safe_text import answer_markdown, escape_inline, library_link

_FORMATS = {
    "md": ("Markdown", "text/markdown"),
    "docx": (
        "Word (DOCX)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": ("PDF", "application/pdf"),
}


def render() -> None:
    st.title("Briefing note")
    st.caption(
        "A one-to-three page note on a topic, every point cited to the paragraph. It supports, "
        "and does not replace, the judgement of the mission."
    )
    assistant = state.assistant()
    if assistant is None:
        return
    with st.form("briefing_form"):
        topic = st.text_input("Topic", placeholder="managing spoilers in the final stage of talks")
        context = st.text_area("Context (optional)", placeholder="situation, audience", height=80)
        length = st.radio("Length", ["standard", "short"], horizontal=True)
        submitted = st.form_submit_button("Build the note", type="primary")
    if submitted:
        bar = st.progress(0.0, text="Retrieving…")
        steps = iter(range(1, 8))

        def progress(section: str) -> None:
            bar.progress(min(next(steps, 7) / 7, 1.0), text=f"Building: {section}")

        try:
            note = build_briefing(assistant, topic, context, length, progress=progress)  # type: ignore[arg-type]
        except AssistantError as exc:
            bar.empty()
            st.error(str(exc))
            return
        bar.empty()
        st.session_state["briefing_note"] = note
    note = st.session_state.get("briefing_note")
    if isinstance(note, Briefing):
        _preview(note)
        _downloads(note)


def _preview(note: Briefing) -> None:
    """The note as the reader sees it: sections, cited points linking to the Library, sources."""
    links = {
        s.marker: library_link(s.doc_id, s.paragraphs[0] if s.paragraphs else None)
        for s in note.sources
    }
    with st.container(border=True):
        st.subheader(escape_inline(title_line(note)))
        st.caption(escape_inline(meta_line(note)))
        for i, section in enumerate(note.sections, start=1):
            st.markdown(f"#### {escape_inline(heading(i, section))}")
            lines = []
            for kind, lead, text, details in section_items(section):
                if kind == "point":
                    lines.append(f"- {lead}. {text}" if lead else f"- {text}")
                    lines += [f"- {d}" for d in details]
                elif kind == "note":
                    lines.append(f"- {text}")
                else:
                    lines += ["", text, ""]
            st.markdown(answer_markdown("\n".join(lines), links.get))
        if note.sources:
            st.markdown("#### Sources")
            st.dataframe(
                [dict(zip(SOURCE_COLUMNS, row, strict=True)) for row in source_rows(note)],
                hide_index=True,
            )
        for notice in note.notices:
            st.warning(escape_inline(notice))
        st.caption(escape_inline(note.closing))


def _downloads(note: Briefing) -> None:
    columns = st.columns(len(_FORMATS))
    for column, (fmt, (label, mime)) in zip(columns, _FORMATS.items(), strict=True):
        with tempfile.TemporaryDirectory() as tmp:
            path = export(note, fmt, Path(tmp) / default_filename(note, fmt).name)
            data = path.read_bytes()
        column.download_button(
            f"Download {label}",
            data,
            file_name=default_filename(note, fmt).name,
            mime=mime,
            key=f"download-{fmt}",
        )


if __name__ == "__main__":
    render()
