# OpenShelf: two commands for a fresh machine.
#   make site   create .venv, install, validate the guide and build the site into site/
#   make test   the same set-up, then the whole test suite (installs Chromium for the browser tests)
#   make serve  live preview at http://127.0.0.1:8000/ (rebuilds when guides/*.yml change)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve test validate lint-workflows build-zensical links-site chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,zensical]'
	touch $(STAMP)

validate: $(STAMP)
	$(BIN)/openshelf validate guides

site: validate
	$(BIN)/mkdocs build --strict --site-dir site

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build-zensical: validate
	$(BIN)/openshelf build --engine zensical --site-dir site-zensical

# Debian's chromium drives the browser tests (Playwright's own browser download cannot run here).
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: run 'sudo apt-get install chromium'" >&2; exit 1; fi; }

lint-workflows: $(STAMP)
	$(BIN)/actionlint .github/workflows/*.yml
	$(BIN)/zizmor --offline .github/workflows/

test: $(STAMP) chromium
	$(BIN)/python -m pytest

clean:
	rm -rf site site-zensical .openshelf .pytest_cache
