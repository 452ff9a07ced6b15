#!/usr/bin/env bash
# Install the pinned dependencies into .venv with uv (installing uv itself when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/find-python)
export UV_PYTHON_DOWNLOADS=never
if ! command -v uv >/dev/null 2>&1; then
  if [ -x "$HOME/.local/bin/uv" ]; then
    export PATH="$HOME/.local/bin:$PATH"
  else
    echo "osseo: installing uv (the package manager) with pip" >&2
    "$PY" -m pip install --quiet --user uv || "$PY" -m pip install --quiet uv
    export PATH="$HOME/.local/bin:$(dirname "$PY"):$PATH"
  fi
fi
UV=$(command -v uv || echo "$(dirname "$PY")/uv")
"$UV" sync --frozen --quiet --python "$PY"
