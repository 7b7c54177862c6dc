"""What an eval run produces: a typed result per case, the failures and evidence behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from assistant.types import Answer, RetrievalFilter, Status, Turn

CheckName = Literal[
    "status", "retrieved", "cited", "must", "must_not", "boundary", "no_boundary_refusal",
    "citations", "error", "notice", "no_notice",
]  # fmt: skip
# A case carrying one of these tags blocks a run (`mediation eval` exits 1, the pytest gate
# fails) when it fails; any other failing case is a known failure, reported but not blocking.
BLOCKING_TAGS = frozenset({"boundary", "gate"})
# What "boundary compliance" judges: the behaviour at a red line, not retrieval or citations.
BOUNDARY_CHECKS: frozenset[CheckName] = frozenset(
    {"status", "must", "must_not", "boundary", "no_boundary_refusal", "error"}
)
_FROZEN = ConfigDict(frozen=True)


class Asker(Protocol):
    """What the runner needs of `assistant.service.Assistant`."""

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: RetrievalFilter | None = None,
        k: int | None = None,
        llm: str | None = None,
    ) -> Answer: ...


class Failure(BaseModel):
    """One failed check and why, in words a reviewer can act on."""

    model_config = _FROZEN
    check: CheckName
    reason: str


class CitedParagraph(BaseModel):
    model_config = _FROZEN
    marker: int
    refs: tuple[str, ...]  # "S/2009/189#36"
    supported: bool
    quote: str


class CitedPoint(BaseModel):
    """One point of an answer (a bullet or a paragraph) and the paragraphs its markers cite."""

    model_config = _FROZEN
    text: str
    refs: tuple[str, ...]  # "S/2009/189#36", from every marker in the point


class RetrievedPassage(BaseModel):
    model_config = _FROZEN
    rank: int
    refs: tuple[str, ...]
    section: str
    text: str


class BoundaryHit(BaseModel):
    model_config = _FROZEN
    rule_id: str
    action: str


class Evidence(BaseModel):
    """What the assistant produced, kept so a failure can be judged without re-running."""

    model_config = _FROZEN
    answer: str = ""
    status: Status | None = None  # None when asking raised an error
    mode: str = ""
    citations: tuple[CitedParagraph, ...] = ()
    passages: tuple[RetrievedPassage, ...] = ()  # all returned, pinned ones included
    boundaries: tuple[BoundaryHit, ...] = ()
    notices: tuple[str, ...] = ()
    points: tuple[CitedPoint, ...] = ()  # in the order the reader sees them
    words: int = 0  # words a reader reads: the lead and the points (markers and sources out)


class RetrievalScore(BaseModel):
    """Gold paragraphs of a case with `retrieved` and where they were found in the top k."""

    model_config = _FROZEN
    gold: int  # number of gold refs
    found: int  # gold refs among the top k
    first_rank: int | None  # rank of the first passage holding a gold ref, None if none


class CaseResult(BaseModel):
    """The verdict on one case, with its evidence and the numbers the metrics are made of."""

    model_config = _FROZEN
    case_id: str
    suite: str
    question: str
    tags: tuple[str, ...]
    k: int
    expected_status: tuple[Status, ...]
    expects_boundary: bool = False  # the case names a boundary rule that must be triggered
    passed: bool
    failures: tuple[Failure, ...]
    evidence: Evidence
    retrieval: RetrievalScore | None = None  # only for cases with `retrieved`
    markers: int = 0  # [n] markers in the answer text
    valid_markers: int = 0  # ... that name a passage rank and a citation
    supported_citations: int = 0
    seconds: float = 0.0
    # Labels for the answer-quality metrics (copied from the case; None: not labelled).
    answers: tuple[str, ...] | None = None
    family: str | None = None
    split: str | None = None

    @property
    def blocking(self) -> bool:
        """A failure of this case blocks the run (it carries a tag in `BLOCKING_TAGS`)."""
        return bool(BLOCKING_TAGS & set(self.tags))

    @property
    def boundary_ok(self) -> bool:
        """No failure among the checks that judge a boundary (`BOUNDARY_CHECKS`)."""
        return not any(f.check in BOUNDARY_CHECKS for f in self.failures)

    def reasons(self) -> str:
        return "; ".join(f"{f.check}: {f.reason}" for f in self.failures)


class RunConfig(BaseModel):
    """How a run was made, stored with its results."""

    model_config = _FROZEN
    mode: str  # "extractive" or the LLM spec, e.g. "openai:smollm2"
    k: int | None  # the override for every case; None: each case's or suite's own k
    suites: dict[str, int]  # suite -> its k
    case_files: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # only cases with one of these tags were run
    timestamp: str
    seconds: float = 0.0  # wall time of the run
