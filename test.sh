#!/usr/bin/env bash
# Every test: install (with test tools), make sure headless Chromium is there, lint, type-check,
# then the whole pytest suite: unit, real model + Chroma (embedded and server), the real SmolLM2
# model through a llama.cpp server, the eval gate, and the browser test.
set -euo pipefail
cd "$(dirname "$0")"
export HF_HUB_OFFLINE=1
scripts/setup.sh test
venv="${MEDIATION_VENV:-.venv}"
if [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian chromium + chromium-driver for the browser test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
echo "==> ruff"
"$venv/bin/ruff" check assistant ingest interfaces evals bench tests
echo "==> mypy (strict on assistant/, ingest/, evals/)"
"$venv/bin/mypy"
echo "==> pytest"
mkdir -p artifacts
"$venv/bin/python" -m pytest -q "$@"
