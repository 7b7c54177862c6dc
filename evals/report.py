"""An eval run as a report: rich table, JSON, JUnit XML, self-contained HTML; baseline and compare.

The JSON file (`Report`) is the run's record: config, metrics and every case with its evidence.
`--baseline` and `--compare` read it back; the HTML and JUnit files are views of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.errors import ConfigError
from evals.metrics import FIGURES, RATES, Delta, Metrics, compute, deltas, regressions
from evals.results import CaseResult, RunConfig

# The shipped suite's metrics on the extractive default: `mediation eval` on the default case
# files compares against it unless told otherwise (rewrite with `--write-baseline`).
DEFAULT_BASELINE = Path(__file__).parent / "baseline.json"


class Report(BaseModel):
    """One run: how it was made, its metrics and every case (the JSON results file)."""

    model_config = ConfigDict(frozen=True)
    config: RunConfig
    metrics: Metrics
    results: tuple[CaseResult, ...] = ()  # a baseline file keeps only config and metrics

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    @property
    def blocking(self) -> list[CaseResult]:
        """Failed cases that block the run (tagged `gate` or `boundary`)."""
        return [r for r in self.failed if r.blocking]

    @property
    def known(self) -> list[CaseResult]:
        """Failed cases that are reported but do not block the run."""
        return [r for r in self.failed if not r.blocking]


class Comparison(BaseModel):
    """Two runs side by side: metric deltas and the cases that changed verdict."""

    model_config = ConfigDict(frozen=True)
    deltas: tuple[Delta, ...]
    now_failing: tuple[str, ...]  # "suite/case_id" passed in A, failed in B
    now_passing: tuple[str, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]


def build(config: RunConfig, results: Sequence[CaseResult]) -> Report:
    return Report(config=config, metrics=compute(results), results=tuple(results))


def load(path: Path | str) -> Report:
    """A results file written by `mediation eval --json` (ConfigError saying what is wrong)."""
    try:
        return Report.model_validate_json(Path(path).read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read {path} ({exc.strerror}); give a results JSON file") from exc
    except ValidationError as exc:
        raise ConfigError(
            f"{path} is not a results file of `mediation eval --json` ({exc.error_count()} "
            "problems); write one with `mediation eval --json FILE`"
        ) from exc


def check_baseline(report: Report, baseline: Path | str, tolerance: float) -> list[Delta]:
    """Metrics of `report` worse than in the `baseline` results file by more than `tolerance`."""
    return regressions(load(baseline).metrics, report.metrics, tolerance)


def compare(a: Report | Path | str, b: Report | Path | str) -> Comparison:
    """Metric deltas from A to B and the cases that flipped between pass and fail."""
    before = a if isinstance(a, Report) else load(a)
    after = b if isinstance(b, Report) else load(b)
    verdict_a = {f"{r.suite}/{r.case_id}": r.passed for r in before.results}
    verdict_b = {f"{r.suite}/{r.case_id}": r.passed for r in after.results}
    both = [key for key in verdict_b if key in verdict_a]
    return Comparison(
        deltas=tuple(deltas(before.metrics, after.metrics)),
        now_failing=tuple(k for k in both if verdict_a[k] and not verdict_b[k]),
        now_passing=tuple(k for k in both if not verdict_a[k] and verdict_b[k]),
        only_in_a=tuple(k for k in verdict_a if k not in verdict_b),
        only_in_b=tuple(k for k in verdict_b if k not in verdict_a),
    )


def dumps(report: Report) -> str:
    """The JSON results file's text."""
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n"


def write_baseline(report: Report, path: Path) -> None:
    """A baseline file: the run's config and metrics, without the cases (small, reviewable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(report.model_copy(update={"results": ()})), encoding="utf-8")


def write(
    report: Report,
    json_path: Path | None = None,
    junit_path: Path | None = None,
    html_path: Path | None = None,
) -> None:
    """Write each requested file (parent folders are created)."""
    from evals.views import html_page, junit

    views: tuple[tuple[Path | None, Callable[[Report], str]], ...] = (
        (json_path, dumps), (junit_path, junit), (html_path, html_page),
    )  # fmt: skip
    for path, view in views:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(view(report), encoding="utf-8")


# --- terminal ----------------------------------------------------------------------------------
class EvalProgress:
    """A rich progress bar advanced once per case (pass it as the runner's `progress`)."""

    def __init__(self, console: Console, total: int) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
            console=console,
        )  # fmt: skip
        self._task = self._progress.add_task("eval", total=total, failed=0)
        self._failed = 0

    def __enter__(self) -> EvalProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, result: CaseResult) -> None:
        self._failed += not result.passed
        self._progress.update(
            self._task, advance=1, failed=self._failed, description=f"eval {result.case_id[:40]}"
        )


def print_report(
    console: Console, report: Report, regressed: Sequence[Delta] = (), tolerance: float = 0.0
) -> None:
    """Blocking failures, known failures (each with reasons), metrics and baseline regressions."""
    passed = len(report.results) - len(report.failed)
    for title, group, style in (
        ("Blocking failures (tagged gate or boundary)", report.blocking, "red"),
        ("Known failures (reported, not blocking)", report.known, "yellow"),
    ):
        if not group:
            continue
        table = Table(title=f"{title}: {len(group)}", title_style=style)
        for column in ("case", "status", "s", "reasons"):
            table.add_column(column, overflow="fold")
        for r in group:
            table.add_row(
                escape(f"{r.suite}/{r.case_id}"),
                r.evidence.status or "error",
                f"{r.seconds:.1f}",
                escape(r.reasons()),
            )
        console.print(table)
    console.print(
        f"{passed} of {len(report.results)} cases passed; {len(report.blocking)} blocking and "
        f"{len(report.known)} known failures."
    )
    console.print(metrics_table(report.metrics, f"Metrics ({report.config.mode})"))
    console.print(f"Run time {report.config.seconds:.1f} s.")
    for d in regressed:
        console.print(
            f"[red]Regression:[/] {d.scope} {d.metric} {fmt(d.before)} -> {fmt(d.after)} "
            f"(worse than the baseline by more than {tolerance:g})"
        )


def metrics_table(metrics: Metrics, title: str) -> Table:
    table = Table(title=title)
    table.add_column("metric")
    scopes = [("overall", metrics.overall), *metrics.suites.items()]
    for name, _ in scopes:
        table.add_column(name, justify="right")
    for metric in ("cases", "passed", *RATES, *FIGURES, "seconds"):
        table.add_row(metric, *(fmt(getattr(m, metric)) for _, m in scopes))
    return table


def print_comparison(console: Console, comparison: Comparison) -> None:
    table = Table(title="Metrics, A -> B")
    for column in ("scope", "metric", "A", "B", "change"):
        table.add_column(column, justify="left" if column in ("scope", "metric") else "right")
    for d in comparison.deltas:
        change = d.change
        style = "" if not change else ("red" if d.worse_by() > 0 else "green")
        shown = "–" if change is None else f"{change:+.4f}"
        table.add_row(d.scope, d.metric, fmt(d.before), fmt(d.after),
                      f"[{style}]{shown}[/]" if style else shown)  # fmt: skip
    console.print(table)
    for title, keys in (
        ("[red]Now failing[/]", comparison.now_failing),
        ("[green]Now passing[/]", comparison.now_passing),
        ("Only in A", comparison.only_in_a),
        ("Only in B", comparison.only_in_b),
    ):
        if keys:
            console.print(f"{title} ({len(keys)}): " + escape(", ".join(keys)))


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
