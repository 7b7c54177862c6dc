"""Every supported format loads; every kind of bad file fails with a clear, specific reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import DocumentError
from ingest.loaders import load

PARAGRAPH = (
    "The mediator should make the international legal position clear to the parties, and "
    "explain that the process of justice will take its course."
)


def test_txt_and_md_load_as_lines(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Title\n\n1. First paragraph.\n", encoding="utf-8")
    assert [line.text for line in load(tmp_path / "a.md")][:3] == [
        "# Title",
        "",
        "1. First paragraph.",
    ]


def test_latin1_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Côte d'Ivoire médiation".encode("latin-1"))
    assert load(path)[0].text == "Côte d'Ivoire médiation"


def test_binary_bytes_in_txt_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\x00\x01\x02\x03PK\x03\x04" * 200)
    with pytest.raises(DocumentError, match="binary content"):
        load(path)


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("")
    with pytest.raises(DocumentError, match="empty"):
        load(path)


def test_unsupported_extension_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"not really")
    with pytest.raises(DocumentError, match=r"unsupported file type '\.xlsx'"):
        load(path)


def test_corrupt_pdf_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage without xref")
    with pytest.raises(DocumentError, match="PDF"):
        load(path)


def test_corrupt_docx_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(DocumentError, match="DOCX"):
        load(path)


def test_pdf_keeps_page_numbers(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for page in (1, 2):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"{page}. {PARAGRAPH}")
    path = tmp_path / "report.pdf"
    pdf.output(str(path))
    lines = [line for line in load(path) if line.text.strip()]
    assert {line.page for line in lines} == {1, 2}
    assert any(line.text.startswith("2.") and line.page == 2 for line in lines)


def test_docx_paragraphs_load(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Guidance on justice", level=1)
    document.add_paragraph(PARAGRAPH)
    path = tmp_path / "note.docx"
    document.save(str(path))
    texts = [line.text for line in load(path) if line.text]
    assert texts == ["Guidance on justice", PARAGRAPH]


def test_html_main_text_without_navigation(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><body><nav>Home | About</nav><h1>Mediation</h1>"
        f"<p>{PARAGRAPH}</p><p>{PARAGRAPH.replace('mediator', 'envoy')}</p>"
        "<script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    text = "\n".join(line.text for line in load(path))
    assert PARAGRAPH in text
    assert "alert(1)" not in text
