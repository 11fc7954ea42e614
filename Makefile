# xenosim: `make run` and `make test` work on a fresh machine (they create .venv and install).
SHELL := /bin/bash
VENV := .venv
# Find a Python >= 3.12 (Mesa 3.5 needs it): $(PYTHON) if given, else python3.13/python3.12 on the
# PATH, else a pyenv-installed 3.12/3.13.
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$p; exit 0; fi; done; \
	  if command -v pyenv >/dev/null 2>&1; then for d in $$(pyenv root)/versions/3.13* $$(pyenv root)/versions/3.12*; do \
	    if [ -x "$$d/bin/python3" ]; then echo "$$d/bin/python3"; exit 0; fi; done; fi)
STAMP := $(VENV)/.installed
CONFIG ?= configs/degraffenried2004.yaml
OUT ?= results
SEED ?=

.PHONY: run test test-fast test-browser app bench lint clean venv qualify

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: xenosim needs Python >= 3.12 (Mesa 3.5). Install python3.12 (or pyenv install 3.12) or run 'make PYTHON=/path/to/python3.12 ...'." >&2; exit 1; fi
	@if [ ! -x $(VENV)/bin/python ]; then echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/xenosim run $(CONFIG) --out $(OUT) $(if $(SEED),--seed $(SEED),)

# pytest-xdist: TEST_WORKERS processes, one test file each at a time (a file's fixtures are
# built once); TEST_WORKERS=0 runs the suite in this process
TEST_WORKERS ?= 2
PYTEST = $(VENV)/bin/python -m pytest -q $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

test: $(STAMP)
	$(VENV)/bin/python -m ruff check xenosim tests
	$(PYTEST)

# for development: unit tests and small integration runs, without the whole-cohort validation
# studies (@pytest.mark.slow) and the headless-browser test (@pytest.mark.browser)
test-fast: $(STAMP)
	$(VENV)/bin/python -m ruff check xenosim tests
	$(PYTEST) -m "not slow and not browser"

# the browser test alone, required (a missing chromium fails instead of skipping); CI runs it
test-browser: $(STAMP)
	XENOSIM_REQUIRE_BROWSER=1 $(VENV)/bin/python -m pytest -q -m browser tests/test_app_browser.py

app: $(STAMP)
	$(VENV)/bin/xenosim app $(if $(LESSON),--lesson $(LESSON),)

# the validation dossier over QUALIFY_SEEDS seeds (~6 min on 2 cores at 3 seeds); its report and
# tables are copied to experiments/qualification/ (the latest dossier, linked from the README)
QUALIFY_SEEDS ?= 3
QUALIFIED := experiments/qualification
qualify: $(STAMP)
	$(VENV)/bin/xenosim qualify --seeds $(QUALIFY_SEEDS) --out $(OUT) --jobs 2
	@d=$$(ls -td $(OUT)/qualify/*/ | head -1); mkdir -p $(QUALIFIED); \
	  rm -f $(QUALIFIED)/*.csv $(QUALIFIED)/report.md; cp "$$d"report.md "$$d"*.csv $(QUALIFIED)/; \
	  echo "latest dossier: $(QUALIFIED)/report.md (from $$d)"

bench: $(STAMP)
	$(VENV)/bin/python -m xenosim.bench

lint: $(STAMP)
	$(VENV)/bin/python -m ruff check xenosim tests

clean:
	rm -rf $(VENV) .pytest_cache
