# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench schemas clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

## Start the platform locally against the embedded emulator (Ctrl-C stops it).
run: $(STAMP)
	$(PY) -m local_runtime

## Run the whole test suite.
test: $(STAMP)
	$(PY) -m pytest

## ruff on everything; mypy (strict) on the services, the backbone, the schemas and the local runtime.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy backbone events local_runtime services/job_service services/cluster_service services/monitor_service

## Print throughput and request-cost figures, measured side by side in one run.
bench: $(STAMP)
	$(PY) -m bench

## Regenerate the JSON Schemas of the integration events.
schemas: $(STAMP)
	$(PY) -m events.schemas.generate

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
