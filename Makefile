# Two entry points for a newcomer: `make run` and `make test`. Both create the virtualenv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench catalogs

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(PY) -m bot

test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) bench/onboarding_step.py
	$(PY) bench/throughput.py
	$(PY) bench/crash.py
	$(PY) bench/ranking.py
	$(PY) bench/broadcast.py

# Re-extract user-visible strings and merge them into every language's catalog.
catalogs: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k NC_:1c,2 -c NOTE: -o locales/messages.pot --no-location --omit-header .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete
	$(PY) locales/fill_source.py
