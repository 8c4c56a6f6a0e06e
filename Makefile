# scireport: `make demo` builds the sample report, `make test` runs every test.
# Both start by setting up: a .venv with the package, and the Debian packages it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core poppler-utils qpdf libgs-common chromium
SCIREPORT := $(BIN)/scireport

.PHONY: setup system venv demo test test-fast check lint format bench bench-validate bench-build bench-preview schema clean

setup: system venv

system:
	@./scripts/system-deps.sh $(DEBS)

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	@touch $(STAMP)

demo: setup
	$(SCIREPORT) validate
	$(SCIREPORT) build --edition both
	@echo
	@echo "Print edition:  build/print/report.pdf   (each city: build/print/cities/)"
	@echo "Screen edition: build/screen/report.pdf  (each city: build/screen/cities/)"
	@echo "The index:      build/data/index.csv and build/data/index.json"

# The suite starts some forty Python processes (workers, CLI subprocesses, preview servers):
# they share compiled bytecode even where the environment turns writing it off.
TESTENV := PYTHONDONTWRITEBYTECODE=

test: setup
	$(TESTENV) $(BIN)/pytest

test-fast: setup
	$(TESTENV) $(BIN)/pytest -m 'not slow'

check: setup
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/pytest

format: venv
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

schema: venv
	$(SCIREPORT) schema

bench: bench-validate bench-build

bench-validate: setup
	$(BIN)/python benchmarks/bench_validate.py

bench-build: setup
	$(BIN)/python benchmarks/bench_build.py

bench-preview: setup
	$(BIN)/python benchmarks/bench_preview.py

clean:
	rm -rf build bench-out .pytest_cache .mypy_cache .ruff_cache
