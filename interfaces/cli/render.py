"""Terminal rendering for the CLI (rich): answers with readable citations, tables, progress."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.types import (
    Answer,
    BoundaryEvent,
    DocumentSummary,
    IndexStatus,
    cite_label,
    replace_markers,
)

_STATUS_STYLE = {
    "answered": "green",
    "partial": "yellow",
    "no_evidence": "magenta",
    "refused": "red",
}


_KIND_TITLE = {
    "notice": "Boundary",
    "correction": "Correction",
    "refusal": "Not drafted",
    "removal": "Removed from the answer",
}


def readable(answer: Answer, text: str) -> str:
    """`text` with its `[n]` markers rendered as `(S/2009/189, para. 36)`."""
    labels = {c.marker: cite_label(c.doc_id, c.paragraphs) for c in answer.citations}
    for rank, passage in enumerate(answer.passages, start=1):
        labels.setdefault(rank, cite_label(passage.doc_id, passage.paragraphs))
    return replace_markers(text, lambda n: f"({labels[n]})" if n in labels else f"[{n}]")


def boundary_text(event: BoundaryEvent) -> str:
    """A boundary as plain text: the rule with its sources, the nuance, the alternatives."""
    lines = [event.cited_statement()]
    if event.kind == "correction":
        lines.insert(0, "The question assumes something UN guidance does not allow.")
    if event.refusal:
        lines.insert(0, event.refusal)
    if event.nuance and event.kind != "removal":
        lines.append(event.nuance)
    if event.alternatives:
        lines += ["What I can do instead:", *(f"- {alt}" for alt in event.alternatives)]
    return "\n".join(lines)


def answer_text(result: Answer) -> str:
    """Summary and points, citations readable; the Sources list follows the panel."""
    lines = ["What the guidance says instead:", ""] if result.refusal else []
    if result.summary:
        lines += [result.summary, ""]
    bullet = "- " if result.layout == "points" else ""
    gap = result.layout == "prose"
    for point in result.points:
        lines += [bullet + readable(result, point.text), *([""] if gap else [])]
    return "\n".join(lines).strip()


def answer(console: Console, result: Answer) -> None:
    style = _STATUS_STYLE.get(result.status, "white")
    shown = result.refusal or tuple(b for b in result.boundaries if b.kind != "removal")
    for event in shown:
        console.print(
            Panel(
                escape(boundary_text(event)),
                title=escape(f"{_KIND_TITLE[event.kind]}: {event.title or event.rule_id}"),
                border_style="red" if event.kind == "refusal" else "yellow",
            )
        )
    console.print(
        Panel(
            escape(answer_text(result)),
            title=f"[{style}]{result.status}[/] · {result.mode}",
            border_style=style,
        )
    )
    for source in result.sources:
        where = f" ({source.section})" if source.section else ""
        console.print(
            f"[dim]\\[{source.marker}][/] {escape(source.label)} — {escape(source.title)}"
            f"[dim]{escape(where)}[/]"
        )
    for event in (b for b in result.boundaries if b.kind == "removal"):
        console.print(
            Panel(
                escape(boundary_text(event)),
                title=escape(f"{_KIND_TITLE[event.kind]}: {event.title or event.rule_id}"),
                border_style="red",
            )
        )
    for notice in result.notices:
        console.print(f"[yellow]Notice:[/] {escape(notice)}")
    unsupported = [c for c in result.citations if not c.supported]
    for citation in unsupported:
        console.print(f"[red]Unsupported citation:[/] [{citation.marker}] {citation.label}")
    console.print(
        f"[dim]{result.timings_ms.get('total', 0):.0f} ms · "
        f"{len(result.passages)} passages retrieved[/]"
    )


class IngestProgress:
    """Rich bars for documents, chunks and embedding, driven by the pipeline's Progress calls."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._docs = self._progress.add_task("documents", total=None)
        self._chunks = self._progress.add_task("chunks", total=None)
        self._embedded = self._progress.add_task("embedded", total=None)

    def __enter__(self) -> IngestProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()

    def start(self, documents: int) -> None:
        self._progress.update(self._docs, total=documents)

    def document(self, name: str) -> None:
        self._progress.update(self._docs, advance=1, description=f"documents ({name[:30]})")

    def chunks(self, count: int) -> None:
        self._progress.update(self._chunks, advance=count)

    def embedded(self, count: int) -> None:
        self._progress.update(self._embedded, advance=count)


def ingest_report(console: Console, report: Any) -> None:
    table = Table(title=f"Ingest summary ({report.seconds:.1f} s)")
    for column in ("added", "updated", "unchanged", "removed", "failed", "chunks", "embedded"):
        table.add_column(column, justify="right")
    table.add_row(
        *(str(report.count(s)) for s in ("added", "updated", "unchanged", "removed", "failed")),
        str(report.chunks),
        str(report.embedded),
    )
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]Warning:[/] {escape(warning)}")
    for failed in report.failed:
        console.print(f"[red]Failed:[/] {escape(failed.file)}: {escape(failed.reason)}")


def documents_table(
    console: Console, documents: Sequence[DocumentSummary], status: IndexStatus
) -> None:
    table = Table(title=f"{status.documents} documents, {status.chunks} chunks")
    for column in ("doc_id", "title", "kind", "date", "chunks", "paragraphs"):
        table.add_column(column)
    for doc in documents:
        table.add_row(
            doc.doc_id,
            doc.title[:60],
            doc.kind,
            doc.date,
            str(doc.chunks),
            f"{doc.first_label} – {doc.last_label}",
        )
    console.print(table)
    if not status.complete:
        console.print("[red]The last ingest did not finish; run `mediation ingest`.[/]")


def audit_table(console: Console, records: Sequence[Any]) -> None:
    table = Table(title=f"{len(records)} boundary events")
    for column in ("time", "rule", "action", "mode", "question"):
        table.add_column(column)
    for r in records:
        table.add_row(str(r.time), r.rule_id, r.action, r.mode, escape(r.question[:80]))
    console.print(table)
