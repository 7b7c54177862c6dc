#!/usr/bin/env bash
# The main job: install, ingest guidance_docs/ if the index is missing or stale, serve the web chat
# on http://127.0.0.1:8501 (MEDIATION_PORT / MEDIATION_HOST to change).
set -euo pipefail
cd "$(dirname "$0")"
export HF_HUB_OFFLINE=1
scripts/setup.sh run
venv="${MEDIATION_VENV:-.venv}"
"$venv/bin/mediation" ingest --if-stale || [ $? -eq 1 ]   # 1 = some files failed, the rest is indexed
exec "$venv/bin/mediation" serve --host "${MEDIATION_HOST:-127.0.0.1}" --port "${MEDIATION_PORT:-8501}"
