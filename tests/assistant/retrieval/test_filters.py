"""The filter contract: one table of cases, the same ids from every place a filter is applied.

In the style of haystack's shared document-store tests: each case is a `RetrievalFilter` and the
chunk ids it must select, run through Chroma embedded and a real `chroma run` server (both `get`
with `chroma_where` and a vector search with it, as the hybrid retriever sends it) and through
the lexical side (`matches`, alone and as the BM25 index's mask).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document

from assistant.config import Settings
from assistant.retrieval.filters import chroma_where, matches
from assistant.store.chroma import build_vectorstore
from assistant.store.embeddings import build_embeddings
from assistant.store.lexical import LexicalIndex
from assistant.types import RetrievalFilter, date_key

pytestmark = pytest.mark.slow

# doc_id, kind, date: the boundaries of every bound form (year, month, day) are represented.
CHUNKS = {
    "a": ("S/2009/189", "report", "2009-04-08"),
    "b": ("S/2009/189", "report", "2009-04-08"),
    "c": ("S/2011/552", "report", "2011-08-26"),
    "d": ("guidance-2012", "guidance", "2012"),
    "e": ("letter-2016", "letter", "2016-10"),
    "f": ("note-2016", "guidance", "2016-12-31"),
    "g": ("note-2017", "guidance", "2017-01-01"),
    "h": ("undated", "note", ""),
}
ALL = set(CHUNKS)

CASES: list[tuple[str, RetrievalFilter, set[str]]] = [
    ("empty", RetrievalFilter(), ALL),
    ("one doc", RetrievalFilter(doc_ids=("S/2009/189",)), {"a", "b"}),
    ("two docs", RetrievalFilter(doc_ids=("S/2011/552", "letter-2016")), {"c", "e"}),
    ("unknown doc", RetrievalFilter(doc_ids=("S/1999/1",)), set()),
    ("one kind", RetrievalFilter(kinds=("guidance",)), {"d", "f", "g"}),
    ("two kinds", RetrievalFilter(kinds=("letter", "note")), {"e", "h"}),
    ("from year", RetrievalFilter(date_from="2016"), {"e", "f", "g"}),
    ("to year", RetrievalFilter(date_to="2011"), {"a", "b", "c", "h"}),
    ("year to year", RetrievalFilter(date_from="2011", date_to="2016"), {"c", "d", "e", "f"}),
    ("from month", RetrievalFilter(date_from="2016-10"), {"e", "f", "g"}),
    ("to month", RetrievalFilter(date_to="2016-10"), {"a", "b", "c", "d", "e", "h"}),
    ("to month end", RetrievalFilter(date_to="2011-08"), {"a", "b", "c", "h"}),
    ("from day", RetrievalFilter(date_from="2016-12-31"), {"f", "g"}),
    ("to day", RetrievalFilter(date_to="2016-12-31"), ALL - {"g"}),
    ("one day", RetrievalFilter(date_from="2009-04-08", date_to="2009-04-08"), {"a", "b"}),
    ("day before", RetrievalFilter(date_to="2009-04-07"), {"h"}),
    ("kind and years", RetrievalFilter(kinds=("guidance",), date_to="2016"), {"d", "f"}),
    (
        "doc, kind, range",
        RetrievalFilter(
            doc_ids=("S/2009/189", "S/2011/552", "note-2017"),
            kinds=("report", "guidance"),
            date_from="2010",
            date_to="2017-01",
        ),
        {"c", "g"},
    ),
    ("contradiction", RetrievalFilter(doc_ids=("S/2009/189",), kinds=("letter",)), set()),
]
IDS = [name for name, _, _ in CASES]


def _documents() -> list[Document]:
    return [
        Document(
            id=chunk_id,
            page_content=f"Mediation guidance passage {chunk_id} from {doc_id}.",
            metadata={
                "chunk_id": chunk_id,
                "doc_id": doc_id,
                "kind": kind,
                "date": date,
                "date_key": date_key(date),
            },
        )
        for chunk_id, (doc_id, kind, date) in CHUNKS.items()
    ]


@pytest.fixture(scope="module", params=["embedded", "server"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The test chunks in Chroma, embedded in a data directory or on the session's server."""
    data_dir: Path = tmp_path_factory.mktemp("filters")
    url = request.getfixturevalue("chroma_url") if request.param == "server" else None
    settings = Settings(data_dir=data_dir, chroma_url=url, collection=f"filters-{request.param}")
    vectorstore = build_vectorstore(settings, build_embeddings(settings))
    documents = _documents()
    vectorstore.add_documents(documents, ids=[d.id for d in documents])
    yield vectorstore
    vectorstore.delete_collection()


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    return LexicalIndex.build(_documents())


@pytest.mark.parametrize(("name", "filters", "expected"), CASES, ids=IDS)
def test_chroma_get_selects_the_cases_ids(
    store: Any, name: str, filters: RetrievalFilter, expected: set[str]
) -> None:
    got = store.get(where=chroma_where(filters), include=["metadatas"])
    assert set(got["ids"]) == expected


@pytest.mark.parametrize(("name", "filters", "expected"), CASES, ids=IDS)
def test_chroma_search_selects_the_cases_ids(
    store: Any, name: str, filters: RetrievalFilter, expected: set[str]
) -> None:
    vector = store.embeddings.embed_query("mediation guidance")
    hits = store.similarity_search_by_vector_with_relevance_scores(
        vector, k=len(CHUNKS), filter=chroma_where(filters)
    )
    assert {d.id for d, _ in hits} == expected


@pytest.mark.parametrize(("name", "filters", "expected"), CASES, ids=IDS)
def test_matches_selects_the_cases_ids(
    name: str, filters: RetrievalFilter, expected: set[str]
) -> None:
    assert {d.id for d in _documents() if matches(filters, d.metadata)} == expected


@pytest.mark.parametrize(("name", "filters", "expected"), CASES, ids=IDS)
def test_lexical_search_selects_the_cases_ids(
    lexical: LexicalIndex, name: str, filters: RetrievalFilter, expected: set[str]
) -> None:
    hits = lexical.search("mediation guidance passage", len(CHUNKS), lambda m: matches(filters, m))
    assert {d.metadata["chunk_id"] for d, _ in hits} == expected
