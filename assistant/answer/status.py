"""An honest badge: "answered" only when the first point answers, "partial" says what is missing.

The relevance model's probability for the first point is the evidence: above the model's
`answer_threshold` (chosen on the dev split so that the first point answers in at least 97% of
the dev cases that clear it) the answer is "answered"; below it, "partial", with a notice naming
the question's words no indexed document contains (what the guidance cannot speak to). A
question about the present is at most "partial": the documents end at their dates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer.relevance import TermWeights
from assistant.text import STOPWORDS, stem
from assistant.types import Status

# Words of a question that frame the asking rather than name its subject: never "missing".
_FRAME = frozenset(
    stem(w)
    for w in (
        "guidance", "say", "says", "document", "documents", "un", "united", "nations", "tell",
        "know", "think", "really", "actually", "exactly", "please", "need", "want", "way",
        "ways", "thing", "things", "kind", "kinds", "mean", "means", "make", "get", "much",
        "many", "happen", "happens", "good", "best", "right", "worth", "keep", "mind", "bring",
        "pull", "try", "use", "help", "start", "stop", "deal", "handle", "work", "look", "ask",
        "give", "take", "put", "let", "go", "come", "become", "consider", "expect", "approach",
        "just", "still", "also", "able", "possible", "usually", "normally", "someone", "anyone",
    )
)  # fmt: skip
MAX_MISSING = 3


def badge(best: float, answer_threshold: float, about_present: bool) -> Status:
    """ "answered" when the first point clears the threshold and the question is not about now."""
    return "answered" if best >= answer_threshold and not about_present else "partial"


def summary(badge: Status) -> str:
    """The line above the points: how far they answer (the sources are listed once, below)."""
    if badge == "answered":
        return "The guidance answers this directly:"
    if badge == "refused":
        return "The relevant guidance:"
    return "The closest the guidance comes; it may not answer the whole question:"


def missing_terms(question: str, weights: TermWeights, limit: int = MAX_MISSING) -> list[str]:
    """Words of the question that no indexed document contains (a subject the guidance never
    mentions: "grazing", "militia"); acronyms are left out, as the documents spell them out."""
    seen: dict[str, str] = {}
    for original in re.findall(r"[^\W_]+(?:['’][^\W_]+)*", question):
        word = original.lower()
        term = stem(word)
        acronym = sum(c.isupper() for c in original) >= 2
        if word in STOPWORDS or term in _FRAME or len(word) < 4 or acronym or word.isdigit():
            continue
        if not weights.known(term):
            seen.setdefault(term, word)
    return list(seen.values())[:limit]


def partial_notice(missing: Sequence[str]) -> str:
    """What a "partial" answer says about itself, naming what the documents never mention."""
    if not missing:
        return (
            "Partly answered: the quoted passages are the closest the documents come; check that "
            "they answer your question."
        )
    names = ", ".join(f"“{m}”" for m in missing)
    return (
        f"Partly answered: the documents never use the words {names}; the quoted passages are the "
        "closest they come."
    )
