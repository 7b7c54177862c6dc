"""The `serve` command: the web app under Streamlit."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from interfaces.cli.app import app, console


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8501,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
) -> None:
    """Start the web app (Streamlit) on http://HOST:PORT."""
    app_path = Path(__file__).parents[1] / "web" / "app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no "Deploy" button or developer menu for field staff
    ]
    console.print(f"Serving the web app on http://{host}:{port} (Ctrl+C stops it).")
    sys.stdout.flush()
    # exec, not a child process: signals (Ctrl+C, a supervisor's SIGTERM) reach Streamlit itself.
    os.execv(sys.executable, command)
