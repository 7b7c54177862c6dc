"""Paragraphs -> chunks: one per paragraph, long paragraphs split at sentence boundaries.

Every piece keeps its paragraph's label, so a citation always names the paragraph; chunks never
cross sections because they never cross paragraphs. Chunk ids are stable: doc, label, piece.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from langchain_core.documents import Document

from assistant.text import split_sentences
from assistant.types import ChunkMeta
from ingest.manifest import DocumentInfo
from ingest.structure import Paragraph

TokenCounter = Callable[[str], int]


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


def context_header(info: DocumentInfo, section: str) -> str:
    """What is embedded before a paragraph: its section path (or the title), so 'leaders who
    sign but do not implement' finds a paragraph filed under 'Managing spoilers'."""
    return f"{section or info.title}\n\n"


def chunk_document(
    info: DocumentInfo,
    paragraphs: list[Paragraph],
    max_tokens: int = 250,
    count: TokenCounter = approx_tokens,
) -> list[Document]:
    """LangChain Documents ready for the index, one or more per paragraph, in reading order.

    The stored text is `context_header + piece`; `body_start` tells readers where the
    paragraph text begins. Header and piece together fit the model's window.
    """
    documents: list[Document] = []
    for paragraph in paragraphs:
        header = context_header(info, paragraph.section)
        budget = max(max_tokens - count(header), max_tokens // 2)
        for piece_no, piece in enumerate(split_paragraph(paragraph.text, budget, count)):
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
                body_start=len(header),
            )
            documents.append(Document(page_content=header + piece, metadata=meta.to_metadata()))
    return documents


def sentence_documents(chunks: list[Document], min_words: int = 4) -> list[Document]:
    """One Document per sentence of each chunk, pointing back to its chunk (`chunk_id`).

    Retrieval matches a question against single sentences as well as whole paragraphs: a
    practitioner's question often paraphrases one sentence of a long paragraph.
    """
    out: list[Document] = []
    for chunk in chunks:
        meta = chunk.metadata
        body = chunk.page_content[int(meta.get("body_start", 0)) :]
        for number, sentence in enumerate(split_sentences(body)):
            if len(sentence.split()) < min_words:
                continue
            out.append(
                Document(
                    page_content=sentence,
                    metadata={
                        "chunk_id": meta["chunk_id"],
                        "doc_id": meta["doc_id"],
                        "paragraphs": meta["paragraphs"],
                        "kind": meta["kind"],
                        "date_key": meta["date_key"],
                        "sentence": number,
                    },
                )
            )
    return out
