"""Line-level cleaning for what UN guidance documents really contain.

Pure functions: they recognise page stamps, photo captions, tables of contents, web debris and
footnotes, and strip footnote markers and markdown emphasis from paragraph text. `structure.py`
decides what each recognised line means in context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.loaders import SourceLine

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"

# UN reports repeat the job number and page ("09-27878 5", "5 09-27878", "⁰⁹⁻²⁷⁸⁷⁸") between
# paragraphs; citing a page stamp as evidence is the commonest ingestion bug in this corpus.
_PAGE_STAMP = re.compile(
    rf"^(?:\d{{2}}-\d{{5}}(?:\s+\d{{1,3}})?|\d{{1,3}}\s+\d{{2}}-\d{{5}}|[{_SUP}⁻]+)$"
)
_CAPTION = re.compile(r"(?i)(\(UN Photo(?:/[^)]*)?\)|^\(photo UN\))\s*$")
_DEBRIS = re.compile(
    r"(?i)^(add new comment|publication date:?.*|share( this)?|print|log in to post comments|"
    r"read more|back to top|tweet|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{4})$"
)
_TOC_HEAD = re.compile(r"(?i)^(contents|table of contents)$")
_TOC_LINE = re.compile(r"(\t\s*\d{1,3}\s*$)|(^\t*page$)|(\t\s*$)", re.IGNORECASE)

_FOOTNOTE_SUP = re.compile(rf"^([{_SUP}]+)\s*(\S.*)$")
_FOOTNOTE_CARET = re.compile(r"^\^([a-z])\s+(\S.*)$")
_FOOTNOTE_PLAIN = re.compile(r"^(\d{1,2})\s+(?![\d.])(\S.*)$")
_FOOTNOTE_STAR = re.compile(r"^(\*{1,3})\s+(\S.*)$")

_INLINE_SUP = re.compile(rf"\s?([{_SUP}]+)")
_INLINE_CARET = re.compile(r"\^([a-z])\b")
_PLAIN_MARKER = re.compile(r"(?<=\S)\s(\d{1,2})(?=\s|$)")
_BIBLIOGRAPHIC = re.compile(
    r"(\((?:S|A)/[\w/.]+\)|^\((?:S|A)/|^See |^Report of the Secretary-General of \d)"
)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])")


def is_page_stamp(text: str) -> bool:
    return bool(_PAGE_STAMP.match(text.strip()))


def is_caption(text: str) -> bool:
    return bool(_CAPTION.search(text.strip()))


def is_debris(text: str) -> bool:
    return bool(_DEBRIS.match(text.strip()))


def is_bibliographic(text: str) -> bool:
    """Footnote-style reference text (document symbols, 'See ...'), never a paragraph's body."""
    return bool(_BIBLIOGRAPHIC.search(text.strip()))


def drop_table_of_contents(lines: Sequence[SourceLine]) -> list[SourceLine]:
    """Remove a 'Contents' heading and the entry lines (tab + page number) that follow it."""
    out: list[SourceLine] = []
    in_toc = False
    for line in lines:
        stripped = line.text.strip()
        if _TOC_HEAD.match(stripped):
            in_toc = True
            continue
        if in_toc:
            if not stripped or _TOC_LINE.search(line.text):
                continue
            in_toc = False
        out.append(line)
    return out


def footnote_body(text: str) -> tuple[str, str] | None:
    """`(key, text)` when the line is a footnote's own text: '¹⁴ Report ...', '^a These ...'."""
    stripped = text.strip()
    for pattern in (_FOOTNOTE_SUP, _FOOTNOTE_CARET, _FOOTNOTE_STAR, _FOOTNOTE_PLAIN):
        match = pattern.match(stripped)
        if match:
            key = match.group(1).translate(SUPERSCRIPTS)
            return key, normalize(match.group(2))
    return None


_PROSE_BEFORE_NUMBER = {
    "and",
    "or",
    "to",
    "of",
    "the",
    "in",
    "on",
    "at",
    "by",
    "from",
    "with",
    "than",
    "about",
    "some",
    "articles",
    "article",
    "paragraph",
    "paragraphs",
    "para",
    "paras",
    "resolution",
    "chapter",
    "over",
    "under",
    "nearly",
    "almost",
    "only",
    "supported",
    "last",
    "first",
}


def take_markers(
    text: str,
    letter_keys: set[str],
    known_numbers: set[int],
    last_number: int,
    plain_markers: bool = True,
) -> tuple[str, list[str], int]:
    """Remove footnote markers from paragraph text; return the text, the keys and the last number.

    Superscripts (¹⁴) and carets (^a) are unambiguous. A plain number ('role, 7 and') is a
    marker only if that footnote exists, it comes after the last one seen, and it follows
    punctuation or is exactly the next number: '18 ongoing processes' stays prose.
    """
    keys: list[str] = []

    def sup(match: re.Match[str]) -> str:
        keys.append(match.group(1).translate(SUPERSCRIPTS))
        return ""

    text = _INLINE_SUP.sub(sup, text)

    def caret(match: re.Match[str]) -> str:
        if match.group(1) in letter_keys:
            keys.append(match.group(1))
            return ""
        return match.group(0)

    text = _INLINE_CARET.sub(caret, text)
    if letter_keys:
        letters = "".join(sorted(letter_keys))
        text = re.sub(rf"(?<=[a-z][.,;:])([{letters}])(?=\s|$)", caret, text)
    out: list[str] = []
    pos = 0
    for match in _PLAIN_MARKER.finditer(text) if plain_markers else ():
        number = int(match.group(1))
        before = text[: match.start()].rstrip()
        after_punct = before[-1:] in {".", ",", ";", ":", ")", "”", '"'}
        previous_word = before.rsplit(" ", 1)[-1].lower()
        next_in_line = number == last_number + 1 and previous_word not in _PROSE_BEFORE_NUMBER
        if number in known_numbers and number > last_number and (after_punct or next_in_line):
            out.append(text[pos : match.start()])
            pos = match.end()
            keys.append(str(number))
            last_number = number
    out.append(text[pos:])
    for key in keys:
        if key.isdigit():
            last_number = max(last_number, int(key))
    return normalize("".join(out)), keys, last_number


def normalize(text: str) -> str:
    """Plain paragraph text: no markdown emphasis, no escapes, single spaces."""
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = text.replace("\\$", "$").replace("\u00a0", " ").replace("\t", " ")
    text = re.sub(r"\s+([,.;:])(?=\s|$)", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def join_continuation(previous: str, continuation: str) -> str:
    """Join a paragraph broken by a page break, undoing end-of-line hyphenation ('manage-ment')."""
    previous = previous.rstrip()
    continuation = continuation.strip()
    if re.search(r"[a-z]-$", previous) and continuation[:1].islower():
        return previous[:-1] + continuation
    return f"{previous} {continuation}"


def is_complete(text: str) -> bool:
    """Does the paragraph end a sentence (so the next line cannot continue it)?"""
    return bool(re.search(r"[.!?:;”\"’')\]]\s*$", text.strip()))
