"""What the pipeline reports while it works; the CLI draws it with rich, tests ignore it."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, documents: int) -> None: ...
    def document(self, name: str) -> None: ...
    def chunks(self, count: int) -> None: ...
    def embedded(self, count: int) -> None: ...


class NullProgress:
    """Progress that shows nothing."""

    def start(self, documents: int) -> None:
        pass

    def document(self, name: str) -> None:
        pass

    def chunks(self, count: int) -> None:
        pass

    def embedded(self, count: int) -> None:
        pass
