# Two commands on a fresh machine: `make run` opens the console on a demo
# SQLite database, `make test` runs the whole suite (.ci/run calls it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := .demo/wmconsole.db
DEMO_TICKETS ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(DEMO_DB): | $(STAMP)
	$(BIN)/wmconsole demo --db $(DEMO_DB) --tickets $(DEMO_TICKETS) --seed 1

run: $(STAMP) $(DEMO_DB)
	$(BIN)/wmconsole --db $(DEMO_DB) --as olga

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/wmconsole bench queue --tickets 1000000

clean:
	rm -rf $(VENV) .demo .pytest_cache .ruff_cache .hypothesis
