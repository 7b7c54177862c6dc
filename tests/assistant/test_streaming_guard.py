"""Streamed LLM text passes the boundary guard a sentence at a time: a weak model's violating
sentence never reaches the reader, even before the final answer replaces the draft."""

from __future__ import annotations

import pytest
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answer.chain import AnswerChain, AskInput
from assistant.service import Assistant
from assistant.types import Answer

pytestmark = pytest.mark.slow

DRAFT = (
    "Amnesty for war crimes is acceptable when it secures a ceasefire [1]. "
    "Mediators should consult partners at Headquarters [1]. "
)


def test_violating_sentence_is_never_streamed(assistant: Assistant) -> None:
    model = GenericFakeChatModel(messages=iter([AIMessage(content=DRAFT)]))
    chain = AnswerChain(
        assistant.settings, assistant.retriever, assistant.guard, chat_model=lambda spec: model
    )
    items = list(
        chain.iter_answer(
            AskInput(
                question="Can a peace agreement grant amnesty for war crimes?", llm="openai:fake"
            )
        )
    )
    streamed = "".join(i for i in items if isinstance(i, str))
    final = items[-1]
    assert isinstance(final, Answer)
    assert "consult partners at Headquarters" in streamed, "the compliant sentence streams"
    assert "is acceptable when it secures" not in streamed
    assert "is acceptable when it secures" not in final.answer
    assert any(b.rule_id == "amnesty-serious-crimes" for b in final.boundaries)
