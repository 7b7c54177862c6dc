"""The Ask page: a conversation with the guidance; answers stream in, then show their sources.

A Streamlit page script (run by `st.navigation` in app.py) whose functions are importable too.
The conversation lives in the session (`state.turns`); follow-up questions pass it as history.
"""

from __future__ import annotations

import time

import streamlit as st

from assistant.errors import AssistantError
from assistant.service import Assistant
from assistant.types import Answer, Turn
from interfaces.web import answer_view, state
from interfaces.web.safe_text import answer_markdown, escape, shorten

PLACEHOLDER = "Ask about the mediation guidance, e.g. Can a peace agreement grant amnesty?"
REDRAW_S = 0.15  # at most ~7 redraws a second while streaming: less traffic on weak links
EXAMPLES = (
    "Can a peace agreement grant amnesty for war crimes?",
    "How should women be included in a peace process?",
    "What are the lessons learned about spoilers?",
)


def render() -> None:
    assistant = state.assistant()
    _title_row()
    if assistant is None:
        st.info("Ask an administrator to run `mediation ingest`, or add documents in the Library.")
        return
    for turn in state.turns():
        _show_turn(assistant, turn)
    examples = st.empty()
    if not state.turns():
        with examples.container():
            _examples()
    question = st.chat_input(PLACEHOLDER, key="question", submit_mode="disable")
    question = question or st.session_state.pop("example_question", None)
    if question is not None:
        examples.empty()
        _ask(assistant, str(question))


def _title_row() -> None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title("Ask the guidance", anchor=False)
        st.button(
            "New conversation",
            icon=":material/add_comment:",
            key="new_conversation",
            on_click=state.new_conversation,
            disabled=not state.turns(),
        )
    active = state.filters()
    if active is not None:
        st.caption("Filters are on (see the sidebar): answers use only the selected documents.")


def _examples() -> None:
    st.caption("Answers quote UN mediation guidance and cite the paragraph. Try:")
    with st.container(horizontal=True, gap="small"):
        for index, example in enumerate(EXAMPLES):
            st.button(
                example,
                key=f"example-{index}",
                icon=":material/help:",
                on_click=st.session_state.__setitem__,
                args=("example_question", example),
            )


def _show_turn(assistant: Assistant, turn: state.ChatTurn) -> None:
    with st.chat_message("user"):
        st.markdown(escape(shorten(turn.question)))
    with st.chat_message("assistant"):
        if turn.answer is not None:
            answer_view.render(assistant, turn.answer, turn.turn_id)
        elif turn.error:
            st.error(escape(turn.error), icon=":material/error:")
        else:
            st.caption("This question was interrupted; ask it again.")


def _ask(assistant: Assistant, question: str) -> None:
    history = state.history()
    turn = state.ChatTurn(question=question)
    state.turns().append(turn)
    with st.chat_message("user"):
        st.markdown(escape(shorten(question)))
    with st.chat_message("assistant"):
        try:
            turn.answer = _stream(assistant, question, history, turn.turn_id)
        except AssistantError as exc:
            turn.error = str(exc)
            st.error(escape(turn.error), icon=":material/error:")
            return
        answer_view.render(assistant, turn.answer, turn.turn_id)


def _stream(assistant: Assistant, question: str, history: list[Turn], turn_id: str) -> Answer:
    """Show the text as it arrives (escaped), then return the final, authoritative Answer."""
    box = st.container(key=f"stream-{turn_id}")
    waiting = box.empty()
    waiting.caption("Searching the guidance…")
    shown = box.empty()
    parts: list[str] = []
    drawn = 0.0
    for item in assistant.stream(question, history, state.filters()):
        if isinstance(item, Answer):
            waiting.empty()
            shown.empty()
            return item
        parts.append(item)
        now = time.monotonic()
        if len(parts) == 1 or now - drawn >= REDRAW_S:
            waiting.empty()
            shown.markdown(answer_markdown("".join(parts)) + " ▌")
            drawn = now
    raise AssistantError("The answer stopped before it was complete; ask again.")


if __name__ == "__main__":
    render()
