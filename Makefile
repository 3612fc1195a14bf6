# Every target sets up what it needs, so each works on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench soak manifests clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/tailgate demo

lint: $(STAMP)
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	bash tests/setup.d/10-apt.sh && bash tests/setup.d/35-ui.sh
	tests/ui/node_modules/.bin/eslint -c tests/ui/eslint.config.js service/tailgate/static tests/ui

test: $(STAMP) lint
	bash tests/setup.sh
	node --test tests/ui/*.test.js
	$(BIN)/pytest -q

bench: $(STAMP)
	bash bench/setup.sh
	$(BIN)/python -m bench

# Bounded fault and endurance scenarios (minutes in all); not part of `make test`.
soak: $(STAMP)
	bash bench/setup.sh
	$(BIN)/python -m bench.soak

# Re-render manifests/ from the Helm chart (a test fails when they drift).
manifests: $(STAMP)
	bash tests/setup.d/50-helm.sh
	$(BIN)/python -m tests.deploy.manifests

clean:
	rm -rf $(VENV) bench/results
