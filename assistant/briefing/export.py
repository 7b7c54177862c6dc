"""A `Briefing` as Markdown, Word (python-docx) or PDF (fpdf2), with the same content in each.

Citations stay bracketed markers (`[3]`) that resolve to the Sources table (marker, symbol,
paragraph, title, date), so an edited and recirculated note keeps its references. Word output
uses real "Heading 1/2" styles so the navigation pane and a table of contents work. The PDF
embeds DejaVu Sans when it is installed (Debian/Ubuntu `fonts-dejavu-core`); without a Unicode
font it falls back to Helvetica, replaces characters outside Latin-1 and says so in the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

from assistant.briefing.types import Briefing, BriefingSection
from assistant.errors import ConfigError

Format = Literal["md", "docx", "pdf"]
FORMATS: tuple[Format, ...] = ("md", "docx", "pdf")
SOURCE_COLUMNS = ("Marker", "Symbol", "Paragraph", "Title", "Date")
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
_LATIN1 = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "•": "-",
        "…": "...",
        "\u00a0": " ",
        "≈": "~",
    }
)


def markers(ms: tuple[int, ...]) -> str:
    return "".join(f"[{m}]" for m in ms)


def title_line(b: Briefing) -> str:
    return f"Briefing note: {b.topic}"


def meta_line(b: Briefing) -> str:
    how = "verbatim extracts" if b.mode == "extractive" else f"drafted with {b.mode[4:]}"
    return f"Prepared {b.created} · {b.length} length · {how} from UN mediation guidance"


def heading(i: int, section: BriefingSection) -> str:
    return f"{i}. {section.title}"


def source_rows(b: Briefing) -> list[tuple[str, str, str, str, str]]:
    return [(f"[{s.marker}]", s.doc_id, s.paragraph, s.title, s.date) for s in b.sources]


def section_items(section: BriefingSection) -> Iterator[tuple[str, str, str, list[str]]]:
    """(kind, lead, text, details) in reading order: intro, points or prose, notes.

    Kinds: "para" (plain), "point" (bullet with markers), "label" (a bold run-in heading),
    "note" (the assistant's own remark, italic; bulleted under a label).
    """
    if section.intro:
        yield "para", "", section.intro, []
    for p in section.points:
        yield "point", p.lead, f"{p.text} {markers(p.markers)}".strip(), list(p.details)
    if section.prose:
        yield "para", "", section.prose, []
    if section.notes and section.kind == "risks":
        yield "label", "", "Open questions and gaps in the guidance", []
    for note in section.notes:
        yield "note", "", note, []


# -- Markdown ------------------------------------------------------------------------------------
def to_markdown(b: Briefing) -> str:
    lines = [f"# {title_line(b)}", "", f"*{meta_line(b)}*", ""]
    if b.context:
        lines += [f"**Context:** {b.context}", ""]
    for i, section in enumerate(b.sections, start=1):
        lines += [f"## {heading(i, section)}", ""]
        for kind, lead, text, details in section_items(section):
            if kind == "point":
                lines.append(f"- **{lead}.** {text}" if lead else f"- {text}")
                lines += [f"  - {d}" for d in details]
            elif kind == "label":
                lines += ["", f"**{text}**", ""]
            elif kind == "note":
                lines.append(f"- *{text}*")
            else:
                lines += [text, ""]
        lines.append("")
    if b.sources:
        lines += [
            "## Sources",
            "",
            "| " + " | ".join(SOURCE_COLUMNS) + " |",
            "|" + "---|" * len(SOURCE_COLUMNS),
        ]
        lines += [
            "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in source_rows(b)
        ]
        lines.append("")
    if b.notices:
        lines += ["## About this draft", ""] + [f"- {n}" for n in b.notices] + [""]
    lines += [f"*{b.closing}*", ""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


# -- Word ----------------------------------------------------------------------------------------
def to_docx(b: Briefing, path: Path | str) -> Path:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = title_line(b)
    doc.add_heading(title_line(b), level=1)
    doc.add_paragraph().add_run(meta_line(b)).italic = True
    if b.context:
        para = doc.add_paragraph()
        para.add_run("Context: ").bold = True
        para.add_run(b.context)
    for i, section in enumerate(b.sections, start=1):
        doc.add_heading(heading(i, section), level=2)
        for kind, lead, text, details in section_items(section):
            para = doc.add_paragraph(style="List Bullet" if kind in ("point", "note") else None)
            if lead:
                para.add_run(f"{lead}. ").bold = True
            run = para.add_run(text)
            run.italic, run.bold = kind == "note", kind == "label"
            for detail in details:
                doc.add_paragraph(detail, style="List Bullet 2")
    if b.sources:
        doc.add_heading("Sources", level=2)
        table = doc.add_table(rows=1, cols=len(SOURCE_COLUMNS))
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, SOURCE_COLUMNS, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(name).bold = True
        for row in source_rows(b):
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = value
    if b.notices:
        doc.add_heading("About this draft", level=2)
        for notice in b.notices:
            doc.add_paragraph(notice, style="List Bullet")
    closing = doc.add_paragraph().add_run(b.closing)
    closing.italic, closing.font.size = True, Pt(10)
    out = Path(path)
    doc.save(str(out))
    return out


# -- PDF -----------------------------------------------------------------------------------------
def unicode_font() -> Path | None:
    """DejaVu Sans if installed (with its bold and italic faces), else None."""
    for folder in FONT_DIRS:
        if (folder / "DejaVuSans.ttf").is_file():
            return folder / "DejaVuSans.ttf"
    return None


def to_pdf(b: Briefing, path: Path | str) -> Path:
    from fpdf import FPDF

    pdf: Any = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(title_line(b))
    font = "helvetica"
    text: Callable[[str], str] = _latin1
    regular = unicode_font()
    if regular is not None:
        font, text = "DejaVu", str
        for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Oblique"), ("BI", "-BoldOblique")):
            face = regular.with_name(f"DejaVuSans{suffix}.ttf")
            pdf.add_font("DejaVu", style, str(face if face.is_file() else regular))
    pdf.add_page()
    base = pdf.l_margin

    def write(
        content: str,
        style: str = "",
        size: float = 10.5,
        indent: float = 0,
        lead: str = "",
        lead_style: str = "B",
    ) -> None:
        pdf.set_left_margin(base + indent)
        pdf.set_x(pdf.l_margin)
        if lead:
            pdf.set_font(font, lead_style, size)
            pdf.write(size * 0.5, text(lead))
        pdf.set_font(font, style, size)
        pdf.write(size * 0.5, text(content))
        pdf.ln(size * 0.5 + 1.5)
        pdf.set_left_margin(base)

    write(title_line(b), "B", 16)
    write(meta_line(b), "I", 9)
    if b.context:
        write(b.context, lead="Context: ")
    if regular is None:
        write(
            "Characters outside Latin-1 were replaced: no Unicode font was found (install "
            "fonts-dejavu-core for a faithful PDF).",
            "I",
            8,
        )
    for i, section in enumerate(b.sections, start=1):
        pdf.ln(2)
        write(heading(i, section), "B", 13)
        for kind, lead, content, details in section_items(section):
            if kind == "point":
                write(content, indent=4, lead=f"•  {lead + '. ' if lead else ''}")
                for detail in details:
                    write(detail, size=9.5, indent=10, lead="–  ", lead_style="")
            elif kind == "label":
                write(content, "B", 10.5)
            elif kind == "note":
                write(content, "I", indent=4, lead="•  ", lead_style="")
            else:
                write(content)
    if b.sources:
        pdf.ln(2)
        write("Sources", "B", 13)
        pdf.set_font(font, "", 8.5)
        with pdf.table(
            col_widths=(14, 24, 20, 110, 20), text_align="LEFT", line_height=4.5
        ) as table:
            for row in (SOURCE_COLUMNS, *source_rows(b)):
                cells = table.row()
                for value in row:
                    cells.cell(text(value))
    if b.notices:
        pdf.ln(2)
        write("About this draft", "B", 11)
        for notice in b.notices:
            write(notice, size=9, indent=4, lead="•  ", lead_style="")
    pdf.ln(2)
    write(b.closing, "I", 9.5)
    out = Path(path)
    pdf.output(str(out))
    return out


def _latin1(value: str) -> str:
    return value.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


# -- files ---------------------------------------------------------------------------------------
def default_filename(b: Briefing, fmt: str) -> Path:
    """`briefing-managing-spoilers-in-the-final-stage.docx`: from the topic's first words."""
    slug = "-".join(re.findall(r"[a-z0-9]+", b.topic.lower())[:7]) or "note"
    return Path(f"briefing-{slug}.{fmt}")


def export(b: Briefing, fmt: str, path: Path | str) -> Path:
    """Write the note in `fmt` (md, docx or pdf) to `path`."""
    if fmt not in FORMATS:
        raise ConfigError(f"Unknown format {fmt!r}; use md, docx or pdf.")
    if fmt == "docx":
        return to_docx(b, path)
    if fmt == "pdf":
        return to_pdf(b, path)
    out = Path(path)
    out.write_text(to_markdown(b), encoding="utf-8")
    return out
