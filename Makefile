# README's two commands. Both create .venv and install what they need, so they work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_DEMO := $(VENV)/.installed-demo
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP_DEMO): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[trees]"
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pip install --quiet --no-deps "dice-ml==0.12"  # the counterfactual peer (see pyproject's bench extra)
	touch $@ $(STAMP_DEMO)

demo: $(STAMP_DEMO)
	$(BIN)/explicable demo

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: lint chromium
	$(BIN)/python -m pytest -q

# the browser the end-to-end tests drive (Debian's; Playwright launches it, `playwright install` is never run)
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver \
		>/dev/null) || echo "warning: could not install chromium; the browser tests will be skipped"

bench: $(STAMP_DEV)
	$(BIN)/python bench/treeshap.py

clean:
	rm -rf $(VENV) explicable-out build *.egg-info src/*.egg-info
