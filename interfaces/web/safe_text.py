"""Document and answer text made safe for `st.markdown`: everything escaped, our structure re-added.

Passages come from uploaded files and answers quote them, so any of it may hold HTML, markdown
images and links, or Streamlit's own directives (`:red[...]`, `:material/...:`, `$...$`). None of
it is trusted: every ASCII punctuation character is backslash-escaped (CommonMark renders an
escaped punctuation character literally, so no tag, image, link, directive or formula survives),
then only the structure the web app builds from an answer's fields is put back: list bullets,
`**bold**` labels, `[n]` citation markers as links, and highlights around supporting sentences.
Nothing here parses text the core wrote: answers arrive as data (points, sources, boundaries).
Raw HTML is never enabled (no `unsafe_allow_html` anywhere in the web app).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_BULLET = re.compile(r"^(?:[-*•]|(\d{1,3})[.)]|(>))(?:\s+|$)")
_BOLD = re.compile(r"\\\*\\\*(.+?)\\\*\\\*")
_MARKER = re.compile(r"\\\[(\d{1,3})\\\]")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")

HIGHLIGHT = "orange-background"
LIBRARY_PATH = "library"


def escape(text: str) -> str:
    """Plain text that renders literally in st.markdown (single line breaks are kept)."""
    # Stripping each line also stops four leading spaces from turning into a code block.
    return "  \n".join(escape_inline(line.strip()) for line in str(text).splitlines())


def escape_inline(text: str) -> str:
    """One line of plain text escaped for markdown, its spaces kept (for joining pieces)."""
    return _PUNCT.sub(r"\\\1", text)


def library_link(doc_id: str, paragraph: str | None = None) -> str:
    """The Library deep link (relative to the app root) that opens a document at a paragraph."""
    query = {"doc": doc_id} | ({"para": paragraph} if paragraph else {})
    return f"{LIBRARY_PATH}?{urlencode(query)}"


def answer_markdown(text: str, link_for: Callable[[int], str | None] | None = None) -> str:
    """An answer's markdown, escaped, with bullets, bold labels and `[n]` markers restored.

    `link_for(n)` gives the URL a marker links to (None leaves it as plain `[n]`).
    """
    out: list[str] = []
    for raw in str(text).splitlines():
        line = raw.strip()
        if not line:
            out.append("")
            continue
        bullet = _BULLET.match(line)
        prefix = ""
        if bullet:
            prefix = f"{bullet.group(1)}. " if bullet.group(1) else "- "
            prefix = "> " if bullet.group(2) else prefix
            line = line[bullet.end() :]
        body = escape_inline(line)
        body = _BOLD.sub(r"**\1**", body)
        if link_for is not None:
            body = _MARKER.sub(lambda m: _marker_link(int(m.group(1)), link_for), body)
        out.append(prefix + body + ("" if prefix else "  "))
    return "\n".join(out)


def linked(text: str, link_for: Callable[[int], str | None] | None = None) -> str:
    """One line of text escaped, its `[n]` markers turned into links by `link_for`."""
    body = escape_inline(" ".join(str(text).split()))
    if link_for is None:
        return body
    return _MARKER.sub(lambda m: _marker_link(int(m.group(1)), link_for), body)


def _marker_link(marker: int, link_for: Callable[[int], str | None]) -> str:
    url = link_for(marker)
    return f"[\\[{marker}\\]]({url})" if url else f"\\[{marker}\\]"


def highlight_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """(start, end) of the quote in the text: whole, else sentence by sentence; [] if absent."""
    quote = " ".join(quote.split())
    if not quote:
        return []
    start = text.find(quote)
    if start >= 0:
        return [(start, start + len(quote))]
    spans: list[tuple[int, int]] = []
    for sentence in _SENTENCE_END.split(quote):
        sentence = sentence.strip()
        if len(sentence) < 12:
            continue
        found = text.find(sentence)
        if found >= 0:
            spans.append((found, found + len(sentence)))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and span[0] <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
        else:
            merged.append(span)
    return merged


def highlighted(text: str, quote: str) -> str:
    """The passage text, escaped, with the supporting sentence(s) on a highlight background."""
    text = " ".join(str(text).split())
    spans = highlight_spans(text, quote)
    parts: list[str] = []
    cursor = 0
    for start, end in spans:
        parts.append(escape_inline(text[cursor:start]))
        parts.append(f":{HIGHLIGHT}[{escape_inline(text[start:end])}]")
        cursor = end
    parts.append(escape_inline(text[cursor:]))
    return "".join(parts)


def shorten(text: str, limit: int = 400) -> str:
    """At most `limit` characters, with the full length said when it was cut."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}… ({len(text):,} characters)"
