"""Lines -> citable paragraphs: section paths, paragraph labels, footnotes, joined page breaks.

Labels: numbered paragraphs keep their number ("36"); lettered recommendations become "62(a)";
paragraphs after an `Annex` heading restart as "annex 1"; documents without numbered paragraphs
get "¶1", "¶2", ... in reading order. Footnote texts are taken out of the body and attached to
the paragraph that references them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest import clean
from ingest.loaders import SourceLine

_NUMBERED = re.compile(r"^(?:-\s+)?(\d{1,3})\.\s+(\S.*)$")
_LETTERED = re.compile(r"^(?:-\s+)?\(([a-z])\)\s+(\S.*)$")
_DASHED = re.compile(r"^-\s+(\S.*)$")
_ROMAN = re.compile(r"^([IVXL]+)\.\s+(\S.{0,150})$")
_LETTER_HEADING = re.compile(r"^([A-Z])\.\s+(\S.{0,150})$")
_ANNEX = re.compile(r"(?i)^annex(\s+[IVX\d]+)?$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2})\.\s+(\S.{0,100})$")


@dataclass
class Paragraph:
    """One citable paragraph, in reading order."""

    label: str
    section: str
    text: str
    page: int | None = None
    footnote_keys: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)


def looks_numbered(lines: Sequence[SourceLine]) -> bool:
    """Guess for documents without a manifest entry: are paragraphs numbered 1., 2., 3. ...?"""
    numbers = [int(m.group(1)) for ln in lines if (m := _NUMBERED.match(ln.text.strip()))]
    ascending = sum(1 for a, b in itertools.pairwise(numbers) if b == a + 1)
    return ascending >= 3 and any(len(ln.text) > 200 for ln in lines)


def _is_heading_like(text: str) -> bool:
    words = text.split()
    return (
        0 < len(text) <= 100
        and len(words) <= 14
        and text[0].isupper()
        and not re.search(r"[.,;:]$", text)
        and not text.endswith(("?", "”", '"'))
    )


class _Builder:
    """The state machine behind `build_paragraphs`; one instance per document."""

    def __init__(
        self, numbered: bool, letter_keys: set[str], known_numbers: set[int], plain: bool
    ) -> None:
        self.numbered = numbered
        self.plain_markers = plain
        self.letter_keys = letter_keys
        self.known_numbers = known_numbers
        self.last_marker = 0
        self.sections: list[tuple[int, str]] = []
        self.last_numbered_level = 0
        self.paragraphs: list[Paragraph] = []
        self.open: Paragraph | None = None
        self.footnotes: dict[str, str] = {}
        self.orphans: list[list[str]] = []  # footnote text whose marker line was lost
        self.in_footnotes = False
        self.stamp_seen = False
        self.last_number = 0
        self.annex = False
        self.unnumbered_count = 0

    # sections -----------------------------------------------------------------------------
    def heading(self, level: int, title: str, numbered_heading: bool = True) -> None:
        self.close()
        self.sections = [(lvl, t) for lvl, t in self.sections if lvl < level] + [(level, title)]
        if numbered_heading:
            self.last_numbered_level = level
        self.in_footnotes = False

    @property
    def section(self) -> str:
        return " > ".join(title for _, title in self.sections)

    # paragraphs ---------------------------------------------------------------------------
    def start(self, label: str, text: str, page: int | None) -> None:
        self.close()
        self.open = Paragraph(label=label, section=self.section, text="", page=page)
        self.add_text(text)
        self.in_footnotes = False
        self.stamp_seen = False

    def add_text(self, text: str) -> None:
        assert self.open is not None
        body, keys, self.last_marker = clean.take_markers(
            text, self.letter_keys, self.known_numbers, self.last_marker, self.plain_markers
        )
        self.open.footnote_keys.extend(keys)
        self.open.text = clean.join_continuation(self.open.text, body) if self.open.text else body

    def close(self) -> None:
        if self.open is not None and self.open.text:
            self.paragraphs.append(self.open)
        self.open = None

    def orphan(self, text: str) -> None:
        if self.in_footnotes and self.orphans:
            self.orphans[-1].append(clean.normalize(text))
        else:
            self.orphans.append([clean.normalize(text)])
        self.in_footnotes = True

    # one line -----------------------------------------------------------------------------
    def feed(self, line: SourceLine, before_paragraph: bool = False) -> None:
        text = line.text.strip()
        if not text or clean.is_caption(text) or clean.is_debris(text):
            return
        if clean.is_page_stamp(text):
            self.stamp_seen = True
            return
        note = clean.footnote_body(text)
        if note is not None and not (self.numbered and _NUMBERED.match(text)):
            key, body = note
            self.footnotes[key] = body
            if self.orphans and self.orphans[-1]:
                self.orphans.append([])  # unmarked text after this note is a new note
            if key.isdigit():
                self.known_numbers.add(int(key))
            self.in_footnotes = True
            return
        if self._structural(text, line.page):
            return
        self._text(text, line.page, before_paragraph)

    def _structural(self, text: str, page: int | None) -> bool:
        if (md := _MD_HEADING.match(text)) is not None:
            self.heading(len(md.group(1)), clean.normalize(md.group(2)))
            return True
        if _ANNEX.match(text):
            self.heading(1, text)
            self.annex, self.last_number = True, 0
            return True
        if (
            (m := _ROMAN.match(text))
            and _is_heading_like(m.group(2))
            and not self._next_letter(m.group(1))
        ):
            self.heading(1, clean.normalize(text))
            self.annex = False
            return True
        if (m := _LETTER_HEADING.match(text)) and _is_heading_like(m.group(2)):
            self.heading(2, clean.normalize(text))
            return True
        if not self.numbered:
            if (m := _NUMBERED_HEADING.match(text)) and _is_heading_like(m.group(2)):
                self.heading(1, clean.normalize(text))
                return True
            return False
        if (m := _NUMBERED.match(text)) is not None:
            self.last_number = int(m.group(1))
            label = f"annex {self.last_number}" if self.annex else m.group(1)
            self.start(label, m.group(2), page)
            return True
        if (m := _LETTERED.match(text)) is not None and self.last_number:
            self.start(f"{self.last_number}({m.group(1)})", m.group(2), page)
            return True
        if (m := _DASHED.match(text)) is not None and self.last_number:
            self.last_number += 1
            label = f"annex {self.last_number}" if self.annex else str(self.last_number)
            self.start(label, m.group(1), page)
            return True
        return False

    def _next_letter(self, numeral: str) -> bool:
        """Is 'I.' (or 'V.', 'X.', 'L.') the next lettered subsection rather than a part?"""
        letters = [t for lvl, t in self.sections if lvl == 2 and _LETTER_HEADING.match(t)]
        return len(numeral) == 1 and bool(letters) and ord(letters[-1][0]) + 1 == ord(numeral)

    def _text(self, text: str, page: int | None, before_paragraph: bool) -> None:
        current = self.open
        incomplete = current is not None and not clean.is_complete(current.text)
        footnote_like = clean.is_bibliographic(text) and not self.stamp_seen
        if incomplete and not footnote_like and (text[:1].islower() or not _is_heading_like(text)):
            self.add_text(text)
            self.in_footnotes = False
            self.stamp_seen = False
            return
        if self.numbered:
            if before_paragraph and _is_heading_like(text) and not clean.is_bibliographic(text):
                self.heading(self.last_numbered_level + 1, clean.normalize(text), False)
            elif self.in_footnotes or clean.is_bibliographic(text) or incomplete:
                self.orphan(text)
            elif _is_heading_like(text):
                self.heading(self.last_numbered_level + 1, clean.normalize(text), False)
            elif self.last_number:
                self.orphan(text)  # unnumbered prose between numbered paragraphs: a lost note
            return  # front matter before paragraph 1 is not citable
        if _is_heading_like(text) or (len(text) <= 100 and text.endswith("!")):
            self.heading(max(self.last_numbered_level, 0) + 1, clean.normalize(text), False)
            return
        self.unnumbered_count += 1
        self.start(f"¶{self.unnumbered_count}", text, page)

    def finish(self) -> list[Paragraph]:
        self.close()
        missing = [
            key
            for key in dict.fromkeys(k for p in self.paragraphs for k in p.footnote_keys)
            if key not in self.footnotes
        ]
        # Notes whose marker line was lost (unmarked text in a footnote block) fill the
        # referenced-but-missing notes in order; text that starts mid-sentence goes last.
        runs = sorted((r for r in self.orphans if r), key=lambda run: run[0][:1].islower())
        for key, run in zip(missing, runs, strict=False):
            self.footnotes[key] = " ".join(run)
        for extra in runs[len(missing) :]:
            if missing:
                self.footnotes[missing[-1]] += " " + " ".join(extra)
        for paragraph in self.paragraphs:
            paragraph.footnotes = [
                f"{key} {self.footnotes[key]}"
                for key in paragraph.footnote_keys
                if key in self.footnotes
            ]
        return self.paragraphs


def build_paragraphs(lines: Sequence[SourceLine], numbered: bool) -> list[Paragraph]:
    """Turn a document's lines into its paragraphs, in reading order."""
    lines = clean.drop_table_of_contents(lines)
    letter_keys: set[str] = set()
    known: set[int] = set()
    plain = False
    for line in lines:
        note = clean.footnote_body(line.text)
        if note is None or (numbered and _NUMBERED.match(line.text.strip())):
            continue
        if note[0].isdigit():
            known.add(int(note[0]))
            plain = plain or line.text.strip()[:1].isdigit()
        elif note[0].isalpha():
            letter_keys.add(note[0])
    if known:
        known |= set(range(1, max(known) + 1))  # notes whose marker line was lost still count
    builder = _Builder(numbered, letter_keys, known, plain)
    for index, line in enumerate(lines):
        builder.feed(line, _next_starts_paragraph(lines, index))
    return builder.finish()


def _next_starts_paragraph(lines: Sequence[SourceLine], index: int) -> bool:
    """Is the next meaningful line (past blanks, stamps, captions) a numbered paragraph?"""
    for line in lines[index + 1 :]:
        text = line.text.strip()
        if not text or clean.is_page_stamp(text) or clean.is_caption(text):
            continue
        return bool(_NUMBERED.match(text) or _LETTERED.match(text))
    return False
