# The two commands that matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck layers unit bench sandbox clean vendor-audit

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	@touch $(STAMP)

## run: install, upgrade the embedded database and start the bridge on 127.0.0.1:8080
run: $(STAMP)
	$(BIN)/support-bridge db upgrade
	$(BIN)/support-bridge serve

## test: lint, type-check, check the layering rules and run the whole suite
test: lint typecheck layers
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## layers: the import contracts in pyproject.toml (no cycle in bridge/, a pure domain, …)
layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/python -m pytest -x -q

bench: $(STAMP)
	@for script in bench/sla.py bench/ingest.py bench/ack_cost.py bench/jobs.py bench/e2e.py bench/scale.py bench/fanout.py bench/catchup.py bench/slow_clients.py bench/board_scale.py; do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

## vendor-audit: run the whole suite and the demo recording every vendor request, then judge
## each against the vendors' published API descriptions (docs/connectors.md, "Auditing a run")
vendor-audit: $(STAMP)
	@mkdir -p var/audit && rm -f var/audit/suite.jsonl var/audit/demo.jsonl
	BRIDGE_SANDBOX_RECORD=$(CURDIR)/var/audit/suite.jsonl $(BIN)/python -m pytest -q -p no:cacheprovider
	BRIDGE_SANDBOX_RECORD=$(CURDIR)/var/audit/demo.jsonl $(BIN)/support-bridge demo
	$(BIN)/python -m sandbox.openapi.audit var/audit/suite.jsonl var/audit/demo.jsonl \
		--on-purpose tests/sandbox/

## screenshots: play escalations through the sandbox, save the board's pages in docs/screenshots/
.PHONY: screenshots
screenshots: $(STAMP)
	BOARD_SCREENSHOT=1 $(BIN)/python -m pytest tests/board/test_screenshots.py -q -p no:cacheprovider

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
