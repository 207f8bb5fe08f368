# Two commands for a new user (see README): `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
EXAMPLE ?= examples/functions.py

.PHONY: demo test e2e dev lint clean-venv

# The base install: what the language server needs (no torch).
$(VENV)/.base-stamp: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	@touch $@

# Training + development extras. torch is pinned first so pip takes the CPU wheel, not several GB of CUDA.
$(VENV)/.dev-stamp: pyproject.toml $(VENV)/.base-stamp
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[train,dev]'
	@touch $@

base: $(VENV)/.base-stamp
dev: $(VENV)/.dev-stamp

demo: $(VENV)/.base-stamp
	@if [ -f model/weights/manifest.json ]; then \
		$(VENV)/bin/codeexecutor predict $(EXAMPLE); \
	else \
		echo "(no model shipped yet: showing the gold trace from the sandboxed tracer)"; \
		$(VENV)/bin/codeexecutor trace $(EXAMPLE); \
	fi

test: $(VENV)/.dev-stamp
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -p no:cacheprovider

# The VS Code extension: its unit tests, then a real VS Code (code-server + Chromium) driven end to end.
e2e: $(VENV)/.dev-stamp
	cd vscode-extension && npm ci --no-audit --no-fund && npm test
	E2E_TIMEOUT_SCALE=$${E2E_TIMEOUT_SCALE:-2} scripts/e2e_vscode.sh

lint: $(VENV)/.dev-stamp
	$(VENV)/bin/ruff check .

clean-venv:
	rm -rf $(VENV)
