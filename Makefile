# OpenShelf: two commands for a fresh machine.
#   make site   create .venv, install, validate the guide and build the site into site/
#   make test   the same set-up, then the whole test suite (installs Chromium for the browser tests)
#   make serve  live preview at http://127.0.0.1:8000/ (rebuilds when guides/*.yml change)
#   make dist   the package as a wheel and an sdist in dist/ (what `openshelf init` runs from elsewhere)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export NO_MKDOCS_2_WARNING := 1

# Installs come from uv.lock, so every machine gets exactly the tested versions.  uv itself is
# bootstrapped from PyPI at a pinned version into .cache/uv (pip only installs uv; uv installs
# everything else).  `uv lock` after editing pyproject.toml; `make test-latest` / `make
# test-lowest` run the suite against the newest / lowest versions the ranges in pyproject allow.
UV_VERSION := 0.13.9
UV := .cache/uv/bin/uv
EXTRAS := --extra test --extra zensical
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: site serve test test-latest test-lowest validate lint-workflows build-zensical links-site chromium clean dist

$(UV):
	$(PYTHON) -m venv .cache/uv
	.cache/uv/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --quiet --compile-bytecode $(EXTRAS) --python $(PYTHON)
	touch $(STAMP)

# The wheel carries every file the site and `openshelf init` need (package data: assets, theme
# overrides, the starter repository); tests/curate/test_init.py installs it in a fresh venv.
dist: | $(UV)
	$(UV) build --quiet --out-dir dist

validate: $(STAMP)
	$(BIN)/openshelf validate guides

site: validate
	$(BIN)/mkdocs build --strict --site-dir site

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build-zensical: validate
	$(BIN)/openshelf build --engine zensical --site-dir site-zensical

# Debian's chromium drives the browser tests (Playwright's own browser download cannot run here),
# with a CJK font so screenshots show Chinese; axe-core (npm) checks accessibility.
AXE := .cache/npm/node_modules/axe-core/axe.min.js
OFFLINE_INDEX := .cache/offline-index
BROWSER_PACKAGES := chromium fonts-wqy-microhei

chromium:
	@missing=""; for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; fi

$(AXE):
	npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@4

lint-workflows: $(STAMP)
	$(BIN)/actionlint .github/workflows/*.yml
	$(BIN)/zizmor --offline .github/workflows/

test: $(STAMP) chromium $(AXE) $(OFFLINE_INDEX)
	$(BIN)/python -m pytest

# The tests that install the built wheel into a fresh venv (tests/support.py wheel_venv, as `openshelf init`'s
# repositories do) run uv offline: the wheels are in uv's cache after `uv sync`, but resolving the wheel's
# dependencies also needs the index pages of the locked versions, which `uv sync --locked` never reads.  A dry
# resolution of exactly the locked versions (from uv.lock) fetches those pages once and installs nothing.
$(OFFLINE_INDEX): uv.lock | $(STAMP)
	$(UV) export --frozen --quiet --no-hashes --no-emit-project --format requirements-txt --output-file $@.txt
	$(UV) pip compile --quiet --python $(BIN)/python --output-file /dev/null $@.txt
	touch $@

# Drift (the scheduled drift workflow; not part of `make test`): the whole suite in its own venv,
# installed without uv.lock at the newest (test-latest) or the lowest (test-lowest: lowest versions
# of the direct dependencies) versions the ranges in pyproject.toml allow.  The venv is rebuilt on
# every run; its bin/ comes first on PATH, and the tests find ruff, mkdocs, actionlint, ... beside
# sys.executable, so nothing from .venv is used.  PYTEST_ARGS='-m "not browser"' for a quick look.
RESOLUTION_latest := highest
RESOLUTION_lowest := lowest-direct
PYTEST_ARGS ?=

test-latest test-lowest: test-%: $(UV) chromium $(AXE)
	rm -rf .venv-$*
	$(UV) venv --quiet --python $(PYTHON) .venv-$*
	$(UV) pip install --quiet --python .venv-$*/bin/python --resolution $(RESOLUTION_$*) -e '.[test,zensical]'
	$(UV) pip list --python .venv-$*/bin/python
	PATH="$(CURDIR)/.venv-$*/bin:$$PATH" .venv-$*/bin/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf site site-zensical .openshelf .pytest_cache

# --- CI (.github/workflows call only make targets and openshelf commands; tests/test_workflows.py checks it)
.PHONY: venv crawl-site
CRAWL_DIR ?= site
CRAWL := $(BIN)/python .github/scripts/crawl_site.py

# Only the set-up: .venv with the package and its extras (CI then runs openshelf from .venv/bin).
venv: $(STAMP)

# Build site/, then check its internal links and #anchors: .github/scripts/crawl_site.py parses every
# built page once (standard library only) and fetches nothing, so no host is contacted at all.
links-site: site
	$(CRAWL) site

# The same crawl of an existing build: make crawl-site CRAWL_DIR=path/to/site (the tests use this).
crawl-site:
	$(CRAWL) $(CRAWL_DIR)
