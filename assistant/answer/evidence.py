"""Is there evidence to answer? Similarity of the best passage, and names the corpus lacks.

Two signals decide `no_evidence`: the best passage's cosine similarity to the question is below
`settings.min_evidence` (off-topic questions: recipes, sports, capitals), or the question names
something the indexed documents never mention (a year, a resolution number, a country or
organisation): "What was the MSU budget in 2023?" is close to the corpus in meaning, but no
passage can answer it, and saying so beats citing a paragraph about 2008.
"""

from __future__ import annotations

import re

# Best-passage similarity this far above `Settings.min_evidence` makes an answer `answered`
# (a briefing `covered`); between the two it is `partial`: on topic, but thin.
CONFIDENT_MARGIN = 0.15

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d{4,}")
_SENTENCE_START = set('.?!:;"“(')


def unknown_names(question: str, vocab: frozenset[str]) -> list[str]:
    """Years/numbers and capitalised names in the question that no indexed text contains.

    Acronyms are left out (ICC, NGOs: the documents spell them out), and so are
    words that open a sentence.
    """
    if not vocab:
        return []
    unknown: list[str] = []
    for match in _TOKEN.finditer(question):
        word = match.group(0)
        before = question[: match.start()].rstrip()
        opens_sentence = not before or before[-1] in _SENTENCE_START
        is_number = word.isdigit()
        acronym = sum(c.isupper() for c in word) >= 2  # ICC, NGOs, FARC: spelled out in the text
        is_name = word[0].isupper() and not acronym and not opens_sentence
        if not (is_number or is_name):
            continue
        parts = [p for p in re.split(r"[-'’]", word.lower()) if p and p != "s"]
        if any(_known(p, vocab) for p in parts):
            continue
        unknown.append(word)
    return list(dict.fromkeys(unknown))


def _known(word: str, vocab: frozenset[str]) -> bool:
    return word in vocab or word.rstrip("s") in vocab or f"{word}s" in vocab
