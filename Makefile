# The two commands: `make demo` (the main job end to end) and `make test` (the whole suite).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: bootstrap demo test lint bench neo4j-start neo4j-stop clean-runs

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	@$(PY) -m cartograph.cli demo

test: bootstrap
	@$(PY) -m pytest

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: bootstrap
	$(PY) bench/ingest.py

neo4j-start: bootstrap
	@$(PY) -m cartograph.cli neo4j start

neo4j-stop: bootstrap
	@$(PY) -m cartograph.cli neo4j stop
