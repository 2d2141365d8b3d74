# The two commands a user needs: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` (0: one process); each has its own test database and Redis dbs.
TEST_WORKERS ?= 2

.PHONY: run test lint format migrate seed worker check-python browser-deps clean bench lock

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null || { \
	  echo "Python 3.12 or newer is needed: '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.12+ (pyenv and uv read .python-version), or run: make PYTHON=python3.13 ..."; \
	  exit 1; }

# Exactly the locked versions, checked against their hashes (pyproject.toml declares; `make lock` locks).
$(INSTALLED): requirements-dev.lock | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $(INSTALLED)

# After a change to the dependencies in pyproject.toml: re-resolve both lock files (the image installs
# requirements.lock, `make` requirements-dev.lock). UPGRADE=1 also moves what is only locked, not pinned.
lock: $(INSTALLED)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.12 --generate-hashes --quiet \
	  $(if $(UPGRADE),--upgrade) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 --generate-hashes \
	  --quiet $(if $(UPGRADE),--upgrade) -o requirements-dev.lock

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

var:
	mkdir -p var/staticfiles var/media

migrate: $(INSTALLED) var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo "Serving the portal on http://$(HOST):$(PORT)/ (demo logins are printed above)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's chromium drives the browser tests; install it when missing and we may (root).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)); \
	  else echo "chromium is not installed: browser tests will be skipped (install Debian's chromium)."; fi; }

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(INSTALLED) node_modules/axe-core/axe.min.js browser-deps var lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

worker: $(INSTALLED)
	$(BIN)/celery -A portal worker --loglevel=info -Q default,sync,usage

# The benchmark (issue 7): its own PostgreSQL database and Redis db; SCALE=small (CI) or large.
SCALE ?= small
bench: $(INSTALLED) var
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || { \
	  echo "make bench needs PostgreSQL and Redis, e.g.:"; \
	  echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/0 make bench SCALE=$(SCALE)"; \
	  exit 1; }
	$(BIN)/python manage.py benchmark --scale $(SCALE) --out var/bench-$(SCALE).json

clean:
	rm -rf $(VENV) node_modules var
