"""Ingest cost on this machine, in one run: full ingest vs pure encoding, re-ingest, memory.

Targets (issue "foundation and ingest"): full ingest <= 1.3x the time of only encoding the same
texts with the same model; re-ingest of the unchanged corpus < 5% of a full ingest.
The model is loaded before timing starts (its load time is reported separately).
Run: python -m bench.ingest
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from bench.common import CORPUS, peak_rss_mb


def main() -> None:
    from assistant.store.embeddings import build_embeddings
    from ingest.chunking import sentence_documents
    from ingest.manifest import load_manifest
    from ingest.pipeline import ingest, parse_file

    data = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    settings = Settings(data_dir=data, docs_dir=CORPUS)
    started = time.perf_counter()
    embeddings = build_embeddings(settings)
    embeddings.embed_query("warm up")
    load_s = time.perf_counter() - started

    chunks = []
    for file, info in load_manifest(CORPUS).items():
        chunks += parse_file(CORPUS / file, info)[1]
    chunk_texts = [d.page_content for d in chunks]
    sentence_texts = [d.page_content for d in sentence_documents(chunks)]
    embeddings.embed_documents(chunk_texts[:64])  # warm the batch path for both measurements

    started = time.perf_counter()
    report = ingest(settings)
    full_s = time.perf_counter() - started

    started = time.perf_counter()
    embeddings.embed_documents(chunk_texts)
    chunk_encode_s = time.perf_counter() - started
    started = time.perf_counter()
    embeddings.embed_documents(sentence_texts)
    sentence_encode_s = time.perf_counter() - started
    encode_s = chunk_encode_s + sentence_encode_s

    started = time.perf_counter()
    again = ingest(settings)
    reingest_s = time.perf_counter() - started
    shutil.rmtree(data, ignore_errors=True)

    print(
        f"Ingest benchmark ({len(report.files)} documents, {report.chunks} chunks, "
        f"{len(sentence_texts)} sentences)"
    )
    print(f"  model load (excluded below)        {load_s:8.2f} s")
    print(f"  full ingest                        {full_s:8.2f} s")
    print(f"  pure encoding, chunks only         {chunk_encode_s:8.2f} s")
    print(f"  pure encoding, chunks + sentences  {encode_s:8.2f} s  (everything ingest embeds)")
    print(f"  ratio ingest / encoding everything {full_s / encode_s:8.2f} x  (target <= 1.3)")
    print(f"  ratio ingest / encoding chunks     {full_s / chunk_encode_s:8.2f} x")
    print(
        f"  re-ingest unchanged                {reingest_s:8.2f} s = "
        f"{100 * reingest_s / full_s:.1f}% of full (target < 5%), embedded {again.embedded}"
    )
    print(f"  peak memory                        {peak_rss_mb():8.0f} MB")


if __name__ == "__main__":
    main()
