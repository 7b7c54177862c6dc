"""The sidebar: retrieval filters, the answer mode and model, and what the index holds."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from assistant.config import Settings
from assistant.service import Assistant
from assistant.types import DocumentSummary, RetrievalFilter
from interfaces.web import state
from interfaces.web.safe_text import escape


def render(assistant: Assistant | None) -> RetrievalFilter:
    """Draw the sidebar and return the filters it sets (empty when it filters nothing)."""
    with st.sidebar:
        chosen = _filters(assistant.documents() if assistant else [])
        st.divider()
        _mode(state.settings())
        if assistant is not None:
            _index(assistant)
    state.set_filters(chosen)
    return chosen


def _filters(documents: list[DocumentSummary]) -> RetrievalFilter:
    st.subheader("Search in")
    titles = {d.doc_id: d.title for d in documents}
    doc_ids = st.multiselect(
        "Documents",
        options=list(titles),
        format_func=lambda doc_id: f"{doc_id} — {titles.get(doc_id, '')[:60]}",
        placeholder="All documents",
        key="filter_docs",
    )
    kinds = st.multiselect(
        "Kind",
        options=sorted({d.kind for d in documents if d.kind}),
        placeholder="All kinds",
        key="filter_kinds",
    )
    years = sorted({int(d.date[:4]) for d in documents if d.date[:4].isdigit()})
    date_from = date_to = None
    if len(years) > 1:
        low, high = st.select_slider(
            "Dated between",
            options=list(range(years[0], years[-1] + 1)),
            value=(years[0], years[-1]),
            key="filter_years",
            help="Documents without a date are left out once the range is narrowed.",
        )
        if (low, high) != (years[0], years[-1]):
            date_from, date_to = str(low), str(high)
    chosen = RetrievalFilter(
        doc_ids=tuple(doc_ids), kinds=tuple(kinds), date_from=date_from, date_to=date_to
    )
    if not chosen.empty:
        st.caption("Answers use only the documents selected here.")
    return chosen


def _mode(settings: Settings) -> None:
    st.subheader("Answer mode")
    provider, _, model = settings.llm.partition(":")
    if provider == "none":
        st.markdown("**Extractive**: quotes the guidance directly, no language model.")
        return
    where = f" at {settings.llm_base_url}" if provider == "openai" and settings.llm_base_url else ""
    name = model.rsplit("/", 1)[-1]
    st.markdown(f"**Language model**: {escape(name)}{escape(where)}")
    st.caption("If the model cannot be reached, answers fall back to quoting the guidance.")


def _index(assistant: Assistant) -> None:
    status = assistant.status()
    st.subheader("Index")
    left, right = st.columns(2)
    left.metric("Documents", status.documents)
    right.metric("Passages", status.chunks)
    st.caption(f"Last ingest: {_when(status.last_ingest)}")
    if not status.complete:
        st.warning("The last ingest did not finish; run `mediation ingest` again.", icon="⚠️")


def _when(iso: str) -> str:
    if not iso:
        return "never"
    try:
        return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso
