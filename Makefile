# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := .demo/caseload.db
# The demo caseload is synthetic; its passphrase is public so `make run` needs no prompt.
DEMO_PASSPHRASE ?= linkworker-demo

.PHONY: run test test-all lint bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(DEMO_DB): $(STAMP)
	mkdir -p .demo
	LINKWORKER_PASSPHRASE=$(DEMO_PASSPHRASE) $(BIN)/linkworker --db $(DEMO_DB) demo --people 2000

run: $(STAMP) $(DEMO_DB)
	LINKWORKER_PASSPHRASE=$(DEMO_PASSPHRASE) $(BIN)/linkworker --db $(DEMO_DB)

# The whole product, without the slow tests (50,000 people, killed processes): minutes, not ten.
test: $(STAMP)
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 -q -m "not slow"

# Everything, slow tests included: what CI runs.
test-all: $(STAMP)
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .demo build dist *.egg-info

# Packaging (issue 17). test-all also runs the slow PyInstaller check (a few minutes).
.PHONY: build-check lock-windows
build-check: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,build]"
	QT_QPA_PLATFORM=offscreen $(BIN)/python installer/check_build.py

test-all: build-check

lock-windows: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra build --python-platform windows \
	  --python-version 3.11 --generate-hashes --no-header --annotation-style line \
	  -o installer/requirements-windows.lock.new
	{ head -5 installer/requirements-windows.lock; cat installer/requirements-windows.lock.new; } \
	  > installer/requirements-windows.lock.tmp
	mv installer/requirements-windows.lock.tmp installer/requirements-windows.lock
	rm installer/requirements-windows.lock.new

# Translations (issue 17): collect every marked string of the screens into the Welsh template
# (translations already made are kept), and rebuild the English plural forms. docs/translations.md.
UI_SOURCES = $(shell find ui -name '*.py' | sort)
.PHONY: translations
translations: $(STAMP)
	mkdir -p resources/translations
	$(BIN)/pyside6-lupdate $(UI_SOURCES) -locations relative -no-obsolete -target-language cy_GB \
	  -ts resources/translations/linkworker_cy.ts
	$(BIN)/python ui/plural_forms.py resources/translations/linkworker_cy.ts \
	  resources/translations/linkworker_en.ts
	$(BIN)/pyside6-lrelease -silent resources/translations/linkworker_en.ts \
	  -qm resources/translations/linkworker_en.qm
