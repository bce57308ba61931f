# lablib: two commands do all the set-up on a machine with only Python.
#   make demo   install, then run the main job on embedded defaults (SQLite, local exchange)
#   make test   install, then run the whole test suite (real nbgrader, real kernels)

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
WORKERS ?= 2

.PHONY: install demo test test-fast lint bench assignments clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/lablib demo --out demo-out

test: $(STAMP)
	bash tests/setup-services.sh
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest -n $(WORKERS) --dist loadfile --durations=15

test-fast: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest -n $(WORKERS) --dist loadfile -m "not slow and not browser and not postgres"

bench: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) benchmarks/bench_core.py

assignments: $(STAMP)
	$(PY) -m lablib.notebook.assignments assignments

lint: $(STAMP)
	$(PY) -m pip install -q -e '.[dev]'
	$(VENV)/bin/ruff check lablib tests benchmarks

clean:
	rm -rf $(VENV) demo-out .pytest_cache
