"""llama.cpp's own HTTP server (the code of `llama-server`) on a GGUF model, from Python.

Run as a script by `tests/llm_server.py`:

    python tests/llama_server_main.py --model M.gguf --host 127.0.0.1 --port P --n_ctx 2048

The server comes from the `xllamacpp` wheel (a prebuilt, MIT-licensed Cython build of llama.cpp
by Xorbits), so nothing is compiled on install. It speaks llama.cpp's OpenAI-compatible API
(`/v1/models`, `/v1/chat/completions` with streaming, `response_format` JSON schemas and GBNF
`grammar`), runs on background threads, and this process only waits: SIGTERM or SIGKILL ends
it, SIGSTOP freezes it with its socket still open.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="path of the .gguf file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--n_ctx", type=int, default=2048, help="context window in tokens")
    parser.add_argument("--n_threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.hostnames = [args.host]
    params.port = args.port
    params.n_ctx = args.n_ctx
    params.n_parallel = 1  # one slot with the whole window, as the app's prompt budget assumes
    params.cpuparams.n_threads = args.n_threads
    params.cpuparams_batch.n_threads = args.n_threads
    params.offline = True  # never reach for a model hub
    server = xllamacpp.Server(params)  # loads the model, then listens on background threads
    print(f"listening on {server.listening_address}", file=sys.stderr, flush=True)
    while True:  # SIGTERM's default action ends the process; nothing to clean up
        signal.pause()


if __name__ == "__main__":
    main()
