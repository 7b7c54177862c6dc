"""Does the answer answer? Points, their cited paragraphs, and the metrics built on them.

A case labelled with `answers` (every paragraph that answers it; empty when nothing in the
corpus, or in the filtered part of it, does) is judged point by point:

- point_precision         points citing a paragraph in `answers` / all points (micro average)
- first_point_precision   answers whose first point cites a paragraph in `answers` / answers
                          with at least one point
- badge_honesty           `answered` answers whose first point cites a paragraph in `answers`
                          / `answered` answers (an "answered" badge on a non-answer is a lie)
- answerable_at_k         cases with a non-empty `answers` where one of those paragraphs is
                          among the returned passages / such cases (the ceiling retrieval sets)
- short_answer_rate       answered or partial answers of at most `SHORT_WORDS` words / such
                          answers (all cases of the group, labelled or not)
- median_words            median words of those answers: the summary line and the points a
                          reader reads, without citation markers, the sources list and boundary
                          callouts (policy statements shown with any answer that raises them)

A point is a bullet of the answer, or, for prose, a sentence carrying a marker; its paragraphs
are those of the citations its markers name.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

from assistant.text import split_sentences
from assistant.text import words as text_words
from assistant.types import Answer
from evals.results import CaseResult, CitedPoint

SHORT_WORDS = 120  # the target for a median answer; a longer one reads as a report
_MARKER = re.compile(r"\s*\[(\d+)\]")
_SOURCES = re.compile(r"^\s*(?:\*\*)?Sources:?(?:\*\*)?\s*$", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+\.)\s+")


def body(answer_text: str) -> str:
    """The answer without its sources list (everything from a `Sources:` line on)."""
    found = _SOURCES.search(answer_text)
    return answer_text[: found.start()] if found else answer_text


def points(answer: Answer) -> tuple[CitedPoint, ...]:
    """The cited points of an answer, in reading order, with the paragraphs they cite.

    Extractive answers carry their points as data; a language model's prose point (a paragraph)
    is split into its sentences that carry a marker. An answer given only as text (hand-made,
    or from an older results file) is read from its bullets, else from its sentences.
    """
    refs_of = {c.marker: tuple(f"{c.doc_id}#{p}" for p in c.paragraphs) for c in answer.citations}
    if answer.points:
        units = [
            unit
            for point in answer.points
            for unit in (split_sentences(point.text) if answer.layout == "prose" else [point.text])
        ]
    else:
        lines = [line for line in body(answer.answer).splitlines() if line.strip()]
        bullets = [_BULLET.sub("", line) for line in lines if _BULLET.match(line)]
        units = bullets or [s for line in lines for s in split_sentences(line)]
    found: list[CitedPoint] = []
    for unit in units:
        markers = [int(n) for n in _MARKER.findall(unit)]
        if not markers:
            continue
        refs = tuple(dict.fromkeys(ref for m in markers for ref in refs_of.get(m, ())))
        found.append(CitedPoint(text=_MARKER.sub("", unit).strip(), refs=refs))
    return tuple(found)


def words(answer: Answer) -> int:
    """Words a reader reads as the answer: its summary and points (markers, sources and boundary
    callouts left out; an answer given only as text: its text before the sources)."""
    if answer.points or answer.summary:
        text = " ".join([answer.summary, *(p.text for p in answer.points)])
    else:
        text = body(answer.answer)
    return len(text_words(_MARKER.sub(" ", text)))


def answers_question(point: CitedPoint, answers: Sequence[str]) -> bool:
    return bool(set(point.refs) & set(answers))


class AnswerRates:
    """The answer-quality metrics of one group of case results (None: no eligible case)."""

    def __init__(self, results: Sequence[CaseResult]) -> None:
        labelled = [r for r in results if r.answers is not None and r.evidence.status]
        cited = [(p, r.answers or ()) for r in labelled for p in r.evidence.points]
        with_points = [r for r in labelled if r.evidence.points]
        answered = [r for r in labelled if r.evidence.status == "answered"]
        gold = [r for r in labelled if r.answers]
        shown = [r for r in results if r.evidence.status in ("answered", "partial")]
        self.labelled_cases = len(labelled)
        self.point_precision = _ratio(sum(answers_question(p, a) for p, a in cited), len(cited))
        self.first_point_precision = _ratio(sum(_first_answers(r) for r in with_points),
                                            len(with_points))  # fmt: skip
        self.badge_honesty = _ratio(sum(_first_answers(r) for r in answered), len(answered))
        self.answerable_at_k = _ratio(
            sum(any(set(p.refs) & set(r.answers or ()) for p in r.evidence.passages) for r in gold),
            len(gold),
        )
        self.short_answer_rate = _ratio(
            sum(r.evidence.words <= SHORT_WORDS for r in shown), len(shown)
        )
        self.median_words = (
            float(statistics.median(r.evidence.words for r in shown)) if shown else None
        )


def _first_answers(result: CaseResult) -> bool:
    pts = result.evidence.points
    return bool(pts) and answers_question(pts[0], result.answers or ())


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
