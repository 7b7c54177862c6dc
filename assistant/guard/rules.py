"""Boundary rules as data: the typed, compiled form of `guidance_docs/boundaries.yaml`.

Every pattern is compiled once at load with its `{term}`s expanded; a bad pattern, an unknown
term, a malformed source or a missing field is a `ConfigError` that names the rule and field.
`assistant/boundaries.py` matches with these; this module only defines and validates them.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from assistant.errors import ConfigError
from assistant.types import BoundaryAction, BoundaryEvent

Negation = Literal["clause", "before", "none"]
FLAGS = re.IGNORECASE | re.MULTILINE
_REF = re.compile(r"^[^#\s]+#[^#\s]+$")
_TERM = re.compile(r"\{([a-z_]+)\}")


class Matcher(BaseModel):
    """One compiled pattern and how far negation around a match is looked for."""

    model_config = ConfigDict(frozen=True)

    source: str  # the pattern as written in boundaries.yaml (terms not expanded)
    regex: re.Pattern[str]
    negation: Negation = "clause"  # clause: before, inside, after; before: only before; none


class Rule(BaseModel):
    """One normative boundary, as loaded from boundaries.yaml (see the file's header)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1)
    statement: str = Field(min_length=1)
    nuance: str = Field(min_length=1)
    refusal: str = Field(min_length=1)
    corpus: tuple[str, ...] = Field(min_length=1)  # "S/2009/189#36"
    external: tuple[str, ...] = ()
    pinned: tuple[str, ...] = ()
    triggers: tuple[Matcher, ...] = Field(min_length=1)
    crossings: tuple[Matcher, ...] = ()
    violations: tuple[Matcher, ...] = ()
    negations: re.Pattern[str] | None = None
    exempt_if: re.Pattern[str] | None = None
    alternatives: tuple[str, ...] = Field(min_length=1)

    @field_validator("triggers", "crossings", "violations", mode="before")
    @classmethod
    def _compile_matchers(cls, raw: Any, info: ValidationInfo) -> Any:
        if not info.context or not isinstance(raw, list):
            return raw  # already compiled, or pydantic reports the wrong type
        where = f"{_where(info)}, field {info.field_name}"
        return tuple(
            _matcher(item, info.context["terms"], f"{where}[{i}]") for i, item in enumerate(raw)
        )

    @field_validator("negations", "exempt_if", mode="before")
    @classmethod
    def _compile_cue(cls, raw: Any, info: ValidationInfo) -> Any:
        if not info.context or raw is None:
            return raw
        return compile_pattern(
            raw, info.context["terms"], f"{_where(info)}, field {info.field_name}"
        )

    @field_validator("title", "statement", "nuance", "refusal")
    @classmethod
    def _strip(cls, text: str) -> str:
        return " ".join(text.split())

    @model_validator(mode="after")
    def _check_refs(self, info: ValidationInfo) -> Rule:
        where = f"{(info.context or {}).get('origin', 'boundaries.yaml')}: rule {self.rule_id!r}"
        for ref in (*self.corpus, *self.pinned):
            if not _REF.match(ref):
                raise ConfigError(
                    f"{where}: {ref!r} is not a corpus reference; write it as "
                    "doc_id#paragraph, e.g. S/2009/189#36."
                )
        if stray := set(self.pinned) - set(self.corpus):
            raise ConfigError(
                f"{where}, field pinned: {sorted(stray)} are not among its corpus "
                "sources; add them to `corpus` or remove them."
            )
        return self

    @property
    def sources(self) -> tuple[str, ...]:
        return (*self.corpus, *self.external)

    def event(self, action: BoundaryAction, premise: bool = False) -> BoundaryEvent:
        """This rule as a boundary event: what the guard did, with the rule's own words."""
        refused = action == "refused"
        return BoundaryEvent(
            rule_id=self.rule_id,
            action=action,
            statement=self.statement,
            sources=self.sources,
            title=self.title,
            premise=premise,
            nuance=self.nuance,
            refusal=self.refusal if refused else "",
            alternatives=self.alternatives if refused else (),
            external=self.external,
        )


class Cues(BaseModel):
    """Rule-independent patterns (boundaries.yaml `cues:`)."""

    model_config = ConfigDict(frozen=True)

    negation: re.Pattern[str]
    denial: re.Pattern[str]
    reported: re.Pattern[str]
    assistance: re.Pattern[str]
    premise: re.Pattern[str]
    interrogative: re.Pattern[str]
    doubt: re.Pattern[str]
    rebuttal: re.Pattern[str]
    operative: re.Pattern[str]

    @field_validator("*", mode="before")
    @classmethod
    def _compile_cue(cls, raw: Any, info: ValidationInfo) -> Any:
        if not info.context:
            return raw
        return compile_pattern(
            raw, info.context["terms"], f"{info.context['origin']}: cues, field {info.field_name}"
        )


# -- compiling patterns ---------------------------------------------------------------------------
def _where(info: ValidationInfo) -> str:
    context = info.context or {}
    return f"{context.get('origin', 'boundaries.yaml')}: rule {info.data.get('rule_id', '?')!r}"


def first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{where}: {first['msg']}; fix boundaries.yaml (its header documents every field)."


def _matcher(item: Any, terms: dict[str, str], where: str) -> Matcher:
    if isinstance(item, dict) and set(item) <= {"pattern", "negation"} and "pattern" in item:
        negation = item.get("negation", "clause")
        if negation not in ("clause", "before", "none"):
            raise ConfigError(f"{where}: negation must be clause, before or none.")
        return Matcher(
            source=item["pattern"],
            regex=compile_pattern(item["pattern"], terms, where),
            negation=negation,
        )
    return Matcher(source=str(item), regex=compile_pattern(item, terms, where))


def compile_pattern(raw: Any, terms: dict[str, str], where: str) -> re.Pattern[str]:
    """A case-insensitive regex with {term}s expanded; `ConfigError` saying where and why."""
    if not isinstance(raw, str):
        raise ConfigError(f"{where}: expected a quoted pattern string, got {raw!r}.")

    def expand(found: re.Match[str]) -> str:
        if found.group(1) not in terms:
            raise ConfigError(
                f"{where}: unknown term {{{found.group(1)}}}; define it under "
                "`terms:` or fix the name."
            )
        return str(terms[found.group(1)])

    try:
        regex = re.compile(_TERM.sub(expand, raw), FLAGS)
    except re.error as exc:
        raise ConfigError(
            f"{where}: invalid regular expression ({exc}); fix the pattern in boundaries.yaml."
        ) from exc
    if regex.fullmatch(""):
        raise ConfigError(
            f"{where}: the pattern matches empty text and so would match "
            "everything; make it require at least one word."
        )
    return regex
