"""Commands that build and list the index: `ingest`, `docs`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.errors import AssistantError
from interfaces.cli import render
from interfaces.cli.app import app, console, fail, settings


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Folders or files (default: the corpus folder).")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the indexes and start clean.")
    ] = False,
    if_stale: Annotated[
        bool, typer.Option("--if-stale", help="Do nothing when the index is up to date.")
    ] = False,
) -> None:
    """Index documents: clean, structure, chunk, embed. Exit 1 if some files failed."""
    from ingest.pipeline import default_paths
    from ingest.pipeline import ingest as run_ingest
    from ingest.records import stale_reason

    cfg = settings()
    try:
        if if_stale and not rebuild:
            reason = stale_reason(cfg, list(paths) if paths else default_paths(cfg))
            if reason is None:
                console.print("Index is up to date.")
                return
            console.print(f"Ingesting: {reason}.")
        with render.IngestProgress(console) as progress:
            report = run_ingest(cfg, paths, rebuild=rebuild, progress=progress)
    except AssistantError as exc:
        raise fail(exc) from None
    render.ingest_report(console, report)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def docs(as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False) -> None:
    """List the indexed documents."""
    from assistant.store.catalog import index_status, load_catalog

    cfg = settings()
    documents = sorted(load_catalog(cfg).values(), key=lambda d: d.doc_id)
    if as_json:
        print(json.dumps([d.model_dump() for d in documents], ensure_ascii=False, indent=1))
        return
    render.documents_table(console, documents, index_status(cfg))
