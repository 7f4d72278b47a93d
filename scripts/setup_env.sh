#!/usr/bin/env bash
# Create or refresh the project's virtualenv and install embodied (editable) with its
# test extras. CPU-only PyTorch is installed first so stable-baselines3 does not pull
# several GB of CUDA wheels.
#   VENV=path          where the virtualenv lives (default .venv)
#   PYTHON=python3.11  interpreter used to create it (>= 3.10)
#   TORCH_INDEX_URL=.. a PyTorch wheel index to take torch from (e.g. PyTorch's CPU index)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "error: embodied needs Python >= 3.10; '$PYTHON' is $("$PYTHON" --version 2>&1 || echo missing)." >&2
  echo "       set PYTHON=/path/to/python3.11 and run again." >&2
  exit 1
fi

bash scripts/check_system.sh

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
"${PIP[@]}" install --upgrade pip

if ! "$VENV/bin/python" -c 'import torch' 2>/dev/null; then
  echo "== installing CPU PyTorch"
  if [ -n "${TORCH_INDEX_URL:-}" ]; then
    "${PIP[@]}" install torch --index-url "$TORCH_INDEX_URL"
  else
    "${PIP[@]}" install "torch==2.13.0"
  fi
fi

echo "== installing embodied and its dependencies"
# constraints.txt: the versions the golden trajectories and tables were checked under,
# frozen on Python 3.11 (some of them need it); other Pythons take the newest that fit
if "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  "${PIP[@]}" install -e ".[test]" -c constraints.txt
else
  echo "   (constraints.txt is for Python 3.11: installing the newest compatible versions)"
  "${PIP[@]}" install -e ".[test]"
fi
"$VENV/bin/python" -c 'import embodied, mujoco, gymnasium, stable_baselines3; print("embodied", embodied.__version__, "| mujoco", mujoco.__version__)'
