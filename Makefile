# The two commands: `make run` serves the app, `make test` runs the whole suite.
# Both create .venv and install the pinned requirements first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz postman setup install lint clean

$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "IntentScore needs Python 3.11 or newer as '$(PYTHON)' (set PYTHON=...)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(INSTALLED)

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_setup

# The local demo answers anonymous requests too (ALLOW_ANONYMOUS_DEMO); API keys work as well.
run: setup
	ALLOW_ANONYMOUS_DEMO=$${ALLOW_ANONYMOUS_DEMO:-true} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Schemathesis against a live server on a throw-away database (FUZZ_MAX_EXAMPLES=... for more).
fuzz: install
	.ci/fuzz-api

# The Postman collection (docs/postman/) run by newman (npm ci) against a live server on a
# throw-away database.
postman: install
	.ci/newman

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The apps' layers and independence (.importlinter): an upward import or a cycle fails.
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) data staticfiles .pytest_cache node_modules
