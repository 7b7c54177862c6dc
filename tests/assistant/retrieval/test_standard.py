"""LangChain's standard retriever tests on the hybrid retriever, over the real session index.

`RetrieversIntegrationTests` (package langchain-tests) checks what LangChain users rely on: `k`
in the constructor and in `invoke`, Documents from `invoke` and `ainvoke`. The tests after it
check what the standard suite does not: filters as an invoke argument, and that the config's
callbacks, tags and run name reach the run.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.retrieval.hybrid import HybridRetriever
from assistant.service import Assistant
from assistant.types import RetrievalFilter

pytestmark = pytest.mark.slow

QUERY = "How should a mediator deal with spoilers?"


def _params(assistant: Assistant) -> dict[str, Any]:
    return {
        "vectorstore": assistant.vectorstore,
        "sentences": assistant.sentences,
        "embeddings": assistant.embeddings,
        "lexical": assistant.retriever.lexical,
    }


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _index(self, assistant: Assistant) -> None:
        self._stores = _params(assistant)

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {**self._stores, "k": 5}

    @property
    def retriever_query_example(self) -> str:
        return QUERY


class Recorder(BaseCallbackHandler):
    """Remembers the retriever runs it saw: name, tags and how many documents came back."""

    def __init__(self) -> None:
        self.started: list[dict[str, Any]] = []
        self.ended: list[int] = []

    def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        *,
        run_id: UUID,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.started.append({"query": query, "tags": tags, "name": kwargs.get("name")})

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.ended.append(len(documents))


def test_invoke_honours_callbacks_tags_and_run_name(assistant: Assistant) -> None:
    retriever = HybridRetriever(**_params(assistant))
    recorder = Recorder()
    docs = retriever.invoke(
        QUERY, {"callbacks": [recorder], "tags": ["t1"], "run_name": "hybrid-test"}, k=2
    )
    assert len(docs) == 2
    assert recorder.started == [{"query": QUERY, "tags": ["t1"], "name": "hybrid-test"}]
    assert recorder.ended == [2]


async def test_ainvoke_and_batch_pass_k_filters_and_config(assistant: Assistant) -> None:
    retriever = HybridRetriever(**_params(assistant))
    only = RetrievalFilter(doc_ids=("S/2011/552",))
    recorder = Recorder()
    docs = await retriever.ainvoke(QUERY, {"callbacks": [recorder]}, k=3, filters=only)
    assert len(docs) == 3 and {d.metadata["doc_id"] for d in docs} == {"S/2011/552"}
    assert recorder.ended == [3]
    batched = retriever.batch([QUERY, "What is preventive diplomacy?"], {"callbacks": [recorder]})
    assert [len(b) for b in batched] == [5, 5] and recorder.ended[1:] == [5, 5]
