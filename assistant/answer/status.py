"""An honest badge: "answered" only when the first point answers, "partial" says what is missing.

The relevance model's probability for the first point is the evidence: above the model's
`answer_threshold` (chosen on the dev split so that the first point answers in at least 97% of
the dev cases that clear it) the answer is "answered"; below it, "partial", with a notice naming
the question's terms that no point addresses. A question about the present is at most
"partial": the documents end at their dates.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.relevance import TermWeights
from assistant.text import STOPWORDS, content_terms, stem, words
from assistant.types import Status

# Words of a question that name the asker's frame, not its subject: never "missing".
_FRAME = frozenset(
    stem(w)
    for w in (
        "guidance", "say", "says", "document", "documents", "un", "united", "nations", "tell",
        "know", "think", "really", "actually", "exactly", "please", "need", "want", "way",
        "ways", "thing", "things", "kind", "kinds", "mean", "means", "make", "get", "much",
        "many", "happen", "happens", "good", "best", "right",
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


def missing_terms(
    question: str, quoted: Sequence[str], weights: TermWeights, limit: int = MAX_MISSING
) -> list[str]:
    """The question's most specific words (by idf) that none of the quoted points contains."""
    have = {t for text in quoted for t in content_terms(text)}
    seen: dict[str, str] = {}
    for word in words(question):
        term = stem(word)
        if word in STOPWORDS or term in _FRAME or len(word) < 3 or term in have:
            continue
        seen.setdefault(term, word)
    ranked = sorted(seen, key=lambda t: weights.idf(t), reverse=True)
    return [seen[t] for t in ranked[:limit]]


def partial_notice(missing: Sequence[str]) -> str:
    """What a "partial" answer says about itself: which of the question's terms it leaves out."""
    if not missing:
        return (
            "Partly answered: the quoted passages are the closest the documents come; check that "
            "they answer your question."
        )
    names = ", ".join(f"“{m}”" for m in missing)
    return f"Partly answered: the quoted passages do not mention {names}."
