"""One answer as field staff read it: status badge, boundary callouts, text, sources, feedback.

Drawn from the answer's fields (boundaries, summary, points, citations), never from its markdown.
Everything taken from documents or answers is escaped (`safe_text`); the `[n]` markers link to
the Library at the cited paragraph, and a chip per citation opens that source in the panel below
the answer, with the supporting sentence highlighted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import streamlit as st

from assistant.feedback import FeedbackRecord, Rating
from assistant.service import Assistant
from assistant.types import Answer, BoundaryEvent, Citation, Passage, cite_label
from interfaces.web import state
from interfaces.web.safe_text import (
    answer_markdown,
    escape,
    escape_inline,
    highlighted,
    library_link,
    linked,
    shorten,
)

Color = Literal["green", "orange", "gray", "red"]
STATUS_BADGE: dict[str, tuple[str, Color, str]] = {
    "answered": ("Answered from the guidance", "green", ":material/check_circle:"),
    "partial": ("Partial: evidence is thin, check the sources", "orange", ":material/info:"),
    "no_evidence": ("Not in the documents", "gray", ":material/search_off:"),
    "refused": ("Refused: crosses a normative boundary", "red", ":material/block:"),
}
RATING: dict[int, Rating] = {0: "down", 1: "up"}
_BOUNDARY_LEAD = {
    "notice": "Boundary",
    "correction": "Correction",
    "refusal": "Not drafted",
    "removal": "Boundary (removed from the answer)",
}


@st.fragment
def render(assistant: Assistant, answer: Answer, turn_id: str) -> None:
    """Draw a finished answer; widget keys derive from `turn_id`, so reruns keep their state.

    A fragment: opening a source or rating the answer reruns and resends only this answer,
    not the whole conversation (it matters on a weak connection).
    """
    with st.container(key=f"answer-{turn_id}"):
        _header(answer)
        callout = st.error if answer.refusal else st.warning
        for event in answer.refusal or answer.boundaries:
            if event.kind != "removal":
                callout(_boundary(event), icon=":material/gavel:")
        for item in answer.notices:
            st.info(escape(item), icon=":material/info:")
        st.markdown(_body(answer))
        for event in answer.boundaries:
            if event.kind == "removal" and not answer.refusal:
                st.warning(_boundary(event), icon=":material/gavel:")
        if answer.citations:
            _chips(answer, turn_id)
            _sources(assistant, answer, turn_id)
        elif answer.status == "no_evidence" and answer.passages:
            _closest(answer, turn_id)
        _feedback(answer, turn_id)


def _header(answer: Answer) -> None:
    label, color, icon = STATUS_BADGE[answer.status]
    mode = "language model" if answer.mode.startswith("llm:") else "extractive"
    seconds = answer.timings_ms.get("total", 0.0) / 1000
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.badge(label, color=color, icon=icon)
        count = len(answer.citations)
        st.caption(f"{mode} · {count} source{'s' * (count != 1)} · {seconds:.1f} s")


def _body(answer: Answer) -> str:
    """Summary and points, escaped, their markers linking to the cited paragraphs."""
    link_for = _linker(answer)
    lines = ["**What the guidance says instead:**", ""] if answer.refusal else []
    if answer.summary:
        lines += [linked(answer.summary), ""]
    if answer.layout == "prose":
        lines += [answer_markdown(p.text, link_for) + "\n" for p in answer.points]
    else:
        lines += [f"- {linked(p.text, link_for)}" for p in answer.points]
    return "\n".join(lines)


def _boundary(event: BoundaryEvent) -> str:
    """One boundary callout: what the guard did, the rule with its sources, nuance, options."""
    lead = _BOUNDARY_LEAD[event.kind]
    parts = [f"**{lead} — {escape_inline(event.title or event.rule_id)}.**"]
    if event.refusal:
        parts.append(escape_inline(event.refusal))
    elif event.kind == "correction":
        parts.append("The question assumes something UN guidance does not allow\\.")
    parts.append(escape_inline(event.statement))
    lines = [" ".join(parts)]
    if event.nuance and event.kind != "removal":
        lines += ["", escape_inline(event.nuance)]
    if event.alternatives:
        lines += ["", "**What I can do instead:**", ""]
        lines += [f"- {escape_inline(alt)}" for alt in event.alternatives]
    return _with_sources("\n".join(lines), event.sources)


def _with_sources(body: str, sources: list[str] | tuple[str, ...]) -> str:
    if not sources:
        return body
    return f"{body}\n\nSources: " + ", ".join(_source_ref(s) for s in sources)


def _source_ref(source: str) -> str:
    """`S/2009/189#36` as a Library link; external references as text."""
    doc_id, sep, label = source.partition("#")
    if not sep:
        return escape(source)
    return f"[{escape(cite_label(doc_id, (label,)))}]({library_link(doc_id, label)})"


def _linker(answer: Answer) -> Callable[[int], str | None]:
    passages = answer.passages

    def link_for(marker: int) -> str | None:
        if not 1 <= marker <= len(passages):
            return None
        passage = passages[marker - 1]
        return library_link(passage.doc_id, passage.paragraphs[0] if passage.paragraphs else None)

    return link_for


def _open_source(turn_id: str, marker: int) -> None:
    st.session_state[f"src-{turn_id}-{marker}"] = True


def _chips(answer: Answer, turn_id: str) -> None:
    with st.container(horizontal=True, gap="small", key=f"chips-{turn_id}"):
        for citation in answer.citations:
            mark = "" if citation.supported else "⚠ "
            st.button(
                f"{mark}\\[{citation.marker}\\] {escape(citation.label)}",
                key=f"chip-{turn_id}-{citation.marker}",
                on_click=_open_source,
                args=(turn_id, citation.marker),
                help="Show this paragraph below",
                type="secondary",
            )


def _sources(assistant: Assistant, answer: Answer, turn_id: str) -> None:
    st.caption("Sources")
    for citation in answer.citations:
        passage = _passage(answer, citation)
        title = passage.meta.title if passage else citation.doc_id
        label = f"\\[{citation.marker}\\] {escape(citation.label)} · {escape(title)}"
        key = f"src-{turn_id}-{citation.marker}"
        with st.expander(label, key=key, on_change="rerun"):
            if st.session_state.get(key):
                _source_body(assistant, citation, passage)


def _closest(answer: Answer, turn_id: str) -> None:
    """The nearest passages of a `no_evidence` answer, so the reader can judge for themselves."""
    key = f"near-{turn_id}"
    label = f"Closest passages ({len(answer.passages)}); none of them answers the question"
    with st.expander(label, key=key, on_change="rerun"):
        if not st.session_state.get(key):
            return
        for passage in answer.passages:
            where = cite_label(passage.doc_id, passage.paragraphs)
            st.markdown(
                f"**{escape(where)}** · {escape(passage.meta.title)}  \n"
                + escape(shorten(" ".join(passage.text.split()), 600))
            )


def _passage(answer: Answer, citation: Citation) -> Passage | None:
    if 1 <= citation.marker <= len(answer.passages):
        return answer.passages[citation.marker - 1]
    return None


def _source_body(assistant: Assistant, citation: Citation, passage: Passage | None) -> None:
    """The full cited paragraph(s), fetched only when the source is opened."""
    if citation.section:
        st.caption(escape(citation.section))
    if not citation.supported:
        st.warning("The check could not find this claim in the paragraph; read it yourself.")
    for index, label in enumerate(citation.paragraphs or ("",)):
        paragraph = assistant.paragraph(citation.doc_id, label) if label else None
        text = paragraph.text if paragraph else (passage.text if passage else "")
        if not text:
            st.warning(
                f"Paragraph {escape(label)} is no longer in the index; open the document in "
                "the Library."
            )
            continue
        with st.container(key=f"source-text-{citation.marker}-{index}"):
            st.markdown(
                f"**{escape(cite_label(citation.doc_id, (label,)))}**  \n"
                + highlighted(text, citation.quote)
            )
    first = citation.paragraphs[0] if citation.paragraphs else None
    st.page_link(
        "library.py",
        label="Open in the Library",
        icon=":material/menu_book:",
        query_params={"doc": citation.doc_id} | ({"para": first} if first else {}),
    )


def _save_feedback(answer: Answer, turn_id: str) -> None:
    choice = state.ratings().setdefault(turn_id, {"rating": None, "comment": ""})
    choice["rating"] = st.session_state.get(f"fb-{turn_id}")
    choice["comment"] = st.session_state.get(f"fbc-{turn_id}", "") or ""
    rating = RATING.get(choice["rating"]) if choice["rating"] is not None else None
    state.feedback_store().save(
        FeedbackRecord.from_answer(turn_id, answer, rating, choice["comment"])
    )
    st.toast("Thank you: feedback saved.", icon=":material/check:")


def _feedback(answer: Answer, turn_id: str) -> None:
    saved = state.ratings().get(turn_id, {})
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
        st.feedback(
            "thumbs",
            key=f"fb-{turn_id}",
            default=saved.get("rating"),
            on_change=_save_feedback,
            args=(answer, turn_id),
        )
        st.text_input(
            "Comment (optional)",
            key=f"fbc-{turn_id}",
            value=saved.get("comment", ""),
            placeholder="What was wrong or missing?",
            label_visibility="collapsed",
            on_change=_save_feedback,
            args=(answer, turn_id),
            max_chars=2000,
        )
