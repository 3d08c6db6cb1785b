# Two commands: `make demo` and `make test` (see README.md). Both install what is missing.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test test-spatialite test-postgis lint format lock setup system clean

setup: system .venv/.installed frontend/node_modules/.installed

system:
	@bash .ci/system-packages postgresql-15 postgresql-15-postgis-3 chromium fonts-wqy-microhei poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.venv/.installed: requirements.lock
	@test -x $(PY) || /usr/bin/python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py demo_setup
	$(PY) manage.py demo_scenario
	@echo "serving the dashboard on http://127.0.0.1:$(PORT)/ with a run worker (Ctrl-C to stop)"
	@$(PY) manage.py run_worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

test: setup
	$(MAKE) --no-print-directory test-spatialite
	$(MAKE) --no-print-directory test-postgis

test-spatialite:
	@echo "=== test suite on SpatiaLite ==="
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgis:
	@echo "=== test suite on PostGIS ==="
	DATABASE_URL=$$(bash .ci/postgis start) $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

lock:
	@test -x $(PY) || /usr/bin/python3 -m venv .venv
	$(PY) -m pip install -q -r requirements.in
	$(PY) -m pip freeze --exclude-editable | sort > requirements.lock

clean:
	rm -rf .venv frontend/node_modules var
