PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-faults system-deps demo proto bench clean

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

test: $(STAMP) system-deps
	$(BIN)/pytest -q

test-faults: $(STAMP) system-deps
	$(BIN)/pytest -q tests/faults

demo: $(STAMP)
	$(BIN)/python -m node.devnet.demo

proto: $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -I . --python_out=. --pyi_out=. --grpc_python_out=. node/proto/gonka/*.proto

bench: $(STAMP)
	$(BIN)/python bench/chain.py

clean:
	rm -rf $(VENV) out .pytest_cache
