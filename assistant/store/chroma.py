"""Chroma: the only module that opens a client or a collection (embedded or server).

`build_vectorstore` returns LangChain's `Chroma` store; callers use its public API. Where the
LangChain wrapper has no method (stored vectors by id, sentence vectors by chunk), the functions
here read the collection, so no other module touches `_collection`.
"""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.store.embeddings import build_embeddings, offline


def build_chroma_client(settings: Settings) -> Any:
    """Embedded `PersistentClient` in the data directory, or an HTTP client for a server."""
    offline()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ConfigError(
                f"MEDIATION_CHROMA_URL={settings.chroma_url!r} is not a URL; "
                "use e.g. http://127.0.0.1:8000."
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises plain Exception/ValueError on connect
            raise ConfigError(
                f"Cannot reach the Chroma server at {settings.chroma_url} ({exc}); start it "
                "(`chroma run --path DIR --host 127.0.0.1 --port 8000`) or unset "
                "MEDIATION_CHROMA_URL."
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


SENTENCES = "__sentences"  # suffix of the collection holding one vector per sentence


def build_vectorstore(
    settings: Settings, embeddings: Embeddings | None = None, suffix: str = ""
) -> Any:
    """The LangChain `Chroma` vector store over the configured collection (cosine space).

    `suffix=SENTENCES` opens the companion collection of sentence vectors.
    """
    from langchain_chroma import Chroma

    return Chroma(
        collection_name=settings.collection + suffix,
        embedding_function=embeddings or build_embeddings(settings),
        client=build_chroma_client(settings),
        collection_metadata={"hnsw:space": "cosine"},
    )
