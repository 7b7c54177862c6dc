"""Files -> lines of text with their page: .txt, .md, .pdf, .docx, .html.

Every loader returns `SourceLine`s so the later steps never care about the file format. A file
that cannot be read raises `DocumentError` naming the file and what to do; the pipeline records
it and goes on with the others.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import DocumentError

SUPPORTED = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")


@dataclass(frozen=True)
class SourceLine:
    """One line of a document's text; `page` is the 1-based PDF page, None elsewhere."""

    text: str
    page: int | None = None


def load(path: Path) -> list[SourceLine]:
    """Read `path` into lines, dispatching on the extension."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(
            path, f"unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUPPORTED)}"
        )
    if not path.is_file():
        raise DocumentError(path, "file not found; check the path or the manifest entry")
    if path.stat().st_size == 0:
        raise DocumentError(path, "the file is empty; nothing to index")
    match suffix:
        case ".pdf":
            lines = _load_pdf(path)
        case ".docx":
            lines = _load_docx(path)
        case ".html" | ".htm":
            lines = _lines(_html_to_text(decode_text(path.read_bytes(), path)))
        case _:
            lines = _lines(decode_text(path.read_bytes(), path))
    if not any(line.text.strip() for line in lines):
        raise DocumentError(path, "no text could be extracted (a scanned PDF needs OCR first)")
    return lines


def decode_text(data: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Windows-1252/Latin-1; refuse binary."""
    if b"\x00" in data[:8192] or _control_ratio(data[:8192]) > 0.05:
        raise DocumentError(
            path, "binary content in a text file; save it as UTF-8 text or use the right extension"
        )
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(path, "cannot decode the text; save it as UTF-8")  # pragma: no cover


def _control_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(data)


def _lines(text: str, page: int | None = None) -> list[SourceLine]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return [SourceLine(line, page) for line in text.split("\n")]


def _load_pdf(path: Path) -> list[SourceLine]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    try:
        reader = PdfReader(path)
        lines: list[SourceLine] = []
        for number, page in enumerate(reader.pages, start=1):
            lines.extend(_lines(page.extract_text() or "", number))
            lines.append(SourceLine("", number))
    except (PdfReadError, PdfStreamError, ValueError, KeyError, OSError) as exc:
        raise DocumentError(path, f"corrupt or unreadable PDF ({exc}); re-export it") from exc
    return lines


def _load_docx(path: Path) -> list[SourceLine]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(path, f"corrupt or unreadable DOCX ({exc}); re-save it") from exc
    lines: list[SourceLine] = []
    for paragraph in document.paragraphs:
        lines.extend(_lines(paragraph.text))
        lines.append(SourceLine(""))
    return lines


_BLOCK_TAGS = re.compile(r"(?i)</?(p|div|h[1-6]|li|br|tr|section|article|header|footer)[^>]*>")


def _html_to_text(html: str) -> str:
    """Main text of a web page without navigation and comment debris (trafilatura)."""
    import trafilatura

    text = trafilatura.extract(
        html, include_comments=False, include_tables=True, favor_recall=True, deduplicate=True
    )
    if text:
        return text
    # Very short pages fall below trafilatura's extraction threshold: keep their plain text.
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(_BLOCK_TAGS.sub("\n", html) or "<p></p>")
    for bad in tree.xpath("//script|//style|//nav|//noscript"):
        bad.drop_tree()
    return str(tree.text_content())
