"""Commands that answer: `ask` (one question or a batch) and `brief`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.errors import AssistantError, InvalidQuestion
from assistant.types import RetrievalFilter
from interfaces.cli import render
from interfaces.cli.app import app, console, err, fail, settings


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The JSON contract (see README).")
    ] = False,
    k: Annotated[int | None, typer.Option("--k", help="Passages to retrieve.")] = None,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only these doc_ids (repeatable).")
    ] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Only these kinds.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Documents dated from YYYY[-MM[-DD]].")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Documents dated up to YYYY[-MM[-DD]].")
    ] = None,
    llm: Annotated[
        str | None, typer.Option("--llm", help="none | openai:<model> | llamacpp:<gguf>")
    ] = None,
    batch: Annotated[
        Path | None, typer.Option("--batch", help="One question per line; one JSON line out each.")
    ] = None,
) -> None:
    """Ask a question; the answer cites document symbol and paragraph."""
    from assistant.service import Assistant

    filters = RetrievalFilter(
        doc_ids=tuple(doc or ()), kinds=tuple(kind or ()), date_from=date_from, date_to=date_to
    )
    if batch is None and question is None:
        raise fail(InvalidQuestion("Give a question, or --batch FILE."))
    try:
        assistant = Assistant.open(settings())
        if batch is not None:
            _ask_batch(assistant, batch, filters, k, llm)
            return
        assert question is not None
        answer = assistant.ask(question, filters=filters, k=k, llm=llm)
    except AssistantError as exc:
        raise fail(exc) from None
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
    else:
        render.answer(console, answer)


def _ask_batch(
    assistant: Any, path: Path, filters: RetrievalFilter, k: int | None, llm: str | None
) -> None:
    if not path.is_file():
        raise InvalidQuestion(f"{path} does not exist; give a file with one question per line.")
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            out = assistant.ask(line, filters=filters, k=k, llm=llm).to_json()
        except InvalidQuestion as exc:
            out = {"question": line[:200], "error": str(exc)}
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()


@app.command()
def brief(
    topic: Annotated[str, typer.Argument(help="The topic, e.g. 'managing spoilers'.")],
    context: Annotated[str, typer.Option("--context", help="Situation and audience.")] = "",
    length: Annotated[str, typer.Option("--length", help="short | standard")] = "standard",
    fmt: Annotated[str, typer.Option("--format", help="md | docx | pdf")] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File (docx/pdf: named after the topic).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Briefing as JSON.")] = False,
    llm: Annotated[
        str | None, typer.Option("--llm", help="none | openai:<model> | llamacpp:<gguf>")
    ] = None,
) -> None:
    """Write a briefing note on a topic, every point cited to the paragraph."""
    from assistant.briefing.builder import build_briefing
    from assistant.briefing.export import FORMATS, default_filename, export, to_markdown
    from assistant.service import Assistant

    if fmt not in FORMATS:
        raise fail(InvalidQuestion(f"--format {fmt!r} is not one of md, docx, pdf."))
    try:
        assistant = Assistant.open(settings())
        with err.status("Building the note") as status:
            note = build_briefing(
                assistant,
                topic,
                context,
                length,
                llm,  # type: ignore[arg-type]
                progress=lambda name: status.update(f"Building: {name}"),
            )
        if as_json:
            print(note.model_dump_json(indent=1))
        elif fmt == "md" and output is None:
            print(to_markdown(note))
        else:
            err.print(f"Wrote {export(note, fmt, output or default_filename(note, fmt))}")
    except AssistantError as exc:
        raise fail(exc) from None
