"""Passages and citations: a retrieved chunk, where a claim comes from, and retrieval filters.

Chunks are stored in Chroma as LangChain `Document`s whose metadata holds only scalars (Chroma's
rule); `Passage.from_document` is the one place that turns that metadata back into types.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from langchain_core.documents import Document
from pydantic import BaseModel, ConfigDict

MARKER = re.compile(r"\[(\d+)\]")  # a citation marker as answers carry it: [n]

LABEL_SEP = "|"  # joins paragraph labels in Chroma metadata; labels never contain it


class ChunkMeta(BaseModel):
    """Metadata of one indexed chunk: enough to cite and to open the paragraph."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str  # "S/2009/189#36#0": doc, paragraph labels, piece
    doc_id: str
    title: str
    kind: str
    date: str
    section: str  # "III. Lessons learned ... > H. Accommodating peace and justice"
    paragraphs: tuple[str, ...]  # ("36",) or ("62(f)",) or ("annex 4",) or ("¶3",)
    order: int  # reading order of the chunk within its document
    piece: int = 0  # >0 when a long paragraph was split at sentence boundaries
    page: int | None = None  # PDF page (1-based)
    footnotes: tuple[str, ...] = ()  # footnote texts referenced by this paragraph
    source: str = ""  # file name inside the corpus folder
    content_hash: str = ""
    body_start: int = 0  # the stored text opens with a context header (section); body after it

    def to_metadata(self) -> dict[str, str | int | float | bool]:
        meta: dict[str, str | int | float | bool] = {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "kind": self.kind,
            "date": self.date,
            "date_key": date_key(self.date),
            "section": self.section,
            "paragraphs": LABEL_SEP.join(self.paragraphs),
            "order": self.order,
            "piece": self.piece,
            "footnotes": json.dumps(list(self.footnotes), ensure_ascii=False),
            "source": self.source,
            "content_hash": self.content_hash,
            "body_start": self.body_start,
        }
        if self.page is not None:
            meta["page"] = self.page
        return meta

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> ChunkMeta:
        return cls(
            chunk_id=str(meta.get("chunk_id", "")),
            doc_id=str(meta["doc_id"]),
            title=str(meta.get("title", "")),
            kind=str(meta.get("kind", "")),
            date=str(meta.get("date", "")),
            section=str(meta.get("section", "")),
            paragraphs=tuple(p for p in str(meta.get("paragraphs", "")).split(LABEL_SEP) if p),
            order=int(meta.get("order", 0)),
            piece=int(meta.get("piece", 0)),
            page=int(meta["page"]) if meta.get("page") is not None else None,
            footnotes=tuple(json.loads(str(meta.get("footnotes") or "[]"))),
            source=str(meta.get("source", "")),
            content_hash=str(meta.get("content_hash", "")),
            body_start=int(meta.get("body_start", 0)),
        )


class Passage(BaseModel):
    """A retrieved chunk, ranked, with the scores that put it there."""

    model_config = ConfigDict(frozen=True)

    rank: int
    meta: ChunkMeta
    text: str
    score: float  # fused score used for ranking
    similarity: float = 0.0  # cosine similarity of question and passage (evidence strength)

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return self.meta.paragraphs

    @property
    def section(self) -> str:
        return self.meta.section

    @property
    def refs(self) -> tuple[str, ...]:
        """`doc_id#paragraph` keys, the form eval cases and boundary sources use."""
        return tuple(f"{self.meta.doc_id}#{p}" for p in self.meta.paragraphs)

    @classmethod
    def from_document(cls, doc: Document, rank: int = 0) -> Passage:
        meta = dict(doc.metadata)
        chunk = ChunkMeta.from_metadata(meta)
        return cls(
            rank=rank,
            meta=chunk,
            text=doc.page_content[chunk.body_start :],
            score=float(meta.get("score", 0.0)),
            similarity=float(meta.get("similarity", 0.0)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "doc_id": self.meta.doc_id,
            "paragraphs": list(self.meta.paragraphs),
            "section": self.meta.section,
            "score": round(self.score, 6),
            "text": self.text,
        }


def body_text(doc: Document) -> str:
    """A stored chunk's paragraph text, without the context header that was embedded with it."""
    return doc.page_content[int(doc.metadata.get("body_start", 0)) :]


def cite_label(doc_id: str, paragraphs: tuple[str, ...] | list[str]) -> str:
    """`S/2009/189, para. 36` / `paras. 36-37` / `¶3`: how a person reads a citation."""
    labels = list(paragraphs)
    if not labels:
        return doc_id
    if all(lab.startswith("¶") for lab in labels):
        return f"{doc_id}, {', '.join(labels)}"
    word = "para." if len(labels) == 1 else "paras."
    return f"{doc_id}, {word} {', '.join(labels)}"


def cite_refs(refs: tuple[str, ...] | list[str]) -> str:
    """`doc_id#label` references grouped by document, in order: 'S/2009/189, paras. 36, 37'."""
    by_doc: dict[str, list[str]] = {}
    for ref in refs:
        doc_id, _, label = ref.partition("#")
        by_doc.setdefault(doc_id, []).append(label)
    return "; ".join(cite_label(doc, labels) for doc, labels in by_doc.items())


def replace_markers(text: str, swap: Callable[[int], str]) -> str:
    """`text` with every `[n]` marker replaced by `swap(n)` (links, readable labels)."""
    return MARKER.sub(lambda m: swap(int(m.group(1))), text)


class Citation(BaseModel):
    """Where a claim comes from, precise enough to open the paragraph."""

    model_config = ConfigDict(frozen=True)

    marker: int  # the [n] in the answer text
    doc_id: str
    paragraphs: tuple[str, ...]
    section: str
    quote: str  # the supporting sentence(s) from the passage
    supported: bool  # did the check find the claim in the passage?

    @property
    def label(self) -> str:
        return cite_label(self.doc_id, self.paragraphs)

    def to_json(self) -> dict[str, Any]:
        return {
            "marker": self.marker,
            "doc_id": self.doc_id,
            "paragraphs": list(self.paragraphs),
            "section": self.section,
            "quote": self.quote,
            "supported": self.supported,
        }


def date_key(date: str) -> int:
    """'2009-04-08' -> 20090408, '2016-10' -> 20161001, '2011' -> 20110101, '' -> 0."""
    parts = [p for p in str(date).split("-") if p.isdigit()]
    if not parts:
        return 0
    year, month, day = [*parts, "1", "1"][:3]
    return int(year) * 10000 + int(month) * 100 + int(day)


class RetrievalFilter(BaseModel):
    """Restricts retrieval: by documents, by kind, by date range (inclusive, 'YYYY[-MM[-DD]]')."""

    model_config = ConfigDict(frozen=True)

    doc_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.doc_ids or self.kinds or self.date_from or self.date_to)
