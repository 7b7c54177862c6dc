"""One error tree; every message says what to do next. Entry points translate it once."""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(AssistantError):
    """A setting or argument is wrong."""


class IndexMissing(AssistantError):
    def __init__(self, data_dir: Path) -> None:
        super().__init__(f"No index in {str(data_dir)!r}; run `mediation ingest` first.")


class InvalidQuestion(AssistantError):
    """The question cannot be asked as it is (empty, too long)."""


class LLMUnavailable(AssistantError):
    """The configured language model could not be reached or failed."""


class DocumentError(AssistantError):
    """A document could not be read; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class UnknownDocument(InvalidQuestion):
    """A filter names a document id that is not indexed; the message lists the known ones."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        self.unknown = unknown
        self.known = known
        names = ", ".join(repr(d) for d in unknown)
        super().__init__(
            f"Unknown document {names}: no indexed document has that id. Known documents: "
            f"{', '.join(known)}. Use one of these ids (`mediation docs` lists them)."
        )
