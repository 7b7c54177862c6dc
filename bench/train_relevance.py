"""Train the relevance model (assistant/answer/relevance_model.json) on the DEV split only.

Data: every case of evals/cases/answers_dev.yaml that expects an answer (not an error). The
question is retrieved exactly as the chain does (follow-ups rewritten, filters applied, top k),
and every returned passage is labelled 1 when its paragraph is one of the case's `answers`,
else 0.

Model: L2-regularised logistic regression on standardised features (Newton's method, numpy).
The regularisation strength and the two thresholds are chosen on out-of-fold probabilities of a
5-fold cross-validation grouped by phrasing family, so that no family is scored by a model that
saw it:
- answer_threshold: the lowest probability at which the first point answers in at least
  `HONEST` of the dev cases that clear it (the "answered" badge);
- keep_threshold: the lowest probability at which a further point still answers in at least
  `KEEP_PRECISION` of the dev cases.
The test split (answers_test.yaml) is never read here; `mediation eval` reports on it.

Run: python -m bench.train_relevance [--data-dir DIR] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.common import CORPUS, bench_settings, ensure_index

DEV = CORPUS.parent / "evals/cases/answers_dev.yaml"
HONEST, KEEP_PRECISION = 0.97, 0.85
L2_GRID = (0.1, 1.0, 10.0, 30.0)
FOLDS = 5


@dataclass
class CaseData:
    case_id: str
    family: str
    gold: set[str]
    refs: list[set[str]]  # per passage: its refs
    x: np.ndarray  # passages x features
    y: np.ndarray  # 1: the passage answers


def collect(assistant, cases) -> list[CaseData]:  # type: ignore[no-untyped-def]
    from assistant.answer.followup import standalone_question
    from assistant.types import Passage, RetrievalFilter, Turn

    picker = assistant.chain.grounds.picker
    out = []
    for case in cases:
        if case.expect.error:
            continue
        history = [Turn(question=t.question, answer=t.answer) for t in case.history]
        standalone = standalone_question(case.question, history)
        f = case.filters
        filters = (
            RetrievalFilter(
                doc_ids=f.doc_ids,
                kinds=f.kinds,
                date_from=f.date_from.isoformat() if f.date_from else None,
                date_to=f.date_to.isoformat() if f.date_to else None,
            )
            if f
            else None
        )
        vector = assistant.embeddings.embed_query(standalone)
        docs = assistant.retriever.search(standalone, vector, case.k or 5, filters)
        passages = [Passage.from_document(d, r) for r, d in enumerate(docs, start=1)]
        picker.scorer.prime(
            assistant.retriever.sentence_vectors([p.meta.chunk_id for p in passages])
        )
        found = picker.describe(standalone, vector, passages)
        gold = set(case.answers or ())
        refs = [set(passages[e.marker - 1].refs) for e in found]
        out.append(
            CaseData(
                case_id=case.case_id,
                family=case.family,
                gold=gold,
                refs=refs,
                x=np.array([e.features for e in found]).reshape(len(found), -1),
                y=np.array([float(bool(r & gold)) for r in refs]),
            )
        )
    return out


def fit(
    x: np.ndarray, y: np.ndarray, l2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, weights, bias) of an L2 logistic regression on standardised x."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w[:-1], float(w[-1])


def predict(params, x: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    mean, scale, w, b = params
    return 1 / (1 + np.exp(-(((x - mean) / scale) @ w + b)))


def fit_listwise(
    data: list[CaseData], l2: float, steps: int = 3000, rate: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Weights that put an answering sentence first: softmax over each question's candidates.

    The loss is -log(probability mass on the answering candidates) per question (questions with
    none are left out), plus L2; Adam on standardised features. The linear score is then mapped
    to a probability by Platt scaling on all candidates (1-D logistic regression), so that
    thresholds mean "probability that this sentence's paragraph answers".
    """
    train = [d for d in data if len(d.y) and d.y.sum() > 0]
    x = np.vstack([d.x for d in data if len(d.y)])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (np.vstack([d.x for d in train]) - mean) / scale
    pos = np.concatenate([d.y for d in train]).astype(bool)
    starts = np.cumsum([0] + [len(d.y) for d in train[:-1]])
    group = np.repeat(np.arange(len(train)), [len(d.y) for d in train])
    w = np.zeros(x.shape[1])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for step in range(1, steps + 1):
        s = z @ w
        e = np.exp(s - np.maximum.reduceat(s, starts)[group])
        p_all = e / np.add.reduceat(e, starts)[group]
        p_pos = e * pos / np.add.reduceat(e * pos, starts)[group]
        gradient = l2 * w + z.T @ (p_all - p_pos) / len(train)
        m = 0.9 * m + 0.1 * gradient
        v = 0.999 * v + 0.001 * gradient**2
        w -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    z_all = (x - mean) / scale
    y_all = np.concatenate([d.y for d in data if len(d.y)])
    (s_mean,), (s_scale,), (s_weight,), s_bias = fit((z_all @ w)[:, None], y_all, 0.0)
    a = s_weight / s_scale  # p = sigmoid(a * score + c)
    return mean, scale, w * a, float(s_bias - s_mean * a)


def out_of_fold(data: list[CaseData], l2: float, listwise: bool = True) -> list[np.ndarray]:
    """Each case's probabilities from a model trained on the other families' folds."""
    families = sorted({d.family for d in data})
    fold_of = {f: i % FOLDS for i, f in enumerate(families)}
    probs: list[np.ndarray] = [np.zeros(0)] * len(data)
    for fold in range(FOLDS):
        train = [d for d in data if fold_of[d.family] != fold and len(d.y)]
        params = (
            fit_listwise(train, l2)
            if listwise
            else fit(np.vstack([d.x for d in train]), np.concatenate([d.y for d in train]), l2)
        )
        for i, d in enumerate(data):
            if fold_of[d.family] == fold and len(d.y):
                probs[i] = predict(params, d.x)
    return probs


def simulate(data: list[CaseData], probs: list[np.ndarray], keep: float, answer: float) -> dict:
    """The eval's answer metrics for chosen thresholds, one point per passage (as points.choose
    without the second sentence of the first passage)."""
    from assistant.answer.points import MAX_POINTS

    points = correct = firsts = first_ok = answered = honest = 0
    for d, p in zip(data, probs, strict=True):
        if not len(p):
            continue
        order = np.argsort(-p)
        chosen = [order[0]] + [i for i in order[1:MAX_POINTS] if p[i] >= keep]
        ok = [bool(d.refs[i] & d.gold) for i in chosen]
        points += len(ok)
        correct += sum(ok)
        firsts += 1
        first_ok += ok[0]
        if p[order[0]] >= answer:
            answered += 1
            honest += ok[0]
    return {
        "point_precision": round(correct / max(points, 1), 4),
        "first_point_precision": round(first_ok / max(firsts, 1), 4),
        "badge_honesty": round(honest / max(answered, 1), 4),
        "answered_share": round(answered / max(firsts, 1), 4),
        "points_per_answer": round(points / max(firsts, 1), 2),
    }


def auc(y: np.ndarray, p: np.ndarray) -> float:
    order = np.argsort(p)
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / max(n_pos * n_neg, 1))


def thresholds(data: list[CaseData], probs: list[np.ndarray]) -> tuple[float, float]:
    """(answer, keep) thresholds from out-of-fold probabilities (see the module docstring)."""
    pairs = [(d, p) for d, p in zip(data, probs, strict=True) if len(p)]
    firsts = sorted(
        ((float(p.max()), bool(d.refs[int(p.argmax())] & d.gold)) for d, p in pairs), reverse=True
    )
    answer = 1.0
    hits = 0
    for n, (prob, ok) in enumerate(firsts, start=1):
        hits += ok
        if hits / n >= HONEST:
            answer = prob
    rest = sorted(
        (
            (float(q), bool(d.refs[i] & d.gold))
            for d, p in pairs
            for i, q in enumerate(p)
            if i != int(p.argmax())
        ),
        reverse=True,
    )
    keep = 1.0
    hits = 0
    for n, (prob, ok) in enumerate(rest, start=1):
        hits += ok
        if n >= 5 and hits / n >= KEEP_PRECISION:
            keep = prob
    return answer, keep


def main() -> None:
    from assistant.answer.relevance import FEATURES, MODEL_FILE, RelevanceModel, save_model
    from assistant.config import Settings
    from assistant.service import Assistant
    from evals.schema import load_suite

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="An ingested data dir (default: bench's).")
    parser.add_argument("--dry-run", action="store_true", help="Print figures, write nothing.")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir, docs_dir=CORPUS) if args.data_dir else None
    settings = settings or bench_settings()
    ensure_index(settings)
    assistant = Assistant.open(settings)
    suite = load_suite(DEV)
    assert all(c.split == "dev" for c in suite.cases), "train on the dev split only"
    data = collect(assistant, suite.cases)
    x = np.vstack([d.x for d in data if len(d.y)])
    y = np.concatenate([d.y for d in data if len(d.y)])
    print(f"{len(data)} dev cases, {len(y)} passages, {int(y.sum())} answer")

    results = {}
    for listwise in (False, True):
        for l2 in L2_GRID:
            probs = out_of_fold(data, l2, listwise)
            answer, keep = thresholds(data, probs)
            figures = simulate(data, probs, keep, answer)
            figures["auc"] = round(auc(y, np.concatenate([p for p in probs if len(p)])), 4)
            results[(listwise, l2)] = (probs, answer, keep, figures)
            kind = "listwise " if listwise else "pointwise"
            print(f"{kind} l2={l2:<5} answer>={answer:.3f} keep>={keep:.3f} out-of-fold {figures}")
    best = max(results, key=lambda k: (results[k][3]["first_point_precision"],
                                       results[k][3]["point_precision"]))  # fmt: skip
    listwise, l2 = best
    _, answer, keep, figures = results[best]
    for name in ("best_sentence_cos", "passage_cos", "bm25_passage", "inverse_rank"):
        alone = [d.x[:, FEATURES.index(name)] for d in data]
        print(f"{name} alone (first point):", simulate(data, alone, 9.0, 9.0))
    train = [d for d in data if len(d.y)]
    mean, scale, w, b = fit_listwise(train, l2) if listwise else fit(x, y, l2)
    model = RelevanceModel(
        features=FEATURES,
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
        weights=tuple(round(float(v), 6) for v in w),
        bias=round(b, 6),
        answer_threshold=round(answer, 4),
        keep_threshold=round(keep, 4),
        trained={
            "data": "evals/cases/answers_dev.yaml (dev split only)",
            "cases": len(data),
            "passages": len(y),
            "positives": int(y.sum()),
            "label": "the passage's paragraph is one of the case's `answers`",
            "method": (
                "listwise: softmax over each question's candidates, L2, Adam; Platt-scaled"
                if listwise
                else "pointwise L2 logistic regression, Newton's method"
            ),
            "l2": l2,
            "threshold_rule": f"answer: first-point precision >= {HONEST} above it; "
            f"keep: further-point precision >= {KEEP_PRECISION} above it; both on "
            f"{FOLDS}-fold out-of-fold probabilities grouped by family",
            "out_of_fold_dev": figures,
            "command": "python -m bench.train_relevance",
            "when": datetime.now(UTC).date().isoformat(),
        },
    )
    weights = dict(zip(FEATURES, model.weights, strict=True))
    print(json.dumps({n: round(v, 3) for n, v in weights.items()}, indent=1))
    if args.dry_run:
        return
    save_model(model, MODEL_FILE)
    print(f"wrote {MODEL_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
