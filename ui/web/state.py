"""What the web app keeps: the Assistant once per server process, the conversation per session.

The embedding model, the Chroma store and the lexical index are loaded by `Assistant.open` once
per server process (`st.cache_resource`, keyed by the settings), and shared by every browser
session; each session keeps only its own conversation, filters and feedback choices in
`st.session_state`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.service import Assistant
from assistant.types import Answer, RetrievalFilter, Turn
from ui.web.feedback_store import FeedbackStore

HISTORY_TURNS = 6  # earlier exchanges passed for follow-up questions


@dataclass
class ChatTurn:
    """One question of the conversation and what came back (an answer or an error message)."""

    question: str
    turn_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    answer: Answer | None = None
    error: str = ""


def settings() -> Settings:
    """The settings (MEDIATION_* env, mediation.toml); cheap, so read on every run."""
    return Settings()


@st.cache_resource(show_spinner="Loading the guidance index and models…")
def _open(settings_key: str, _settings: Settings) -> Assistant:
    return Assistant.open(_settings)


def assistant() -> Assistant | None:
    """The shared Assistant, or None with an error shown (e.g. no index yet)."""
    cfg = settings()
    try:
        return _open(cfg.model_dump_json(), cfg)
    except AssistantError as exc:
        st.error(f"{exc}", icon="🚫")
        return None


def forget_assistant() -> None:
    """Drop the cached Assistant so the next run opens it again (after a first ingest)."""
    _open.clear()


def feedback_store() -> FeedbackStore:
    return FeedbackStore(settings().feedback_db)


def turns() -> list[ChatTurn]:
    """This session's conversation, oldest first."""
    return st.session_state.setdefault("turns", [])


def history() -> list[Turn]:
    """Earlier answered exchanges, as the Assistant takes them for follow-ups."""
    answered = [t for t in turns() if t.answer is not None]
    return [
        Turn(question=t.question, answer=t.answer.answer if t.answer else "")
        for t in answered[-HISTORY_TURNS:]
    ]


def new_conversation() -> None:
    st.session_state["turns"] = []
    st.session_state["ratings"] = {}


def filters() -> RetrievalFilter | None:
    """The sidebar's filters (None when nothing is filtered)."""
    current = st.session_state.get("filters")
    return current if isinstance(current, RetrievalFilter) and not current.empty else None


def set_filters(value: RetrievalFilter) -> None:
    st.session_state["filters"] = value


def ratings() -> dict[str, dict[str, Any]]:
    """answer_id -> {"rating": 0|1|None, "comment": str}: what this session has said so far."""
    return st.session_state.setdefault("ratings", {})
