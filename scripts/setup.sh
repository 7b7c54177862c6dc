#!/usr/bin/env bash
# Create the virtualenv and install the project (idempotent, offline-safe after the first run).
# Usage: scripts/setup.sh [run|test]   (test also installs the test tools and the LLM server)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-run}"
venv="${MEDIATION_VENV:-.venv}"
python="${PYTHON:-python3}"
export HF_HUB_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

if [ ! -x "$venv/bin/python" ]; then
  echo "==> creating virtualenv $venv"
  "$python" -m venv "$venv"
fi
extras=""
[ "$profile" = "test" ] && extras="[test]"
stamp="$venv/.installed-$profile-$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing the project$extras (torch pinned by constraints.txt; first run compiles llama.cpp)"
  if ! "$venv/bin/pip" install -q -c constraints.txt -e ".$extras" > "$venv/pip.log" 2>&1; then
    grep -v "^WARNING: Location" "$venv/pip.log" | tail -40
    echo "pip install failed (full log: $venv/pip.log)" >&2
    exit 1
  fi
  "$venv/bin/python" -c "import assistant, ingest, interfaces, evals, torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
  touch "$stamp"
fi
