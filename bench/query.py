"""Query latency and memory on this machine, warm and cold, and retrieval at 100,000 chunks.

Targets (issue "cited answers"): ask (extractive) p95 <= 250 ms, retrieval p95 <= 60 ms, cold
start to first answer <= 10 s, retrieval p95 at 100k chunks <= 150 ms.
The 100k index reuses the real chunk texts and synthesises vectors from the real ones (a real
vector plus small noise, renormalised) to avoid hours of encoding; it is queried through the
same HybridRetriever code (paragraph vectors, one sentence vector per chunk, BM25).
Run: python -m bench.query [--scale N]   (--scale 0 skips the 100k index)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import CORPUS, ROOT, bench_settings, ensure_index, peak_rss_mb, percentile


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def cold_start_s(settings_dir: Path) -> float:
    code = (
        "import time; t=time.perf_counter();"
        "from assistant.config import Settings; from assistant.service import Assistant;"
        f"a=Assistant.open(Settings(data_dir={str(settings_dir)!r}, docs_dir={str(CORPUS)!r}));"
        "a.ask('What are the normative boundaries on amnesty?');"
        "print(time.perf_counter()-t)"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    del out
    return time.perf_counter() - started


def scale_index(assistant, size: int) -> tuple[object, list[float]]:  # type: ignore[no-untyped-def]
    """A HybridRetriever over `size` synthetic chunks in a temporary embedded Chroma."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    from assistant.retrieval.hybrid import HybridRetriever
    from assistant.store.lexical import LexicalIndex

    base = assistant.vectorstore.get(include=["documents", "metadatas", "embeddings"])
    rng = np.random.default_rng(0)
    client = chromadb.PersistentClient(path=tempfile.mkdtemp(prefix="bench-scale-"))
    chunks = Chroma(
        "scale",
        embedding_function=assistant.embeddings,
        client=client,
        collection_metadata={"hnsw:space": "cosine"},
    )
    sentences = Chroma(
        "scale__sentences",
        embedding_function=assistant.embeddings,
        client=client,
        collection_metadata={"hnsw:space": "cosine"},
    )
    docs = []
    n = len(base["ids"])
    batch = 5000
    started = time.perf_counter()
    for start in range(0, size, batch):
        ids, vecs, texts, metas, svecs, smetas = [], [], [], [], [], []
        for i in range(start, min(size, start + batch)):
            j = i % n
            vec = np.asarray(base["embeddings"][j]) + rng.normal(0, 0.02, 384)
            vec /= np.linalg.norm(vec)
            meta = {
                **base["metadatas"][j],
                "chunk_id": f"synthetic-{i}",
                "doc_id": f"synthetic-{i // 80}",
            }
            ids.append(f"c{i}")
            vecs.append(vec.tolist())
            texts.append(base["documents"][j])
            metas.append(meta)
            svec = vec + rng.normal(0, 0.02, 384)
            svecs.append((svec / np.linalg.norm(svec)).tolist())
            smetas.append(
                {
                    "chunk_id": meta["chunk_id"],
                    "doc_id": meta["doc_id"],
                    "paragraphs": meta["paragraphs"],
                    "kind": meta["kind"],
                    "date_key": meta["date_key"],
                }
            )
            docs.append(Document(id=f"c{i}", page_content=base["documents"][j], metadata=meta))
        # chromadb's public collection API: the vectors are synthetic, nothing to embed.
        client.get_collection("scale").add(
            ids=ids, embeddings=vecs, documents=texts, metadatas=metas
        )
        client.get_collection("scale__sentences").add(
            ids=[f"s{i}" for i in ids], embeddings=svecs, documents=texts, metadatas=smetas
        )
    build_s = time.perf_counter() - started
    retriever = HybridRetriever(
        vectorstore=chunks,
        sentences=sentences,
        embeddings=assistant.embeddings,
        lexical=LexicalIndex.build(docs),
    )
    return retriever, [build_s]


def main() -> None:
    from assistant.service import Assistant
    from evals.schema import load_suite

    scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 100_000
    settings = bench_settings()
    ensure_index(settings)
    cold = cold_start_s(settings.data_dir)
    assistant = Assistant.open(settings)
    questions = [c.question for c in load_suite(ROOT / "evals/cases/retrieval.yaml").cases]
    for q in questions[:5]:
        assistant.ask(q)
    ask_ms = [timed(lambda q=q: assistant.ask(q)) for q in questions]
    retrieve_ms = [timed(lambda q=q: assistant.retrieve(q)) for q in questions]
    memory = peak_rss_mb()
    print(f"Query benchmark ({len(questions)} labelled questions, warm, extractive)")
    print(
        f"  ask       p50 {percentile(ask_ms, 50):7.1f} ms   p95 {percentile(ask_ms, 95):7.1f} ms"
        "  (target p95 <= 250)"
    )
    print(
        f"  retrieve  p50 {percentile(retrieve_ms, 50):7.1f} ms   p95 "
        f"{percentile(retrieve_ms, 95):7.1f} ms  (target p95 <= 60)"
    )
    print(f"  cold start to first answer {cold:6.2f} s  (target <= 10)")
    print(f"  peak memory {memory:6.0f} MB")
    if scale <= 0:  # --scale 0: only the warm figures
        return
    retriever, (build_s,) = scale_index(assistant, scale)
    vectors = [assistant.embeddings.embed_query(q) for q in questions]
    for q, v in list(zip(questions, vectors, strict=True))[:5]:
        retriever.search(q, v, 5, None)
    pairs = list(zip(questions, vectors, strict=True))
    scale_ms = [timed(lambda q=q, v=v: retriever.search(q, v, 5, None)) for q, v in pairs]
    print(f"  scale: {scale:,} chunks (+{scale:,} sentence vectors) built in {build_s:.0f} s")
    print(
        f"  scale retrieve p50 {percentile(scale_ms, 50):7.1f} ms   p95 "
        f"{percentile(scale_ms, 95):7.1f} ms  (target p95 <= 150)"
    )
    print(f"  peak memory with the scale index {peak_rss_mb():6.0f} MB")


if __name__ == "__main__":
    main()
