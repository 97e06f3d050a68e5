# Two commands work on a fresh machine: `make serve` and `make test`.
# Each creates .venv on first use and installs the pinned tree from requirements.lock.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CLIENTS := $(VENV)/.clients
HOST   ?= 127.0.0.1
PORT   ?= 8000
ARGS   ?=

.PHONY: serve test test-fast contract bench docs clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Optional: the real client libraries for tests/clients/. A failure here is not fatal; those tests
# then skip and say why.
$(CLIENTS): requirements-clients.txt $(STAMP)
	( $(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-clients.txt \
	  && $(BIN)/python -m pip install -q --disable-pip-version-check --no-deps edx-enterprise-data==10.22.14 \
	  && touch $(CLIENTS) ) || echo "real client libraries could not be installed; tests/clients will skip"

serve: $(STAMP)
	$(BIN)/mockserver serve --host $(HOST) --port $(PORT) $(ARGS)

test: $(STAMP) $(CLIENTS)
	$(BIN)/python -m pytest $(ARGS)

# Against the local mock (`make serve`) with its documented defaults: any client id/secret is exchanged for a
# JWT, the BlendX action secret is `your_secret`, and the default auth mode is permissive (declared, so the
# probes it lets through by design are skipped and listed). Against staging, pass your own flags in ARGS.
CONTRACT_LOCAL ?= --client-id local --client-secret local --action-secret your_secret --permissive-auth
contract: $(STAMP)
	$(BIN)/mockserver contract --api all --base-url http://$(HOST):$(PORT) $(CONTRACT_LOCAL) $(ARGS)

docs: $(STAMP)
	$(BIN)/mockserver docs deviations --write

bench: $(STAMP)
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache reports
