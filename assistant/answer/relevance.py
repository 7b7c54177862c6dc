"""Which retrieved paragraphs answer the question, and which of their sentences to quote.

Retrieval finds the right paragraph (recall@5 is high); this step decides which of the top-k
passages answer. Each passage is described by a few signals the index already has
(`FEATURES`: the encoder's question-passage cosine and its best question-sentence cosine, BM25 of
the passage and of its best sentence, the share of the question's terms (and term pairs) the
passage and its section heading hold, the passage's retrieval rank and fused score), and a
logistic regression trained on the dev split of the labelled eval cases turns them into the
probability that the paragraph answers. No cross-encoder ships inside a package here, and the
model is a few floats: `relevance_model.json`, written by `bench/train_relevance.py` with how it
was trained. Inside a paragraph the sentence to quote is the one closest to the question
(`closeness`: cosine plus the share of the question's terms it holds), because the labels say
which paragraphs answer, not which sentences.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from assistant.text import content_terms, split_sentences
from assistant.types import Passage

MODEL_FILE = Path(__file__).with_name("relevance_model.json")
MIN_SENTENCE_WORDS = 5  # shorter pieces are headings and fragments, not claims
BM25_K1, BM25_B = 1.2, 0.75
# A sentence's closeness to the question: mostly meaning, partly the question's own terms (names
# and terms an embedding blurs); a question in the text (para. 9 lists seven) answers nothing.
SEMANTIC_WEIGHT, LEXICAL_WEIGHT, QUESTION_PENALTY = 0.7, 0.3, 0.1
# A quote that opens with one of these leans on the sentence before it ("This is particularly
# likely when talks are making progress" is about spoilers only with the previous sentence).
ANAPHOR = re.compile(
    r"^(?:This|These|Those|That|Such|They|Their|Them|It|Its|Thus|Hence|In (?:such|this|these|"
    r"that|those)|Like the|Both|The latter|The former)\b"
)
FEATURES = (
    "passage_cos", "passage_cos_gap", "bm25_passage", "passage_coverage",
    "passage_bigram_coverage", "section_coverage", "inverse_rank", "fused_score",
    "best_sentence_cos", "best_sentence_cos_gap", "best_sentence_rank", "best_sentence_bm25",
    "best_sentence_coverage", "best_sentence_bigram_coverage",
)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """One sentence of a retrieved passage, where it sits and how close it is to the question."""

    marker: int  # 1-based rank of its passage among the answer's passages
    index: int  # position of the sentence in the passage
    sentence: str
    previous: str  # the sentence before it in the passage ("" for the first)
    closeness: float  # SEMANTIC_WEIGHT * cosine + LEXICAL_WEIGHT * coverage (- QUESTION_PENALTY)


@dataclass(frozen=True)
class Evidence:
    """What the model sees of one passage: its `FEATURES` and its candidate sentences."""

    marker: int
    features: tuple[float, ...]
    sentences: tuple[Candidate, ...]  # closest to the question first


class RelevanceModel(BaseModel):
    """Standardised logistic regression over `FEATURES`, with the thresholds chosen on dev."""

    model_config = ConfigDict(frozen=True)

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    answer_threshold: float  # the first point clears it -> "answered"; else at most "partial"
    keep_threshold: float  # a further point must clear it to be shown
    trained: dict[str, Any] = {}  # provenance: data, split, counts, dev figures, command

    def probabilities(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = (np.asarray(rows, dtype=float) - np.asarray(self.mean)) / np.asarray(self.scale)
        logits: np.ndarray = x @ np.asarray(self.weights) + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-logits)))


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> RelevanceModel:
    """The packaged model (read once)."""
    model = RelevanceModel.model_validate_json(path.read_text(encoding="utf-8"))
    if model.features != FEATURES:
        raise ValueError(f"{path} was trained on other features; run bench/train_relevance.py")
    return model


class TermWeights:
    """Inverse document frequencies of content terms over the indexed chunks (BM25's idf)."""

    def __init__(self, texts: Iterable[str]) -> None:
        counts: Counter[str] = Counter()
        total = 0
        for text in texts:
            counts.update(set(content_terms(text)))
            total += 1
        self.documents = max(total, 1)
        self._idf = {t: self._formula(n) for t, n in counts.items()}
        self._unseen = self._formula(0)

    def _formula(self, n: int) -> float:
        return math.log(1 + (self.documents - n + 0.5) / (n + 0.5))

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unseen)

    def known(self, term: str) -> bool:
        """Does any indexed text contain this (stemmed) term?"""
        return term in self._idf


def bm25(query: Sequence[str], text: Sequence[str], weights: TermWeights, avg_len: float) -> float:
    tf = Counter(text)
    norm = BM25_K1 * (1 - BM25_B + BM25_B * len(text) / max(avg_len, 1.0))
    return sum(weights.idf(t) * tf[t] * (BM25_K1 + 1) / (tf[t] + norm) for t in set(query) if tf[t])


def describe(
    question: str,
    query_vector: Sequence[float],
    passages: Sequence[Passage],
    vectors: Mapping[str, np.ndarray],
    weights: TermWeights,
) -> list[Evidence]:
    """Each passage with at least one sentence of `MIN_SENTENCE_WORDS` words, described.

    `vectors` maps each sentence to its (normalised) embedding; a sentence missing from it is
    scored with its passage's similarity instead.
    """
    query = content_terms(question)
    wanted = {t: weights.idf(t) for t in set(query)}
    pairs = _bigrams(query)
    total = sum(wanted.values()) or 1.0
    q = np.asarray(query_vector, dtype=float)

    def coverage(terms: Iterable[str]) -> float:
        have = set(terms)
        return sum(w for t, w in wanted.items() if t in have) / total

    def pair_share(terms: Sequence[str]) -> float:
        return len(pairs & _bigrams(terms)) / len(pairs) if pairs else 0.0

    rows = []  # (marker, index, sentence, previous, terms, cosine)
    for marker, passage in enumerate(passages, start=1):
        sentences = split_sentences(passage.text)
        for index, sentence in enumerate(sentences):
            if len(sentence.split()) < MIN_SENTENCE_WORDS:
                continue
            vector = vectors.get(sentence)
            cos = float(np.asarray(vector) @ q) if vector is not None else passage.similarity
            previous = sentences[index - 1] if index else ""
            rows.append((marker, index, sentence, previous, content_terms(sentence), cos))
    if not rows:
        return []
    avg_sentence = sum(len(r[4]) for r in rows) / len(rows)
    passage_terms = {m: content_terms(p.text) for m, p in enumerate(passages, start=1)}
    avg_passage = sum(len(t) for t in passage_terms.values()) / len(passage_terms)
    passage_bm25 = {m: bm25(query, t, weights, avg_passage) for m, t in passage_terms.items()}
    best_passage_bm25 = max(passage_bm25.values()) or 1.0
    sentence_bm25 = [bm25(query, r[4], weights, avg_sentence) for r in rows]
    best_sentence_bm25 = max(sentence_bm25) or 1.0
    best_cos = max(r[5] for r in rows)
    cos_rank = {i: n for n, i in enumerate(sorted(range(len(rows)), key=lambda i: -rows[i][5]))}
    best_similarity = max(p.similarity for p in passages)
    best_score = max(p.score for p in passages) or 1.0
    out = []
    for marker, passage in enumerate(passages, start=1):
        mine = [i for i, r in enumerate(rows) if r[0] == marker]
        if not mine:
            continue
        quotes = []
        for i in mine:
            _, index, sentence, previous, terms, cos = rows[i]
            close = SEMANTIC_WEIGHT * cos + LEXICAL_WEIGHT * coverage(terms)
            close -= QUESTION_PENALTY * sentence.rstrip().endswith("?")
            quotes.append(Candidate(marker, index, sentence, previous, close))
        top = max(mine, key=lambda i: rows[i][5])
        section = content_terms(passage.section.rsplit(">", 1)[-1])
        features = (
            passage.similarity,
            passage.similarity - best_similarity,
            passage_bm25[marker] / best_passage_bm25,
            coverage(passage_terms[marker]),
            pair_share(passage_terms[marker]),
            coverage(section),
            1.0 / marker,
            passage.score / best_score,
            rows[top][5],
            rows[top][5] - best_cos,
            1.0 / (1 + cos_rank[top]),
            max(sentence_bm25[i] for i in mine) / best_sentence_bm25,
            max(coverage(rows[i][4]) for i in mine),
            max(pair_share(rows[i][4]) for i in mine),
        )
        ranked = sorted(quotes, key=lambda c: c.closeness, reverse=True)
        out.append(Evidence(marker, features, tuple(ranked)))
    return out


def _bigrams(terms: Sequence[str]) -> set[tuple[str, str]]:
    """Adjacent content-term pairs, order-free ("Council missions" meets "mission Council")."""
    return {(a, b) if a <= b else (b, a) for a, b in pairwise(terms)}


def save_model(model: RelevanceModel, path: Path = MODEL_FILE) -> None:
    """Write the model as readable JSON (a few floats and how they were obtained)."""
    path.write_text(
        json.dumps(model.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    load_model.cache_clear()
