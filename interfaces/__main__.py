"""`python -m interfaces` runs the `mediation` command (used by tests and scripts)."""

from interfaces.cli.main import run

run()
