"""Retrieval quality on the labelled questions: ours vs the naive LangChain baseline.

Ours: structure-aware paragraph chunks, hybrid dense + BM25 with reciprocal-rank fusion.
Baseline: the raw files split by RecursiveCharacterTextSplitter(1000, 200), Chroma similarity
top-5, same embedding model. A baseline chunk counts as the gold paragraph when it shares at
least three 8-word shingles with it (chunks do not know paragraphs; this is generous to them).

Run: python -m bench.retrieval [--misses]
"""

from __future__ import annotations

import re
import sys
import time

from bench.common import CORPUS, bench_settings, ensure_index
from evals.schema import load_suite

K = 5


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def score(ranked: list[set[str]], gold: set[str]) -> tuple[float, float]:
    """(hit@k, reciprocal rank) for one question; ranked[i] = refs of the i-th result."""
    for rank, refs in enumerate(ranked[:K], start=1):
        if refs & gold:
            return 1.0, 1.0 / rank
    return 0.0, 0.0


def main() -> None:
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.service import Assistant
    from ingest.manifest import load_manifest

    settings = bench_settings()
    ensure_index(settings)
    assistant = Assistant.open(settings)
    cases = [c for c in load_suite(CORPUS.parent / "evals/cases/retrieval.yaml").cases]

    paragraphs = {}
    for summary in assistant.documents():
        for passage in assistant.document_passages(summary.doc_id):
            for ref in passage.refs:
                paragraphs.setdefault(ref, set()).update(shingles(passage.text))

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    texts, metas = [], []
    for file, info in load_manifest(CORPUS).items():
        for chunk in splitter.split_text((CORPUS / file).read_text(encoding="utf-8")):
            texts.append(chunk)
            metas.append({"doc_id": info.doc_id})
    baseline = Chroma(collection_name="baseline", embedding_function=assistant.embeddings)
    baseline.add_texts(texts, metadatas=metas)

    def baseline_refs(chunk_text: str, doc_id: str) -> set[str]:
        mine = shingles(chunk_text)
        return {
            r for r, sh in paragraphs.items() if r.startswith(doc_id + "#") and len(mine & sh) >= 3
        }

    rows = {"ours": [], "baseline": []}
    misses = []
    started = time.perf_counter()
    for case in cases:
        gold = set(case.expect.retrieved)
        ours = [set(p.refs) for p in assistant.retrieve(case.question, k=K)]
        rows["ours"].append(score(ours, gold))
        if rows["ours"][-1][0] == 0:
            misses.append((case.case_id, sorted(gold), [sorted(r) for r in ours]))
        hits = baseline.similarity_search(case.question, k=K)
        rows["baseline"].append(
            score([baseline_refs(d.page_content, d.metadata["doc_id"]) for d in hits], gold)
        )
    seconds = time.perf_counter() - started

    print(f"Retrieval on {len(cases)} labelled questions (k={K}), {seconds:.1f} s")
    print(f"{'system':<40} {'recall@5':>9} {'MRR':>7}")
    for name, label in (
        ("ours", "hybrid, paragraph chunks (ours)"),
        ("baseline", "naive: 1000/200 splitter + Chroma top-5"),
    ):
        recall = sum(h for h, _ in rows[name]) / len(cases)
        mrr = sum(r for _, r in rows[name]) / len(cases)
        print(f"{label:<40} {recall:>9.3f} {mrr:>7.3f}")
    if "--misses" in sys.argv:
        for case_id, gold, got in misses:
            print(f"MISS {case_id}: gold {gold} got {got}")


if __name__ == "__main__":
    main()
