# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1

.PHONY: run test lint check-content bench clean help

help:
	@echo "make run    create .venv, install, migrate, sync modules/, demo accounts, serve on http://$(HOST):$(PORT)"
	@echo "make test   create .venv, install the dev extra, run the whole suite"
	@echo "make lint   ruff"
	@echo "make bench  run the benchmarks in bench/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Champion needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

run: export CHAMPION_ENV = development
run: $(VENV)/.installed
	$(BIN)/champion db upgrade
	$(BIN)/champion modules sync
	$(BIN)/champion demo
	$(BIN)/champion run --debug --host $(HOST) --port $(PORT)

# 1EdTech's Open Badges validator, in a venv of its own: its pins are old (see the file).
.venv-openbadges/.installed: tests/openbadges/requirements.txt
	$(PYTHON) -m venv --clear .venv-openbadges
	.venv-openbadges/bin/pip install --quiet --no-deps -r tests/openbadges/requirements.txt
	@touch $@

# Ralph, a real learning record store for the xAPI delivery tests, in a venv of its own too.
.venv-ralph/.installed: tests/ralph/requirements.txt
	$(PYTHON) -m venv --clear .venv-ralph
	.venv-ralph/bin/pip install --quiet --no-deps -r tests/ralph/requirements.txt
	@touch $@

# The LTI 1.3 platform (lti1p3platform from PyPI) the LTI tests launch from, in its own venv.
.venv-lti-platform/.installed: tests/lti_platform/requirements.txt
	$(PYTHON) -m venv --clear .venv-lti-platform
	.venv-lti-platform/bin/pip install --quiet --no-deps -r tests/lti_platform/requirements.txt
	@touch $@

# The counterparts some tests start on 127.0.0.1 (an OpenID provider, a SCORM runtime), from
# the committed lock file. Without Node the tests that need them skip and say why.
tests/npm/node_modules/.installed: tests/npm/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/npm --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is not installed: the tests that need tests/npm will skip"; fi

test: $(VENV)/.installed-dev .venv-openbadges/.installed .venv-ralph/.installed \
      .venv-lti-platform/.installed tests/npm/node_modules/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

check-content: $(VENV)/.installed
	$(BIN)/champion modules check modules

bench: $(VENV)/.installed-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || echo "wrk is not installed: the gunicorn measurements will be skipped"
	cd bench && ../$(BIN)/python run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
