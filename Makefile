# Course commands. `make lab` for students, `make test` for the suite (what CI runs).
# `make test` uses $COURSE_DATA_DIR, or ../shared/datasets (the course's CI data) when it exists.
SHELL := /bin/bash
# TensorFlow 2.21 has wheels for Python 3.11-3.13 only: use python3 if it is one of those, else the
# newest of python3.13, python3.12, python3.11 on PATH (or say PYTHON=/path/to/python3.12).
SUPPORTED := python3 python3.13 python3.12 python3.11
PYTHON ?= $(shell for p in $(SUPPORTED); do $$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' \
	  >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# JupyterLab refuses to start as root (containers, CI) without --allow-root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# Open a browser only where there is a screen; the URL is printed either way.
BROWSER_FLAG := $(shell [ -z "$$DISPLAY" ] && [ "$$(uname)" != Darwin ] && echo --no-browser)
PYTEST_ARGS ?=
# make test: three pytest workers on the 2 cores, each notebook kernel and test process limited to one
# thread, so the workers share the cores instead of fighting over them (on 2 cores, two runs of chapter 08
# side by side took 117 s with one thread each against 151 s with TensorFlow's default, 2 threads each). A
# third worker fills the time the other two spend waiting (kernel start, imports, file I/O): from a clean
# clone on 2 idle cores (2026-12-05) the suite took 563 s with 3 workers; with 2, 593-621 s the day before.
# A fast-mode kernel peaks at 1.5 GB or less (benchmarks/results.md), so 3 workers fit in 8 GB of RAM.
TEST_WORKERS ?= 3
TEST_THREADS ?= TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=1
# make bench / make html: MODE=full (default) or fast; NOTEBOOKS="02_rnn_time_step 08_language_model" to pick some;
# BENCH_ARGS=--shared-cpu when other jobs run beside the bench (its times are then marked as upper bounds);
# BACKEND=jax runs them under KERAS_BACKEND=jax (benchmarks/results_jax.json; backends.md compares the two).
MODE ?= full
BACKEND ?= tensorflow
NOTEBOOKS ?=
# The course's CI data beside the repo, unless COURSE_DATA_DIR is set.
DATA_ENV := if [ -z "$${COURSE_DATA_DIR:-}" ] && [ -d ../shared/datasets ]; then \
	  export COURSE_DATA_DIR="$$(cd ../shared/datasets && pwd)"; fi

.PHONY: help lab test lint hooks student check-student grade-check clean-cache bench bench-dlwp html colab-sim

help:
	@echo "make lab       start JupyterLab on the course (creates .venv on first use)"
	@echo "make test      lint, then run the whole test suite in fast mode (what CI runs)"
	@echo "make lint      ruff on utils/, tests/, benchmarks/ and the notebooks"
	@echo "make hooks     install the git pre-commit hooks (strip outputs, ruff, chapters in sync)"
	@echo "make student   mark solutions/ for nbgrader and regenerate chapters/ from them"
	@echo "make grade-check  nbgrader round trip on every chapter: generate, autograde solved/untouched/one-done, feedback"
	@echo "make bench     run every notebook in a fresh kernel (MODE=full|fast), record time, RAM and metrics"
	@echo "               (BACKEND=jax: the same on JAX; benchmarks/backends.md puts both backends side by side)"
	@echo "               in benchmarks/results.{json,md} and regenerate the README chapter table (run alone)"
	@echo "make html      the course site in build/site (Sphinx + myst-nb, book theme; works offline): the chapter table,"
	@echo "               one page per executed notebook (MODE=full|fast; executes stale notebooks first)"
	@echo "make bench-dlwp  time to 0.87 on IMDB: the DLwP LSTM recipe vs chapter 03's, side by side (3 seeds each, ~10 min; run alone)"
	@echo "make colab-sim rehearse Open in Colab offline: chapters run in a fresh env that lacks utils (NOTEBOOKS=...)"

$(PY):
	@if [ -z "$(PYTHON)" ] || ! $(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; then \
	  echo "TensorFlow 2.21 needs Python 3.11, 3.12 or 3.13, and none was found (python3 is $$(python3 --version 2>&1 | head -1)): install one (e.g. \`pyenv install 3.13\`) or run \`make PYTHON=/path/to/python3.13 ...\`." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)

# INSTALLER=pip (default) or uv: the same pinned files installed by uv (PyPI, pinned below; put in the venv by
# pip first), which fetches and unpacks in parallel: here the two files took 17 s with uv against about 100 s
# with pip (25 s in a clean-clone CI run, the CJK font included). .ci/run uses it, with pip's own index settings (UV_EXTRA_INDEX_URL etc., see there).
INSTALLER ?= pip
UV_VERSION := 0.13.9
ifeq ($(INSTALLER),uv)
INSTALL = $(PIP) install -q uv==$(UV_VERSION) && $(VENV)/bin/uv pip install --python $(PY) --compile-bytecode
else ifeq ($(INSTALLER),pip)
INSTALL = $(PIP) install
else
$(error INSTALLER=$(INSTALLER) is not understood: use INSTALLER=pip (the default) or INSTALLER=uv)
endif

# Install again only when a requirements file changed (the stamp is older than it).
$(VENV)/.runtime-installed: requirements.txt pyproject.toml | $(PY)
	$(INSTALL) -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(INSTALL) -r requirements-dev.txt
	touch $@

lab: $(VENV)/.runtime-installed
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) $(BROWSER_FLAG) --ServerApp.root_dir="$(CURDIR)"

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .

hooks: $(VENV)/.dev-installed
	$(VENV)/bin/pre-commit install

test: $(VENV)/.dev-installed lint
	@start=$$(date +%s); \
	if [ -z "$${COURSE_DATA_DIR:-}" ] && [ -d ../shared/datasets ]; then \
	  export COURSE_DATA_DIR="$$(cd ../shared/datasets && pwd)"; echo "COURSE_DATA_DIR=$$COURSE_DATA_DIR"; fi; \
	COURSE_FAST=$${COURSE_FAST:-1} $(TEST_THREADS) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder \
	  --nbval-lax --nbval-current-env --nbval-cell-timeout=600 \
	  $(PYTEST_ARGS) tests solutions chapters; status=$$?; \
	echo "test suite wall time: $$(( $$(date +%s) - start )) s"; exit $$status

student: $(VENV)/.runtime-installed
	$(PY) -m utils.student

check-student: $(VENV)/.runtime-installed
	$(PY) -m utils.student --check

# nbgrader's whole round trip for every chapter (make test does it for chapter 01 only); fast mode.
grade-check: $(VENV)/.dev-installed
	@$(DATA_ENV); COURSE_FAST=$${COURSE_FAST:-1} COURSE_GRADE_ALL=1 $(TEST_THREADS) $(PY) -m pytest -n $(TEST_WORKERS) -v tests/test_nbgrader.py $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	@$(DATA_ENV); $(PY) benchmarks/run.py --mode $(MODE) --backend $(BACKEND) $(if $(NOTEBOOKS),--notebooks $(NOTEBOOKS)) $(BENCH_ARGS)

html: $(VENV)/.dev-installed
	@$(DATA_ENV); $(PY) benchmarks/site.py --mode $(MODE)

# Chapter 03's reference: time to 0.87 validation accuracy of the book's LSTM recipe on this machine.
bench-dlwp: $(VENV)/.runtime-installed
	@if [ -z "$${COURSE_DATA_DIR:-}" ] && [ -d ../shared/datasets ]; then \
	  export COURSE_DATA_DIR="$$(cd ../shared/datasets && pwd)"; fi; \
	$(PY) benchmarks/dlwp_lstm_recipe.py

# Offline rehearsal of the Colab set-up cell (installs the committed branch; fast mode by default).
colab-sim: $(VENV)/.runtime-installed
	@$(DATA_ENV); COURSE_FAST=$${COURSE_FAST:-1} $(PY) tests/colab_sim.py $(if $(NOTEBOOKS),--notebooks $(NOTEBOOKS))

clean-cache:
	rm -rf "$${COURSE_CACHE_DIR:-data/cache}"
