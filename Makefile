# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test install dev test-components lint format typecheck clean constraints

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip   # the machine's pip 23 cannot resolve our dependency set

$(VENV)/.installed: $(PY) pyproject.toml constraints.txt
	$(PIP_INSTALL) -e .
	$(PIP_INSTALL) --no-deps drain3==0.9.11   # pins cachetools==4.2.1 that MLflow excludes; see pyproject.toml
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP_INSTALL) -e '.[dev]'
	touch $@

CHROMIUM := /usr/bin/chromium
SUDO     := $(if $(filter 0,$(shell id -u)),,sudo)

$(CHROMIUM):   # Debian's Chromium for tests/ui; Playwright never downloads a browser
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

tests/cosmosdb/node_modules/.package-lock.json: tests/cosmosdb/package-lock.json
	npm ci --prefix tests/cosmosdb --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev
test-components: tests/cosmosdb/node_modules/.package-lock.json $(CHROMIUM)

run: install
	$(VENV)/bin/opscopilot demo
	$(VENV)/bin/opscopilot serve

test: dev test-components
	$(PY) -m pytest -q
	$(VENV)/bin/opscopilot eval gate --baseline evals/baselines/offline.json   # quality gate: offline agents

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: dev
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) tests/cosmosdb/node_modules .pytest_cache

constraints: dev   # re-pin after changing dependencies in pyproject.toml
	(echo "# Tested versions of every package (pip freeze of a working venv). Regenerate: make constraints"; \
	 $(PIP) freeze --exclude-editable | grep -v '^opscopilot') > constraints.txt
