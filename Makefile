# Two commands do everything on a fresh machine:
#   make demo   set up the virtualenv, then run a demo episode (video + metrics JSON)
#   make test   set up the virtualenv, then run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export MUJOCO_GL ?= egl

.PHONY: setup demo test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/setup_env.sh
	VENV=$(VENV) bash scripts/setup_env.sh
	touch $(STAMP)

# the tests' local LLM (llama.cpp and a small model); the demo does not need it
LLM_STAMP := $(VENV)/.llm-installed
$(LLM_STAMP): $(STAMP) scripts/setup_llm.sh
	VENV=$(VENV) bash scripts/setup_llm.sh
	touch $(LLM_STAMP)

demo: setup
	$(VENV)/bin/embodied demo --task all --out out/demo

test: setup $(LLM_STAMP)
	$(VENV)/bin/ruff check embodied scripts tests hydra_plugins
	$(PY) -m pytest -n 2 -q

bench: setup
	$(PY) scripts/benchmark.py

clean:
	rm -rf $(VENV) out outputs multirun .pytest_cache
