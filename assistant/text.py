"""Small text helpers shared inside `assistant/`: sentences, words, stopwords, stems, token counts.

`assistant/` may not import `ingest/` (the layering rule), so the few text utilities the answer
side needs live here. They are pure, deterministic and cheap: citations.py runs them on every
answer, generation.py uses `approx_tokens` to budget prompts.

- `split_sentences`: sentences of prose or of a model's markdown answer; abbreviations common in
  UN prose ("e.g.", "para.", "No.") do not split, line breaks do, and `[n]` citation markers
  written after the full stop stay with the sentence they follow.
- `words` / `content_terms`: lowercased words; content terms drop stopwords and are stemmed
  (Snowball English via PyStemmer, the stemmer the lexical index uses) so that "mediators",
  "mediation" and "mediate" meet.
- `normalize`: lowercased words joined by single spaces, for verbatim-containment tests.
- `approx_tokens`: a deliberately pessimistic token estimate, no tokenizer needed.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

# Abbreviations that end with a period but do not end a sentence in UN prose.
_ABBREVIATIONS = "".join(
    rf"(?<!\b{re.escape(abbr)})"
    for abbr in (
        "e.g.",
        "i.e.",
        "No.",
        "no.",
        "Nos.",
        "para.",
        "paras.",
        "vol.",
        "Mr.",
        "Ms.",
        "Mrs.",
        "Dr.",
        "St.",
        "D.C.",
        "U.S.",
        "U.N.",
        "Art.",
        "art.",
        "cf.",
        "vs.",
        "al.",
        "approx.",
    )
)  # lookbehinds end at the period, the position where a sentence break would be made
# A sentence ends at . ! or ?, optionally followed by a closing quote or bracket and by citation
# markers ("... peace [1]." and "... peace. [1]" both keep [1] with their sentence); the next
# sentence starts with a capital, a digit, an opening quote or a markdown bullet.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])"  # first, so that most positions fail before the abbreviation checks
    + _ABBREVIATIONS
    + r"([\"”’)]?(?:\s*\[[^\[\]\n]{1,24}\])*)\s+(?=[\"“‘(*\-•]?\s*[A-Z0-9])"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

_STOPWORDS = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either else
    few for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just least less let may me might more most must my myself neither
    no nor not now of off on once only or other ought our ours ourselves out over own per same
    shall she should so some such than that the their theirs them themselves then there these
    they this those through thus to too under until up upon us very via was we were what when
    where whether which while who whom whose why will with within without would yet you your
    yours yourself yourselves it's that's there's they're we're i'm isn't aren't wasn't don't
    doesn't didn't can't cannot won't shouldn't
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS.split())

_stemmer = Stemmer.Stemmer("english")
_stem_lock = threading.Lock()  # PyStemmer objects are not safe to share between threads


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, stripped, without empty ones; every line break also ends one."""
    sentences: list[str] = []
    for line in text.splitlines():
        parts = _SENTENCE_END.split(line)
        # re.split interleaves the captured trailer (quote, markers) after each sentence.
        for i in range(0, len(parts), 2):
            trailer = parts[i + 1] if i + 1 < len(parts) else ""
            sentence = (parts[i] + (trailer or "")).strip()
            if sentence:
                sentences.append(sentence)
    return sentences


def words(text: str) -> list[str]:
    """Lowercased words (letters and digits, inner apostrophes kept), in order."""
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball English stem of one lowercased word."""
    with _stem_lock:
        return str(_stemmer.stemWord(word))


def content_terms(text: str) -> list[str]:
    """Stems of the words of `text` that are not stopwords, in order (repeats kept)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def normalize(text: str) -> str:
    """Lowercased words joined by single spaces: punctuation and layout no longer matter."""
    return " ".join(words(text))


CHARS_PER_TOKEN = 3.5


def approx_tokens(text: str) -> int:
    """Token estimate for prompt budgets: `CHARS_PER_TOKEN` characters a token.

    SmolLM2's tokenizer averages 5.1-5.5 characters a token on the seed corpus; the margin keeps
    budgets safe for denser text (document symbols, numbers, names) without a tokenizer.
    """
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Lower-cased words of the indexed texts."""
    words: set[str] = set()
    for text in texts:
        words.update(re.findall(r"[a-z0-9]+", text.lower()))
    return frozenset(words)
