"""Sentence spans in answer text, for the guard to judge and remove sentences one by one.

Offsets must hold between the text the guard matches and the text it edits, so normalization
maps characters one-to-one (typographic quotes and dashes, invisible characters out).
"""

from __future__ import annotations

import re
import unicodedata

from assistant.text import split_sentences

_CHARS = str.maketrans("’‘ʼ`“”\u00a0\u2010\u2011", "''''\"\" --")  # one-to-one: offsets hold
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_BULLET = re.compile(r"^\s*(?:[-*•>]+|\d+[.)])?\s*")
_WORD = re.compile(r"\w+")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_CHARS).translate(_INVISIBLE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, split as citations.py splits (markers stay with theirs)."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        cursor = _bullet(line)
        for sentence in split_sentences(line[cursor:]):
            start = line.find(sentence, cursor)
            if start < 0:  # split_sentences only strips, so this does not happen
                continue
            cursor = start + len(sentence)
            # "Article 3." alone is a label: it belongs to the sentence after it.
            if (
                spans
                and spans[-1][0] >= offset
                and len(_WORD.findall(text[spans[-1][0] : spans[-1][1]])) < 3
            ):
                spans[-1] = (spans[-1][0], offset + cursor)
            else:
                spans.append((offset + start, offset + cursor))
        offset += len(line)
    return spans


def without(text: str, drop: set[tuple[int, int]]) -> str:
    """The text minus the dropped sentences; a line left with only its bullet goes too."""
    spans = sentence_spans(text)
    lines: list[str] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        end = offset + len(line)
        inside = [s for s in spans if offset <= s[0] < end]
        if not any(s in drop for s in inside):
            lines.append(line.rstrip("\r\n"))
        else:
            kept = [text[a:b] for a, b in inside if (a, b) not in drop]
            if kept:
                lines.append(line[: _bullet(line)] + " ".join(kept))
        offset = end
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _bullet(line: str) -> int:
    """Length of the line's leading indentation and list bullet ("- ", "1. ", "> ")."""
    found = _BULLET.match(line)
    return found.end() if found else 0
