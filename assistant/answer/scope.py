"""What the documents can speak to: which exist, how recent they are, what a filter leaves in.

- An unknown document id in a filter is an error naming the known ones (a typo must not turn
  into an empty selection and a confident answer from nothing).
- A question about the present ("current", "now", "today", "this year", a year after the newest
  document) gets a notice that the documents end at their dates: a 2016 sentence is not news.
- When a filter leaves the evidence out, the answer says so and names the selected documents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.documents import Document
from pydantic import BaseModel, ConfigDict

from assistant.errors import UnknownDocument
from assistant.retrieval.filters import matches
from assistant.types import Passage, RetrievalFilter, date_key

_PRESENT = re.compile(
    r"\b(?:current(?:ly)?|today|nowadays|these days|at present|presently|at the moment|"
    r"right now|as of now|by now|this year|(?:is|are) now(?! that)|up to date|latest)\b",
    re.IGNORECASE,
)
_NOW_AT_END = re.compile(r"\bnow\s*[?.!]*\s*$", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# A filter left the evidence out when, without it, the passages are this much closer to the
# question (cosine) or the first point this much more likely to answer (set on the dev split's
# filter cases: excluded evidence shows gaps of 0.12-0.39 in cosine, kept evidence none).
CLEARLY_CLOSER, CLEARLY_MORE = 0.1, 0.3


class Library(BaseModel):
    """The indexed documents: id -> (kind, date), read from the chunks' metadata."""

    model_config = ConfigDict(frozen=True)

    documents: dict[str, tuple[str, str]]  # doc_id -> (kind, date)

    @classmethod
    def of(cls, chunks: Sequence[Document]) -> Library:
        found: dict[str, tuple[str, str]] = {}
        for chunk in chunks:
            meta = chunk.metadata
            found.setdefault(
                str(meta["doc_id"]), (str(meta.get("kind", "")), str(meta.get("date", "")))
            )
        return cls(documents=found)

    def check(self, filters: RetrievalFilter | None) -> None:
        """`UnknownDocument` when the filter names a document that is not indexed."""
        if filters is None or not self.documents:
            return
        unknown = [d for d in filters.doc_ids if d not in self.documents]
        if unknown:
            raise UnknownDocument(unknown, sorted(self.documents))

    def selected(self, filters: RetrievalFilter) -> list[str]:
        """The ids of the documents a filter keeps."""
        return [
            doc_id
            for doc_id, (kind, date) in sorted(self.documents.items())
            if matches(filters, {"doc_id": doc_id, "kind": kind, "date_key": date_key(date)})
        ]

    def newest(self) -> tuple[str, str]:
        """(doc_id, date) of the most recent document ("", "") when none is dated."""
        dated = [(date_key(date), doc_id, date) for doc_id, (_, date) in self.documents.items()]
        if not dated:
            return "", ""
        _, doc_id, date = max(dated)
        return doc_id, date

    def about_present(self, question: str) -> bool:
        """Does the question ask how things are now (or in a year after the newest document)?"""
        if _PRESENT.search(question) or _NOW_AT_END.search(question):
            return True
        newest = date_key(self.newest()[1]) // 10000
        return bool(newest) and any(int(y) > newest for y in _YEAR.findall(question))

    def present_notice(self) -> str:
        doc_id, date = self.newest()
        return (
            f"The documents end at their dates: the newest, {doc_id}, is dated {date}. They "
            "cannot say what is true now; check a current source for today's situation."
        )


def excluded_text(selected: Sequence[str], elsewhere: Sequence[str]) -> str:
    """The `no_evidence` text when a filter leaves out the documents that answer."""
    where = ", ".join(elsewhere)
    return (
        f"Not covered in the selected documents: {', '.join(selected) or 'none match the filter'}."
        + (
            f" Outside the selection, {where} addresses it; widen the filter to see it."
            if where
            else ""
        )
    )


def matches_filter(filters: RetrievalFilter, passage: Passage) -> bool:
    """Does a passage's document pass the filter?"""
    meta = {
        "doc_id": passage.doc_id,
        "kind": passage.meta.kind,
        "date_key": date_key(passage.meta.date),
    }
    return matches(filters, meta)
