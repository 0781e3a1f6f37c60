# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run demo soak chaos test test-unit lint bench simulate schemas lock clean

# requirements-dev.txt is a lock: every package, transitive ones included, pinned with PyPI's
# hashes (`make lock` writes it). pip checks each file it installs against them; --no-deps, because
# the lock already names every package, so pip has nothing to resolve.
PIP_INSTALL = -m pip install --quiet --disable-pip-version-check
LOCKED = $(PIP_INSTALL) --require-hashes --no-deps

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) $(PIP_INSTALL) --upgrade pip==25.3
	$(PY) $(LOCKED) -r requirements-dev.txt
	$(PY) $(PIP_INSTALL) --no-deps -e .
	@touch $(STAMP)

## Start the whole platform locally: emulator, EMR driver, seeded profiles, the three services
## as their own processes (logs in .run/logs/; Ctrl-C stops it).
run: $(STAMP)
	$(PY) -m local_runtime

## Submit a mixed workload to the running platform (or one it starts), follow it, summarize it.
## DEMO_ARGS passes options, e.g. make demo DEMO_ARGS="--jobs 20 --bursts 2"; DEMO_TENANTS names
## further tenants as NAME=KEY (a key the job service refuses is left out; empty: one tenant).
DEMO_TENANTS ?= acme=local-acme-key
demo: $(STAMP)
	$(PY) -m cli.demo $(foreach t,$(DEMO_TENANTS),--tenant $(t)) $(DEMO_ARGS)

## Leave the platform running under light load and watch every process's memory: per-process
## RSS at start and end and its slope in .run/soak/report.json; fails when one grows faster than
## --max-slope MB/min. SOAK_ARGS passes options, e.g. make soak SOAK_ARGS="--minutes 60".
soak: $(STAMP)
	$(PY) -m local_runtime.soak $(SOAK_ARGS)

## Run a mixed workload while killing service processes and making AWS fail, throttle and
## deliver twice or out of order; then audit that no job was lost or run twice (table on stdout,
## .run/chaos/report.json; exit 1 if not). CHAOS_ARGS, e.g. --jobs 300 --kills 20 --seed 7.
chaos: $(STAMP)
	$(PY) -m local_runtime.chaos $(CHAOS_ARGS)

## Run the whole test suite (the dashboard's browser test needs Debian's chromium: installed if missing).
test: $(STAMP)
	sh scripts/ensure-chromium
	$(PY) -m pytest

## Run the unit tests only (in memory: no emulator, servers or processes); well under a minute.
test-unit: $(STAMP)
	$(PY) -m pytest -m "not integration"

## ruff on everything; mypy (strict) on the services, the backbone, the schemas and the local runtime;
## the import rules (pyproject.toml's import-linter contracts, docs/architecture.md).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
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

## Regenerate the JSON Schemas of the integration events and each service's openapi.json.
schemas: $(STAMP)
	$(PY) -m events.schemas.generate
	$(PY) -m job_service.api.openapi
	$(PY) -m cluster_service.api.openapi
	$(PY) -m monitor_service.api.openapi

## Re-lock every dependency from the *.in files (requirements*.in, deploy/requirements-*.in,
## deploy/lambda/requirements.in): pins, transitive packages and PyPI's hashes, into the *.txt
## beside them. Versions already locked are kept unless an .in file asks otherwise;
## `make lock UPGRADE=1` moves every unpinned transitive package to its newest release.
UV_COMPILE = $(UV) pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --index-url https://pypi.org/simple \
	--no-config --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
UV := $(VENV)/bin/uv
$(UV):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) $(PIP_INSTALL) "$$(grep '^uv==' requirements-dev.in)"
lock: $(UV)
	$(UV_COMPILE) requirements.in -o requirements.txt
	$(UV_COMPILE) requirements-dev.in -o requirements-dev.txt
	$(UV_COMPILE) --no-deps deploy/lambda/requirements.in -o deploy/lambda/requirements.txt
	$(UV_COMPILE) deploy/requirements-sam.in -o deploy/requirements-sam.txt
	$(UV_COMPILE) deploy/requirements-checkov.in -o deploy/requirements-checkov.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

include deploy/deploy.mk
