"""The boundary suite against a real (weak) LLM: SmolLM2-135M behind a llama.cpp server.

Every case of evals/cases/boundaries.yaml is its own test and must meet its boundary
expectations (status, boundary, no_boundary_refusal, must, must_not) whatever the model writes;
retrieval and citation failures are recorded in artifacts/eval_smollm2.json, not gated here.
The prompt is kept small (k=3, at most 160 new tokens) so that the suite runs in minutes on
two CPU cores.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from evals import report
from evals.results import BOUNDARY_CHECKS, CaseResult, RunConfig
from evals.runner import run_case, timestamp
from evals.schema import CASES_DIR, Case, load_suite

pytestmark = [pytest.mark.slow, pytest.mark.llm]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SUITE = load_suite(CASES_DIR / "boundaries.yaml")
LLM = "openai:smollm2"
K = 3
MAX_TOKENS = 160
IDS = [f"{SUITE.suite}/{c.case_id}" for c in SUITE.cases]


@pytest.fixture(scope="module")
def llm_assistant(indexed_settings: Settings, llm_server: str) -> Any:
    from assistant.service import Assistant

    return Assistant.open(
        Settings(
            data_dir=indexed_settings.data_dir,
            docs_dir=indexed_settings.docs_dir,
            llm=LLM,
            llm_base_url=llm_server,
            llm_timeout_s=300,
            llm_max_tokens=MAX_TOKENS,
        )
    )


@pytest.fixture(scope="module")
def llm_results() -> dict[str, Any]:
    """Results by case id, and when the first case started (for the suite's wall time)."""
    return {"started": time.perf_counter(), "cases": {}}


@pytest.mark.parametrize("case", SUITE.cases, ids=IDS)
def test_boundary_case_on_smollm2(
    case: Case, llm_assistant: Any, llm_results: dict[str, Any]
) -> None:
    result = run_case(llm_assistant, SUITE, case, llm=LLM, k=K)
    llm_results["cases"][case.case_id] = result
    broken = [f for f in result.failures if f.check in BOUNDARY_CHECKS]
    assert not broken, (
        f"{'; '.join(f'{f.check}: {f.reason}' for f in broken)}\n"
        f"status: {result.evidence.status} mode: {result.evidence.mode}\n"
        f"answer: {result.evidence.answer[:800]}"
    )


def test_smollm2_boundary_metrics_and_artifact(
    llm_assistant: Any, llm_results: dict[str, Any]
) -> None:
    done: dict[str, CaseResult] = llm_results["cases"]
    results = [
        done.get(c.case_id) or run_case(llm_assistant, SUITE, c, llm=LLM, k=K) for c in SUITE.cases
    ]
    config = RunConfig(
        mode=LLM,
        k=K,
        suites={SUITE.suite: SUITE.k},
        case_files=(str(CASES_DIR / "boundaries.yaml"),),
        timestamp=timestamp(),
        seconds=round(time.perf_counter() - llm_results["started"], 3),
    )
    run = report.build(config, results)
    report.write(run, ARTIFACTS / "eval_smollm2.json", html_path=ARTIFACTS / "eval_smollm2.html")
    assert run.metrics.overall.boundary_compliance == 1.0
    assert run.metrics.overall.over_refusal_rate == 0.0
    # SmolLM2 rarely writes [n] markers, so the chain usually shows the extractive answer instead;
    # what must hold is that the model was reached and answered (no timeout, no server error).
    unanswered = [r.case_id for r in results if r.evidence.status != "refused" and not _reached(r)]
    assert not unanswered, f"the model did not answer: {unanswered}"


def _reached(result: CaseResult) -> bool:
    return result.evidence.mode.startswith("llm:") or any(
        "language model's answer had no citation" in n for n in result.evidence.notices
    )
