"""[n] markers -> Citations, checked against the passages; never asks a model.

Passages are numbered 1..n in the order given (the order the prompt showed them). A model,
especially a 135M one, writes markers that point nowhere, cites passages that say something else
and formats markers every way it can: `[1]`, `[1, 2]`, `[1][2]`, `[1-2]`, `[Passage 1]`. This
module makes the answer safe to show whatever the model wrote:

- every marker that names no passage is removed from the text and reported in a notice;
- surviving markers are rewritten in one canonical form, `[1][2]`, which the interfaces render;
- each sentence carrying markers is tested against each passage it cites: a verbatim or quoted
  span of the passage supports it; otherwise at least `SUPPORT_COVERAGE` of the
  sentence's content terms (stopwords dropped, stemmed) must occur in the passage, and every
  number the sentence states must occur there too (invented years and counts are the commonest
  hallucination). Negation flips are not detected: "should" and "should not" score alike.
- a Citation is `supported` when at least one sentence citing it is supported by its passage; its
  `quote` is the passage sentence(s) that best match the sentence(s) citing it. A sentence none
  of whose cited passages supports it, or whose only markers were removed, is reported in
  `unsupported_sentences` (without markers); sentences without markers are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from assistant.text import content_terms, normalize, split_sentences, words
from assistant.types import Citation, Passage

SUPPORT_COVERAGE = 0.6  # share of a sentence's content terms its cited passage must contain
_MIN_VERBATIM_WORDS = 4  # shorter exact matches ("peace process") prove nothing
_MAX_RANGE = 20  # "[1-500]" is a typo, not a request to cite 500 passages

_NUM = r"(?:(?:passages?|sources?)\s*)?\d+"
_GROUP = rf"\[\s*{_NUM}(?:\s*(?:,|;|-|–|and)\s*{_NUM})*\s*\]"
_RUN = re.compile(rf"(\s*)((?:{_GROUP}\s*)*{_GROUP})", re.IGNORECASE)
_GROUP_RE = re.compile(_GROUP, re.IGNORECASE)
_PART = re.compile(r"(\d+)(?:\s*[-–]\s*(?:(?:passages?|sources?)\s*)?(\d+))?", re.I)
_QUOTED = re.compile(r"[\"“]([^\"”]{12,})[\"”]")


class CitationCheck(BaseModel):
    """An answer after its markers were checked: safe text, citations and what was wrong."""

    model_config = ConfigDict(frozen=True)

    text: str  # the answer, markers canonical, markers naming no passage removed
    citations: tuple[Citation, ...]  # one per distinct valid marker, in order of first use
    removed_markers: tuple[int, ...]  # markers that named no passage, ascending
    unsupported_sentences: tuple[str, ...]  # cited sentences none of their passages support
    notices: tuple[str, ...]  # one human-readable line per removed marker


def parse_markers(run: str) -> list[int]:
    """Numbers of a run of marker groups, in order, no repeats: "[1, 3-4][2]" -> [1, 3, 4, 2]."""
    numbers: list[int] = []
    for group in _GROUP_RE.findall(run):
        for match in _PART.finditer(group):
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) else low
            span = range(low, high + 1) if 0 <= high - low <= _MAX_RANGE else (low, high)
            numbers.extend(n for n in span if n not in numbers)
    return numbers


def strip_markers(text: str) -> str:
    """`text` without any citation markers (for support tests and display of sentences)."""
    return _RUN.sub("", text).strip()


@dataclass
class _PassageTerms:
    """What the support test needs from one passage, computed once per check."""

    sentences: list[str]
    sentence_terms: list[set[str]]
    terms: set[str]
    numbers: set[str]
    normalized: str

    @classmethod
    def of(cls, passage: Passage) -> _PassageTerms:
        sentences = split_sentences(passage.text) or [passage.text]
        # The prompt shows doc_id, paragraph labels and section, so a sentence may name them.
        header = f"{passage.doc_id} {' '.join(passage.paragraphs)} {passage.section}"
        sentence_terms = [set(content_terms(s)) for s in sentences]
        all_words = words(passage.text) + words(header)
        return cls(
            sentences=sentences,
            sentence_terms=sentence_terms,
            terms=set[str]().union(*sentence_terms) | set(content_terms(header)),
            numbers={w for w in all_words if w.isdigit()},
            normalized=normalize(passage.text),
        )


def _supports(claim: str, passage: _PassageTerms) -> tuple[bool, float]:
    """Whether `passage` supports the marker-free sentence `claim`, and the coverage score."""
    claim_norm = normalize(claim)
    if len(claim_norm.split()) >= _MIN_VERBATIM_WORDS and claim_norm in passage.normalized:
        return True, 1.0
    for quoted in _QUOTED.findall(claim):
        quoted_norm = normalize(quoted)
        if len(quoted_norm.split()) >= _MIN_VERBATIM_WORDS and quoted_norm in passage.normalized:
            return True, 1.0
    terms = set(content_terms(claim))
    if not terms:
        return False, 0.0
    coverage = len(terms & passage.terms) / len(terms)
    numbers = {w for w in words(claim) if w.isdigit()}
    return coverage >= SUPPORT_COVERAGE and numbers <= passage.numbers, coverage


def _best_quote(claim: str, passage: _PassageTerms) -> str:
    """The passage sentence that shares most content terms with `claim`, plus a second one when
    it adds at least two more; the first sentence when nothing is shared."""
    terms = set(content_terms(claim))
    scores = [len(terms & s) for s in passage.sentence_terms]
    best = max(range(len(scores)), key=lambda i: scores[i])
    if scores[best] == 0:
        return passage.sentences[0]
    chosen = [best]
    rest = terms - passage.sentence_terms[best]
    extra = [len(rest & s) for s in passage.sentence_terms]
    second = max(range(len(extra)), key=lambda i: extra[i])
    if extra[second] >= 2 and second != best:
        chosen.append(second)
    return " ".join(passage.sentences[i] for i in sorted(chosen))


def check_citations(text: str, passages: Sequence[Passage]) -> CitationCheck:
    """Check the [n] markers of an answer against the passages numbered 1..len(passages)."""
    count = len(passages)
    removed: list[int] = []

    def rewrite(match: re.Match[str]) -> str:
        numbers = parse_markers(match.group(2))
        removed.extend(n for n in numbers if not 1 <= n <= count and n not in removed)
        valid = [n for n in numbers if 1 <= n <= count]
        return match.group(1) + "".join(f"[{n}]" for n in valid) if valid else ""

    clean = _RUN.sub(rewrite, text).strip()

    info: dict[int, _PassageTerms] = {}
    best: dict[int, tuple[bool, float, str]] = {}  # marker -> (supported, score, claim)
    order: list[int] = []
    unsupported: list[str] = []
    for sentence in split_sentences(text):
        cited = [n for m in _RUN.finditer(sentence) for n in parse_markers(m.group(2))]
        if not cited:
            continue
        claim = strip_markers(sentence).lstrip("-*•> ").strip()
        valid = [n for n in dict.fromkeys(cited) if 1 <= n <= count]
        any_support = False
        for n in valid:
            if n not in info:
                info[n] = _PassageTerms.of(passages[n - 1])
                order.append(n)
            ok, score = _supports(claim, info[n])
            any_support = any_support or ok
            if n not in best or (ok, score) > best[n][:2]:
                best[n] = (ok, score, claim)
        if claim and not any_support:
            unsupported.append(claim)

    citations = tuple(
        Citation(
            marker=n,
            doc_id=passages[n - 1].doc_id,
            paragraphs=passages[n - 1].paragraphs,
            section=passages[n - 1].section,
            quote=_best_quote(best[n][2], info[n]),
            supported=best[n][0],
        )
        for n in order
    )
    removed.sort()
    return CitationCheck(
        text=clean,
        citations=citations,
        removed_markers=tuple(removed),
        unsupported_sentences=tuple(unsupported),
        notices=tuple(f"Removed citation [{n}]: there is no passage {n}." for n in removed),
    )


def has_supported_citation(check: CitationCheck) -> bool:
    """True when at least one citation of the answer is supported by its passage."""
    return any(c.supported for c in check.citations)
