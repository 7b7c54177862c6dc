"""The `mediation` Typer app and what its commands share: settings, consoles, the error edge.

Commands live in `index`, `asking`, `review` and `serve`; `main.run` registers them and
translates every `AssistantError` once, at the edge: a message, no traceback, exit code 2.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from assistant.config import Settings
from assistant.errors import AssistantError

app = typer.Typer(
    help="Mediation Guidance Assistant: cited answers from UN mediation guidance, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def error_line(exc: BaseException) -> Text:
    """`Error: <message>`; the message is text, never rich markup (it may quote a title)."""
    return Text.assemble(("Error: ", "bold red"), str(exc))


def fail(exc: AssistantError, code: int = 2) -> typer.Exit:
    err.print(error_line(exc))
    return typer.Exit(code)
