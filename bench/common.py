"""Shared set-up for the benchmarks: the real corpus ingested once into a bench data dir."""

from __future__ import annotations

import resource
from pathlib import Path

from assistant.config import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "guidance_docs"
BENCH_DATA = ROOT / ".mediation-bench"


def bench_settings(**overrides: object) -> Settings:
    return Settings(data_dir=BENCH_DATA, docs_dir=CORPUS, **overrides)  # type: ignore[arg-type]


def ensure_index(settings: Settings) -> None:
    from ingest.pipeline import ingest
    from ingest.records import stale_reason

    if stale_reason(settings, [settings.docs_dir]) is not None:
        ingest(settings)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
