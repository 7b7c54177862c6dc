"""The eval case-file format (evals/cases/*.yaml) and its loader.

Every mistake in a case file is reported as `CaseFileError` naming the file and the line of the
offending key, so that a typo in one of several hundred cases is a one-line fix, not a hunt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    model_validator,
)

from assistant.errors import ConfigError

CASES_DIR = Path(__file__).parent / "cases"

Status = Literal["answered", "partial", "no_evidence", "refused"]
Split = Literal["dev", "test"]  # dev: tune here; test: report here, never tune


class CaseFileError(ConfigError):
    """A case file cannot be used as it is; the message gives `file:line` and what is wrong."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {problem}")


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
    return pattern


def _check_ref(ref: str) -> str:
    doc_id, sep, label = ref.partition("#")
    if not (sep and doc_id.strip() and label.strip()) or "#" in label:
        raise ValueError(
            f"{ref!r} is not a paragraph reference; write doc_id#label, e.g. S/2009/189#36"
        )
    return ref


Regex = Annotated[str, AfterValidator(_check_regex)]
Ref = Annotated[str, AfterValidator(_check_ref)]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Expect(BaseModel):
    """What a passing answer looks like; unset keys are not checked.

    Either `status` (the answer's status is one of these) or `error` (asking raises an
    `AssistantError` whose message matches this regex, e.g. an unknown document id).
    """

    model_config = _FROZEN
    status: tuple[Status, ...] = ()  # any of these statuses passes
    error: Regex | None = None
    retrieved: tuple[Ref, ...] = ()  # paragraphs expected in the top k
    retrieved_mode: Literal["any", "all"] = "any"
    cited: tuple[Ref, ...] = ()  # paragraphs the answer must cite
    must: tuple[Regex, ...] = ()  # regexes the answer text must match
    must_not: tuple[Regex, ...] = ()
    boundary: str | None = None  # rule_id of a boundary rule that must be triggered
    no_boundary_refusal: bool = False  # the answer must not be a boundary refusal
    notice: Regex | None = None  # one of the answer's notices must match
    no_notice: Regex | None = None  # none of the answer's notices may match

    @model_validator(mode="after")
    def _status_or_error(self) -> Expect:
        if bool(self.status) == bool(self.error):
            raise ValueError(
                "give either status (the statuses that pass) or error (a regex the error "
                "message must match), not both and not neither"
            )
        return self


class Turn(BaseModel):
    """One earlier exchange of a follow-up conversation."""

    model_config = _FROZEN
    question: str
    answer: str


class Filters(BaseModel):
    """Retrieval filters passed with the question."""

    model_config = _FROZEN
    doc_ids: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


class Case(BaseModel):
    """One question and what its answer must satisfy."""

    model_config = _FROZEN
    case_id: str = Field(alias="id", min_length=1, pattern=r"^\S+$")
    question: str = Field(min_length=1)
    history: tuple[Turn, ...] = ()
    tags: tuple[str, ...] = ()
    filters: Filters | None = None
    k: PositiveInt | None = None  # overrides the suite's k
    expect: Expect
    # Labels for the answer-quality metrics (evals/answer_metrics.py): every paragraph that
    # answers the question (empty: nothing in the corpus, or in the filtered part, answers it),
    # the phrasing family the case belongs to, and the split (dev: tune, test: report only).
    answers: tuple[Ref, ...] | None = None
    family: str | None = Field(default=None, min_length=1)
    split: Split | None = None

    @model_validator(mode="after")
    def _labelled_together(self) -> Case:
        if self.split is not None and (self.family is None or self.answers is None):
            raise ValueError("a case with a split needs its family and its answers")
        return self


class Suite(BaseModel):
    """One case file."""

    model_config = _FROZEN
    suite: str
    description: str
    k: PositiveInt = 5
    cases: tuple[Case, ...]


def default_case_files() -> list[Path]:
    """The case files packaged with evals, in a stable order."""
    return sorted(CASES_DIR.glob("*.yaml"))


def load_suite(path: Path | str) -> Suite:
    """Read and validate one case file; a case id used twice in it is an error."""
    return load_suites([path])[0]


def load_suites(paths: Iterable[Path | str]) -> list[Suite]:
    """Read several case files; a case id used twice, in one file or across files, is an error."""
    suites: list[Suite] = []
    seen: dict[str, tuple[Path, int | None]] = {}
    splits: dict[str, tuple[str, str]] = {}  # family -> (split, first case id)
    for raw in paths:
        path = Path(raw)
        suite, lines = _load(path)
        for case in suite.cases:
            line = lines.get(case.case_id)
            if case.family is not None and case.split is not None:
                split, first = splits.setdefault(case.family, (case.split, case.case_id))
                if split != case.split:
                    raise CaseFileError(
                        path,
                        line,
                        f"family {case.family!r} is in the {split} split ({first}) and the "
                        f"{case.split} split ({case.case_id}); a family belongs to one split",
                    )
            if case.case_id in seen:
                first_path, first_line = seen[case.case_id]
                raise CaseFileError(
                    path,
                    line,
                    f"duplicate case id {case.case_id!r}, first used at {first_path}:{first_line}; "
                    "rename one of them",
                )
            seen[case.case_id] = (path, line)
        suites.append(suite)
    return suites


def _load(path: Path) -> tuple[Suite, dict[str, int | None]]:
    """The suite and, for each case id, the line it is written on."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseFileError(path, None, f"cannot read the case file ({exc.strerror})") from exc
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise CaseFileError(path, None, "the file is empty; expected suite, description, cases")
        _reject_duplicate_keys(path, root)
        data: Any = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise CaseFileError(path, line, f"not valid YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise CaseFileError(path, None, f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        node = _node_at(root, loc)
        if error["type"] == "extra_forbidden":
            problem = (
                f"{_dotted(loc[:-1]) or 'top level'}: unknown key {loc[-1]!r}; "
                "check its spelling against evals/schema.py"
            )
        else:
            problem = f"{_dotted(loc) or 'top level'}: {error['msg']}"
        more = len(exc.errors()) - 1
        if more:
            problem += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise CaseFileError(path, node.start_mark.line + 1, problem) from exc
    lines: dict[str, int | None] = {}
    for index, case in enumerate(suite.cases):
        lines.setdefault(case.case_id, _node_at(root, ("cases", index, "id")).start_mark.line + 1)
    return suite, lines


def _dotted(loc: tuple[int | str, ...]) -> str:
    """("cases", 3, "expect", "must", 0) -> "cases[3].expect.must[0]"."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _node_at(node: yaml.Node, loc: tuple[int | str, ...]) -> yaml.Node:
    """The deepest node along a pydantic error location; a key found last is the key itself.

    A missing key yields the mapping that lacks it, so its line is where the key belongs.
    """
    for step, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == part), None)
            if match is None:
                return node
            key, value = match
            node = key if step == len(loc) - 1 else value
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _reject_duplicate_keys(path: Path, node: yaml.Node) -> None:
    # PyYAML keeps the last of two equal keys silently; a second `expect:` would hide the first.
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            if key.value in seen:
                raise CaseFileError(path, key.start_mark.line + 1, f"duplicate key {key.value!r}")
            seen.add(key.value)
            _reject_duplicate_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(path, item)
