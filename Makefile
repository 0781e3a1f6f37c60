# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run demo test lint bench simulate schemas clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

## Start the whole platform locally: emulator, EMR driver, seeded profiles, the three services
## as their own processes (logs in .run/logs/; Ctrl-C stops it).
run: $(STAMP)
	$(PY) -m local_runtime

## Submit a mixed workload to the running platform (or one it starts), follow it, summarize it.
## DEMO_ARGS passes options, e.g. make demo DEMO_ARGS="--jobs 20 --bursts 2".
demo: $(STAMP)
	$(PY) -m cli.demo $(DEMO_ARGS)

## Run the whole test suite (the dashboard's browser test needs Debian's chromium: installed if missing).
test: $(STAMP)
	sh scripts/ensure-chromium
	$(PY) -m pytest

## ruff on everything; mypy (strict) on the services, the backbone, the schemas and the local runtime.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy backbone events local_runtime cli services/job_service services/cluster_service services/monitor_service
	$(VENV)/bin/mypy simulator

## Print throughput and request-cost figures, measured side by side in one run.
bench: $(STAMP)
	$(PY) -m bench

## Compare every capacity policy on the bundled KTH-SP2 job log: table on stdout, JSON and an
## HTML report in .run/simulate/. SIMULATE_ARGS adds options, e.g. --sla critical=120,high=900.
simulate: $(STAMP)
	@mkdir -p .run/simulate
	$(PY) -m simulator compare --log simulator/data/KTH-SP2-1996-2.1-cln.swf.gz \
		--json .run/simulate/compare.json --report .run/simulate $(SIMULATE_ARGS)

## Regenerate the JSON Schemas of the integration events.
schemas: $(STAMP)
	$(PY) -m events.schemas.generate

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

include deploy/deploy.mk
