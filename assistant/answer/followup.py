"""Follow-up questions -> standalone questions, so retrieval sees what the user means.

"and what about spoilers?" after a question on amnesty becomes "What does the guidance say
about spoilers?"; "what does it say about women there?" keeps the earlier question as context.
Deterministic rules rather than a model call: they work in the extractive default, cost nothing,
and a weak model cannot turn the follow-up into a different question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import content_terms
from assistant.types import Turn

_CONNECTOR = re.compile(
    r"^\s*(?:and|but|also|so|ok(?:ay)?|then|now)?[\s,]*"
    r"(?:what|how)\s+about\s+(?P<topic>.+?)\s*\??\s*$",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^\s*(?:and|but|also|so|then)\b[\s,]*", re.IGNORECASE)
_BACK_REFERENCE = re.compile(
    r"\b(it|its|this|that|these|those|they|them|their|there|he|she|him|her|such|same|above)\b",
    re.IGNORECASE,
)


def is_follow_up(question: str) -> bool:
    """Does the question lean on the conversation (connector, pronoun, or almost no content)?"""
    return bool(
        _CONNECTOR.match(question)
        or _LEADING.match(question)
        or _BACK_REFERENCE.search(question)
        or len(content_terms(question)) < 2
    )


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    """The question to retrieve with; unchanged when there is no history or no follow-up."""
    question = question.strip()
    if not history or not is_follow_up(question):
        return question
    previous = history[-1].question.strip()
    topic = _CONNECTOR.match(question)
    if topic and not _BACK_REFERENCE.search(topic.group("topic")):
        return f"What does the guidance say about {topic.group('topic').rstrip('?. ')}?"
    core = _LEADING.sub("", question).strip()
    core = core[:1].upper() + core[1:]
    return f"{core} (Earlier question: {previous})"
