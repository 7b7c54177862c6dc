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
from assistant.feedback import FeedbackStore
from assistant.service import Assistant
from assistant.types import Answer, RetrievalFilter, Turn
from interfaces.web.safe_text import escape

HISTORY_TURNS = 6  # earlier exchanges passed for follow-up questions
_SEEN: dict[str, str] = {}  # settings key -> the last ingest the open Assistant has loaded


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


def assistant(quiet: bool = False) -> Assistant | None:
    """The shared Assistant, or None with the reason shown (unless quiet), e.g. no index yet.

    When `mediation ingest` ran in another process since it was opened, it is opened again:
    the embedded Chroma store of this process would not see the other process's vectors.
    """
    cfg = settings()
    key = cfg.model_dump_json()
    try:
        found = _open(key, cfg)
        stamp = found.status().last_ingest
        if _SEEN.setdefault(key, stamp) != stamp:
            forget_assistant()
            found = _open(key, cfg)
            _SEEN[key] = stamp
        return found
    except AssistantError as exc:
        if not quiet:
            st.error(escape(str(exc)), icon=":material/error:")
        return None


def ingested_here(found: Assistant) -> None:
    """An upload was ingested in this process: reload its indexes instead of reopening."""
    found.reload()
    _SEEN[found.settings.model_dump_json()] = found.status().last_ingest


def forget_assistant() -> None:
    """Drop the cached Assistant so the next run opens it again."""
    _open.clear()


def feedback_store() -> FeedbackStore:
    return FeedbackStore(settings().feedback_db)


def turns() -> list[ChatTurn]:
    """This session's conversation, oldest first."""
    found: list[ChatTurn] = st.session_state.setdefault("turns", [])
    return found


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
    found: dict[str, dict[str, Any]] = st.session_state.setdefault("ratings", {})
    return found
