"""`python -m ui` runs the `mediation` command (used by tests and scripts)."""

from ui.cli import app

app()
