"""Entry point of the `mediation` command: every command registered, one error handler."""

from __future__ import annotations

import sys

from assistant.errors import AssistantError
from interfaces.cli import asking, index, review, serve  # noqa: F401  (registers the commands)
from interfaces.cli.app import app, err, error_line

__all__ = ["app", "run"]


def run() -> None:
    """Run the CLI; an `AssistantError` any command lets through becomes one line, exit 2."""
    try:
        app()
    except AssistantError as exc:
        err.print(error_line(exc))
        sys.exit(2)
