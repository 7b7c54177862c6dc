"""What is asked: the chain's input, and the checks a question passes before anything runs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from assistant.config import Settings
from assistant.errors import InvalidQuestion
from assistant.types import RetrievalFilter, Turn


class AskInput(BaseModel):
    """What the chain is invoked with."""

    model_config = ConfigDict(frozen=True)

    question: str
    history: tuple[Turn, ...] = ()
    filters: RetrievalFilter | None = None
    k: int | None = None
    llm: str | None = None  # overrides settings.llm for this question


def validate_question(question: str, settings: Settings) -> str:
    """The question, stripped; `InvalidQuestion` with the limit when it cannot be asked."""
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        raise InvalidQuestion("The question is empty; type a question about mediation guidance.")
    if len(text) > settings.max_question_chars:
        raise InvalidQuestion(
            f"The question is {len(text):,} characters; the limit is "
            f"{settings.max_question_chars:,} (MEDIATION_MAX_QUESTION_CHARS). Shorten it to the "
            "question itself."
        )
    return text


LATIN_SHARE = 0.5  # below this share of ASCII letters, the question is not in English


def mostly_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(c.isascii() for c in letters) / len(letters) >= LATIN_SHARE
