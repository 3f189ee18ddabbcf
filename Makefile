PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-faults system-deps ui-deps lab demo demo-network proto bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: any other request would pull a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need (CI runs as root): iproute2 for the network-namespace partitions
system-deps:
	@command -v ip >/dev/null || (apt-get update -qq && apt-get install -y -qq iproute2)

# Debian's chromium for the UI tests: Playwright drives it (it downloads no browser here)
ui-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation)

# The editable install builds the JupyterLab extension and copies it into the venv: redo it
# when the extension's sources change.
$(STAMP): $(wildcard extension/src/*.ts extension/style/*) extension/package.json extension/schema/plugin.json

test: $(STAMP) system-deps ui-deps
	$(BIN)/pytest -q

test-faults: $(STAMP) system-deps
	$(BIN)/pytest -q tests/faults

# JupyterLab on 127.0.0.1; its Gonka sidebar connects to a running devnet by itself
# ($GONKA_DEVNET_DIR, else $GONKA_HOME/devnet; start one with `gonka net up`)
lab: $(STAMP)
	$(BIN)/jupyter-lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# The cockpit demo: 01-quickstart and 04-catch-a-cheater under papermill on a fresh devnet -> out/
demo: $(STAMP)
	$(BIN)/python -m gonka_lab.demo

# The same network story as a printed terminal summary (openai client, a cheater caught, settlement)
demo-network: $(STAMP)
	$(BIN)/python -m node.devnet.demo

proto: $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -I . --python_out=. --pyi_out=. --grpc_python_out=. node/proto/gonka/*.proto

bench: $(STAMP)
	$(BIN)/python bench/chain.py

clean:
	rm -rf $(VENV) out .pytest_cache
