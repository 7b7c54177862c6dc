"""The `mediation` command: thin wiring from typer options to the assistant and the pipeline.

Errors of the product (`AssistantError`) are translated once here: a message, no traceback,
exit code 2 for configuration and input errors.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import typer
from rich.console import Console

from assistant.config import Settings
from assistant.errors import AssistantError, InvalidQuestion
from assistant.types import RetrievalFilter
from ui import render
from ui.web.feedback_store import ExportFormat

app = typer.Typer(
    help="Mediation Guidance Assistant: cited answers from UN mediation guidance, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def fail(exc: AssistantError, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {exc}")
    return typer.Exit(code)


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
    from assistant.catalog import index_status, load_catalog

    cfg = settings()
    documents = sorted(load_catalog(cfg).values(), key=lambda d: d.doc_id)
    if as_json:
        print(json.dumps([d.model_dump() for d in documents], ensure_ascii=False, indent=1))
        return
    render.documents_table(console, documents, index_status(cfg))


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
    from assistant.briefing import build_briefing
    from assistant.briefing_export import FORMATS, default_filename, export, to_markdown
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


@app.command("audit")
def audit_log(
    since: Annotated[
        str | None, typer.Option("--since", help="Only events on or after YYYY-MM-DD.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines output.")] = False,
) -> None:
    """Print the boundary audit log (every notice, refusal and correction)."""
    from datetime import date

    from assistant.audit import read_audit

    cfg = settings()
    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        raise fail(InvalidQuestion(f"--since {since!r} is not a date; use YYYY-MM-DD.")) from None
    records = read_audit(cfg.audit_log, day)
    if as_json:
        for record in records:
            print(record.model_dump_json())
        return
    render.audit_table(console, records)


@app.command("eval")
def eval_cases(
    cases: Annotated[
        list[Path] | None,
        typer.Argument(help="Case files (default evals/cases/*.yaml); --compare: A.json B.json."),
    ] = None,
    llm: Annotated[
        str | None, typer.Option("--llm", help="none | openai:<model> | llamacpp:<gguf>")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the results JSON (config, metrics, cases).")
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML.")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the self-contained HTML report.")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Exit 1 if a metric is worse than in this results JSON."),
    ] = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Allowed absolute metric drop against --baseline.")
    ] = 0.02,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Only cases with this tag (repeatable).")
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Compare two results JSON files (deltas, flips).")
    ] = False,
) -> None:
    """Run eval cases; exit 1 if one fails or a metric drops below --baseline, 2 on bad input."""
    from assistant.service import Assistant
    from evals import report, runner
    from evals.schema import default_case_files, load_suites

    if compare and len(cases or []) != 2:
        raise typer.BadParameter("give two results files: mediation eval --compare A.json B.json")
    try:
        if compare:
            report.print_comparison(console, report.compare(*(cases or [])))
            return
        files = cases or default_case_files()
        chosen = runner.selected(load_suites(files), tag or ())
        cfg = settings(llm=llm)
        assistant = Assistant.open(cfg)
        with report.EvalProgress(console, len(chosen)) as progress:
            config, results = runner.evaluate(
                assistant, chosen, cfg.llm, None, files, tag or (), progress
            )
        result = report.build(config, results)
        report.write(result, json_out, junit, html)
        regressed = report.check_baseline(result, baseline, tolerance) if baseline else []
    except AssistantError as exc:  # a CaseFileError names the file and the line
        raise fail(exc) from None
    report.print_report(console, result, regressed, tolerance)
    if result.failed or regressed:
        raise typer.Exit(1)


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8501,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
) -> None:
    """Start the web app (Streamlit) on http://HOST:PORT."""
    app_path = Path(__file__).parent / "web" / "app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no "Deploy" button or developer menu for field staff
    ]
    console.print(f"Serving the web app on http://{host}:{port} (Ctrl+C stops it).")
    sys.stdout.flush()
    # exec, not a child process: signals (Ctrl+C, a supervisor's SIGTERM) reach Streamlit itself.
    os.execv(sys.executable, command)


feedback_app = typer.Typer(help="Feedback given on answers in the web app.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or jsonl.")] = ExportFormat.csv,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to FILE instead of stdout.")
    ] = None,
) -> None:
    """Export every rating and comment with its question, answer, citations and mode."""
    from ui.web.feedback_store import FeedbackStore, export

    records = FeedbackStore(settings().feedback_db).all()
    if output is None:
        count = export(records, fmt, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as out:
            count = export(records, fmt, out)
        err.print(f"Wrote {count} feedback records to {output}.")
    if count == 0:
        err.print("No feedback yet; ratings given in the web app (`mediation serve`) appear here.")


def main() -> None:  # pragma: no cover - console entry point
    app()
