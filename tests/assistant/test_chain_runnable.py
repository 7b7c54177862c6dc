"""The answer chain is a LangChain Runnable: invoke, batch, stream and their async forms run it
with the caller's config, so callbacks, tags and run names see every run (real index, extractive).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler

from assistant.answer.chain import AskInput
from assistant.service import Assistant
from assistant.types import Answer

pytestmark = pytest.mark.slow

SPOILERS = "How should a mediator deal with spoilers?"
AMNESTY = "Can a peace agreement grant amnesty for war crimes?"


class Recorder(BaseCallbackHandler):
    """Remembers chain runs: start (name, tags, input), end (status), and the text streamed."""

    def __init__(self) -> None:
        self.started: list[tuple[str | None, list[str] | None]] = []
        self.ended: list[str] = []
        self.text: list[str] = []
        self.errors: list[BaseException] = []

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.started.append((kwargs.get("name"), tags))

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        assert isinstance(outputs, Answer)
        self.ended.append(outputs.status)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.errors.append(error)

    def on_text(self, text: str, **kwargs: Any) -> None:
        self.text.append(text)


def test_invoke_fires_callbacks_with_tags_and_run_name(assistant: Assistant) -> None:
    recorder = Recorder()
    config = {"callbacks": [recorder], "tags": ["field"], "run_name": "ask"}
    answer = assistant.chain.invoke({"question": SPOILERS, "k": 3}, config)
    assert answer.status == "answered" and len(answer.passages) == 3
    assert recorder.started == [("ask", ["field"])] and recorder.ended == ["answered"]
    assert "".join(recorder.text) == answer.answer, "the guarded text reaches on_text"


def test_batch_answers_each_input_with_its_own_run(assistant: Assistant) -> None:
    recorder = Recorder()
    answers = assistant.chain.batch(
        [AskInput(question=SPOILERS), AskInput(question=AMNESTY)], {"callbacks": [recorder]}
    )
    assert [a.question for a in answers] == [SPOILERS, AMNESTY]
    assert sorted(recorder.ended) == sorted(a.status for a in answers)
    assert any(b.rule_id == "amnesty-serious-crimes" for b in answers[1].boundaries)


def test_stream_yields_the_checked_answer(assistant: Assistant) -> None:
    recorder = Recorder()
    chunks = list(assistant.chain.stream(AskInput(question=SPOILERS), {"callbacks": [recorder]}))
    assert len(chunks) == 1 and isinstance(chunks[0], Answer)
    assert chunks[0].answer == assistant.ask(SPOILERS).answer
    assert recorder.ended == ["answered"]


async def test_ainvoke_and_astream_run_with_callbacks(assistant: Assistant) -> None:
    recorder = Recorder()
    answer = await assistant.chain.ainvoke(AskInput(question=AMNESTY), {"callbacks": [recorder]})
    streamed = [c async for c in assistant.chain.astream({"question": AMNESTY})]
    assert len(streamed) == 1 and streamed[0].answer == answer.answer
    assert recorder.ended == [answer.status]


def test_invalid_question_reports_the_error_to_callbacks(assistant: Assistant) -> None:
    from assistant.errors import InvalidQuestion

    recorder = Recorder()
    with pytest.raises(InvalidQuestion):
        assistant.chain.invoke({"question": "  "}, {"callbacks": [recorder]})
    assert len(recorder.errors) == 1 and recorder.ended == []
