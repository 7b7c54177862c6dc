"""Commands for evaluators: `eval`, `audit`, `feedback export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.errors import AssistantError, InvalidQuestion
from assistant.feedback import ExportFormat
from interfaces.cli import render
from interfaces.cli.app import app, console, err, fail, settings


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
        typer.Option(
            "--baseline",
            help="Exit 1 if a metric is worse than in this results JSON (default, for the "
            "default case files: evals/baseline.json).",
        ),
    ] = None,
    no_baseline: Annotated[
        bool, typer.Option("--no-baseline", help="Compare with no baseline.")
    ] = False,
    write_baseline: Annotated[
        Path | None,
        typer.Option("--write-baseline", help="Write this run's metrics as a baseline file."),
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
    """Run eval cases; exit 1 if a gated case fails or a metric drops below the baseline.

    Gated cases carry the tag `gate` or `boundary`; other failures are listed as known failures
    and do not change the exit code. Exit 2 on bad input.
    """
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
        if write_baseline is not None:
            report.write_baseline(result, write_baseline)
        if baseline is None and not (cases or tag or no_baseline):
            baseline = report.DEFAULT_BASELINE if report.DEFAULT_BASELINE.is_file() else None
        regressed = (
            report.check_baseline(result, baseline, tolerance) if baseline and not no_baseline
            else []
        )  # fmt: skip
    except AssistantError as exc:  # a CaseFileError names the file and the line
        raise fail(exc) from None
    report.print_report(console, result, regressed, tolerance)
    if baseline and not no_baseline:
        console.print(f"Compared with the baseline {baseline} (tolerance {tolerance:g}).")
    if result.blocking or regressed:
        raise typer.Exit(1)


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
    from assistant.feedback import FeedbackStore, export

    records = FeedbackStore(settings().feedback_db).all()
    if output is None:
        count = export(records, fmt, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="") as out:
            count = export(records, fmt, out)
        err.print(f"Wrote {count} feedback records to {output}.")
    if count == 0:
        err.print("No feedback yet; ratings given in the web app (`mediation serve`) appear here.")
