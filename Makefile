# The two commands the README starts with: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format check-deploy audit lighthouse benchmark load-test import-onet benchmark-imports clean

# The development environment: production dependencies plus the test and CI tools. A
# production install takes requirements.lock alone (README, "Dependencies").
$(BIN)/.installed: requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py bootstrap_local
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# axe-core for the accessibility tests and Lighthouse (skipped with a note where npm is missing).
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests need 'npm ci'"; fi

test: $(BIN)/.installed node_modules/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: $(BIN)/.installed
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
	DJANGO_ALLOWED_HOSTS=careergraph.example \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Known vulnerabilities (PyPI's advisory data) in every pinned dependency (scripts/audit.sh).
audit: $(BIN)/.installed
	scripts/audit.sh

# Lighthouse on the index and a profile page under gunicorn with DEBUG off (docs/testing.md).
lighthouse: $(BIN)/.installed
	scripts/lighthouse.sh

# Requests/s and latency under gunicorn (wrk), plus in-process ms per request.
benchmark: $(BIN)/.installed
	$(BIN)/python scripts/benchmark.py

# The whole O*NET 27.0 catalogue POSTed through the API by 4 parallel writers, then every
# profile's related occupations PATCHed in parallel (needs PostgreSQL on 127.0.0.1:5432).
load-test: $(BIN)/.installed
	$(BIN)/python scripts/api_load_test.py

# The whole O*NET 27.0 catalogue, BLS OEWS May 2023 wages and AI exposure (docs/imports.md).
# Re-runnable: editors' changes are kept. New profiles are drafts unless IMPORT_ARGS=--publish.
# EXTERNAL_DATA is relative to this directory (a shared/ next to the clone) or absolute.
EXTERNAL_DATA ?= ../shared/external-data
import-onet: $(BIN)/.installed
	@test -d "$(EXTERNAL_DATA)" || { echo "import-onet: no data at $(abspath $(EXTERNAL_DATA)); set EXTERNAL_DATA=/path/to/shared/external-data" >&2; exit 2; }
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py import_onet "$(EXTERNAL_DATA)/onet-27.0-full" $(IMPORT_ARGS)
	$(BIN)/python manage.py import_oews "$(EXTERNAL_DATA)/bls-oews-2023-full/national_M2023_dl.xlsx" $(IMPORT_ARGS)
	$(BIN)/python manage.py import_ai_exposure "$(EXTERNAL_DATA)/gpts-are-gpts" $(IMPORT_ARGS)

# Time, rows/s and peak memory of the three imports on a fresh PostgreSQL database.
benchmark-imports: $(BIN)/.installed
	$(BIN)/python scripts/benchmark_imports.py --data "$(EXTERNAL_DATA)"

clean:
	rm -rf $(VENV) staticfiles
