"""Normative-boundary guard: UN red lines as data, checked on the question and on every answer.

The rules live in `guidance_docs/boundaries.yaml` (position, sources, nuance, patterns); this
module compiles them once and only matches. `before(question)` finds the rules a question raises,
refuses the part that asks to draft or help do something crossing one, and names the source
paragraphs retrieval must include. `after(answer)` removes sentences that assert a crossing,
whichever backend wrote them, and reports the rules they crossed. Both return data
(`BoundaryEvent`s carrying the rule's words); `assistant.answer.markdown` renders them.

The guard never follows instructions found in text: "ignore previous instructions" in a question
or a document is matched like any other words (`is_injection` reports it) and changes nothing.
Negation is judged per clause, so "can never promise amnesty for war crimes" is compliant and
"amnesty for war crimes is acceptable" is not. Apart from `BoundaryGuard.load`, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
)

from assistant.errors import ConfigError
from assistant.guard.rules import (
    Cues,
    Matcher,
    Negation,
    Rule,
    compile_pattern,
    first_error,
)
from assistant.guard.spans import normalize, sentence_spans, without
from assistant.types import BoundaryEvent

# Negation before a match counts only inside its clause: "..., but amnesty for X is fine".
_CLAUSE_BREAK = re.compile(
    r"[;:()\[\]]|\s[–—]\s|\s-\s|\b(?:but|however|whereas|although|though|yet|while)\b", re.I
)
_PRE_WINDOW, _POST_WINDOW = 80, 60
_QUESTION_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_IMPERATIVE = re.compile(r"\W*(?:(?:also|and|then|please|now|so|just)\W+)*", re.I)


class PreCheck(BaseModel):
    """What the question raises: rules, events, paragraphs to retrieve, refusal and notices."""

    model_config = ConfigDict(frozen=True)

    rules: tuple[Rule, ...]
    events: tuple[BoundaryEvent, ...]
    pinned_refs: tuple[str, ...]
    refused: bool


class PostCheck(BaseModel):
    """An answer with the sentences that crossed a boundary removed."""

    model_config = ConfigDict(frozen=True)

    text: str  # what is left of the answer (the rules' statements are in `events`)
    events: tuple[BoundaryEvent, ...]
    removed: tuple[str, ...]


class BoundaryGuard:
    """Matches boundary rules against questions and answers; immutable and thread-safe."""

    def __init__(
        self, rules: Sequence[Rule], cues: Cues, injection: Sequence[re.Pattern[str]]
    ) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.cues = cues
        self.injection: tuple[re.Pattern[str], ...] = tuple(injection)

    @classmethod
    def load(cls, path: Path) -> BoundaryGuard:
        """Compile `boundaries.yaml`; `ConfigError` names the rule and field of any bad entry."""
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(
                f"Cannot read boundary rules {str(path)!r} ({exc.strerror}); restore "
                "guidance_docs/boundaries.yaml or point the assistant at a copy."
            ) from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({exc}); fix the file.") from exc
        return cls.from_data(data, str(path))

    @classmethod
    def from_data(cls, data: Any, origin: str = "boundaries.yaml") -> BoundaryGuard:
        """Compile parsed YAML; `origin` names the file in error messages."""
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise ConfigError(f"{origin}: expected a mapping with `rules:`; restore the file.")
        context: dict[str, Any] = {"terms": data.get("terms") or {}, "origin": origin}
        try:
            cues = Cues.model_validate(data.get("cues"), context=context)
        except ValidationError as exc:
            raise ConfigError(f"{origin}: cues: {first_error(exc)}") from exc
        injection = [
            compile_pattern(raw, context["terms"], f"{origin}: injection[{i}]")
            for i, raw in enumerate(data.get("injection") or [])
        ]
        rules: list[Rule] = []
        for i, raw in enumerate(data["rules"]):
            try:
                rules.append(Rule.model_validate(raw, context=context))
            except ValidationError as exc:
                rule_id = raw.get("rule_id", i) if isinstance(raw, dict) else i
                raise ConfigError(f"{origin}: rule {rule_id!r}: {first_error(exc)}") from exc
        if len({r.rule_id for r in rules}) < len(rules):
            raise ConfigError(f"{origin}: two rules share a rule_id; rename one.")
        return cls(rules, cues, injection)

    # -- question side -------------------------------------------------------------------------
    def before(self, question: str) -> PreCheck:
        text = normalize(question)
        sentences = [s for s in _QUESTION_SPLIT.split(text) if s.strip()]
        asks = bool(self.cues.assistance.search(text))
        triggered: list[tuple[Rule, bool, bool]] = []  # (rule, refused, false premise)
        for rule in self.rules:
            premise = any(self._premise(rule, s) for s in sentences)
            crossing = [
                (s, m)
                for s in sentences
                if not _exempt(rule, s)
                for m in self._hits(rule, rule.crossings, s, True)
            ]
            # Asked for: a drafting/help cue in the sentence, or the crossing is an imperative.
            refused = any(
                self.cues.assistance.search(s) or _IMPERATIVE.fullmatch(s[: m.start()])
                for s, m in crossing
            ) or (premise and asks and not self.cues.rebuttal.search(text))
            if refused or premise or crossing or any(t.regex.search(text) for t in rule.triggers):
                triggered.append((rule, refused, premise))
        events = tuple(
            r.event("refused" if refused else "notice", premise=premise and not refused)
            for r, refused, premise in triggered
        )
        pinned = tuple(dict.fromkeys(ref for r, _, _ in triggered for ref in r.pinned))
        return PreCheck(
            rules=tuple(r for r, _, _ in triggered),
            events=events,
            pinned_refs=pinned,
            refused=any(refused for _, refused, _ in triggered),
        )

    def _premise(self, rule: Rule, sentence: str) -> bool:
        """Does the sentence present a violation as given ("Since the UN allows amnesty ...")?"""
        if _exempt(rule, sentence):
            return False
        interrogative = bool(self.cues.interrogative.match(sentence))
        return any(
            (not interrogative or self.cues.premise.search(sentence[: m.start()]))
            and not self.cues.doubt.search(sentence[: m.start()])
            for m in self._hits(rule, rule.violations, sentence, False)
        )

    # -- answer side ---------------------------------------------------------------------------
    def after(self, answer_text: str, pre: PreCheck | None = None) -> PostCheck:
        """Remove sentences that violate any rule; the rules violated become `corrected` events.

        With `pre`, operative treaty text ("Article 3 ...", "shall be granted") on the topic of
        a rule the question was refused for is removed too: it is the drafting that was refused.
        """
        refused = {e.rule_id for e in pre.events if e.action == "refused"} if pre else set()
        violated: dict[str, Rule] = {}
        drop: set[tuple[int, int]] = set()
        for start, end in sentence_spans(answer_text):
            sentence = normalize(answer_text[start:end])
            for rule in self.rules:
                if self._violates(rule, sentence, rule.rule_id in refused):
                    violated.setdefault(rule.rule_id, rule)
                    drop.add((start, end))
        if not drop:
            return PostCheck(text=answer_text, events=(), removed=())
        return PostCheck(
            text=without(answer_text, drop),
            events=tuple(r.event("corrected") for r in violated.values()),
            removed=tuple(answer_text[a:b] for a, b in sorted(drop)),
        )

    def _violates(self, rule: Rule, sentence: str, drafted: bool) -> bool:
        if _exempt(rule, sentence):
            return False
        if any(self._hits(rule, rule.violations, sentence, False)):
            return True
        return (
            drafted
            and bool(self.cues.operative.search(sentence))
            and any(t.regex.search(sentence) for t in rule.triggers)
        )

    def is_injection(self, text: str) -> bool:
        """Does the text contain instruction-like content aimed at the assistant?"""
        normalized = normalize(text)
        return any(p.search(normalized) for p in self.injection)

    # -- matching ------------------------------------------------------------------------------
    def _hits(
        self, rule: Rule, matchers: Sequence[Matcher], text: str, question: bool
    ) -> Iterator[re.Match[str]]:
        for matcher in matchers:
            for match in matcher.regex.finditer(text):
                if not self._negated(rule, matcher.negation, text, match, question):
                    yield match

    def _negated(
        self, rule: Rule, scope: Negation, text: str, match: re.Match[str], question: bool
    ) -> bool:
        if scope == "none":
            return False
        head = text[max(0, match.start() - _PRE_WINDOW) : match.start()]
        breaks = list(_CLAUSE_BREAK.finditer(head))
        pre = head[breaks[-1].end() :] if breaks else head
        cues = [self.cues.negation, *([rule.negations] if rule.negations else [])]
        if any(c.search(pre) for c in cues):
            return True
        if question and self.cues.reported.search(pre):
            return True
        if scope == "clause" and any(c.search(match.group()) for c in cues):
            return True
        tail = text[match.end() : match.end() + _POST_WINDOW]
        post = tail[: m.start()] if (m := _CLAUSE_BREAK.search(tail)) else tail
        if self.cues.denial.match(post):
            return True
        return bool(rule.negations and rule.negations.search(post))


def _exempt(rule: Rule, sentence: str) -> bool:
    return bool(rule.exempt_if and rule.exempt_if.search(sentence))
