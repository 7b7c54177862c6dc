"""Paragraphs -> chunks: one per paragraph, long paragraphs split at sentence boundaries.

Every piece keeps its paragraph's label, so a citation always names the paragraph; chunks never
cross sections because they never cross paragraphs. Chunk ids are stable: doc, label, piece.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from langchain_core.documents import Document

from assistant.types import ChunkMeta
from ingest.manifest import DocumentInfo
from ingest.structure import Paragraph

TokenCounter = Callable[[str], int]

# Abbreviations that end with a period but do not end a sentence in UN prose.
_ABBREVIATIONS = r"(?<!\be\.g)(?<!\bi\.e)(?<!\bNo)(?<!\bpara)(?<!\bparas)(?<!\bvol)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bD\.C)(?<!\bU\.S)(?<!\bArt)"
_SENTENCE_END = re.compile(_ABBREVIATIONS + r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; abbreviations such as 'e.g.' and 'No.' do not split."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def approx_tokens(text: str) -> int:
    """Word-piece estimate used when no tokenizer is given (about 1.3 pieces per word)."""
    return int(len(text.split()) * 1.3) + 1


def split_paragraph(text: str, max_tokens: int, count: TokenCounter) -> list[str]:
    """Pieces of at most `max_tokens` (a single longer sentence stays whole)."""
    if count(text) <= max_tokens:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(text):
        candidate = " ".join([*current, sentence])
        if current and count(candidate) > max_tokens:
            pieces.append(" ".join(current))
            current = [sentence]
        else:
            current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return pieces


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def chunk_document(
    info: DocumentInfo,
    paragraphs: list[Paragraph],
    max_tokens: int = 250,
    count: TokenCounter = approx_tokens,
) -> list[Document]:
    """LangChain Documents ready for the index, one or more per paragraph, in reading order."""
    documents: list[Document] = []
    for paragraph in paragraphs:
        for piece_no, piece in enumerate(split_paragraph(paragraph.text, max_tokens, count)):
            meta = ChunkMeta(
                chunk_id=f"{info.doc_id}#{paragraph.label}#{piece_no}",
                doc_id=info.doc_id,
                title=info.title,
                kind=info.kind,
                date=info.date,
                section=paragraph.section,
                paragraphs=(paragraph.label,),
                order=len(documents),
                piece=piece_no,
                page=paragraph.page,
                footnotes=tuple(paragraph.footnotes),
                source=info.file,
                content_hash=content_hash(piece),
            )
            documents.append(Document(page_content=piece, metadata=meta.to_metadata()))
    return documents
