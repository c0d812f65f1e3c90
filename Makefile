# Two commands on a fresh machine with only Python 3.11+:
#   make demo   set up .venv, install sxgeo, generate the synthetic layers, run `sxgeo build` into maps/
#   make test   set up .venv, install sxgeo with its test extra, run ruff, mypy and pytest (on every core)
#   make test-fast   the same without the end-to-end tests (the full demo, notebooks, wheelhouse install)
#   make qgis-plugin the QGIS Processing plugin as dist/sxgeo_processing-<version>.zip (docs/qgis.md)
#   make bench  the issue-22 benchmarks beside their peers (the [bench] extra); BENCH_ARGS=--quick for small sizes
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check
# Installs go through uv (`pip install uv` into the venv, then `uv pip install`: the same packages as pip, in a
# quarter of pip's CPU time, docs/performance.md); pip's index setting (PIP_INDEX_URL or `pip config`) is passed on.
# If uv cannot be installed or fails, pip does the install. INSTALLER=pip: pip alone.
# Both write the installed packages' bytecode (uv: --compile-bytecode; pip does by default), and sxgeo's own
# (an editable install) is compiled after: where PYTHONDONTWRITEBYTECODE is set (as on the machine of the
# figures in docs/performance.md), every process would otherwise compile pandas, geopandas and the rest from
# source on import (about 1.2 s of the 2.6 s of `sxgeo carbon landcover` on a 9 Mpx raster).
INSTALLER ?= uv
define install
	@if [ "$(INSTALLER)" = uv ] && $(PIP) install uv >/dev/null 2>&1; then \
	  index="$${PIP_INDEX_URL:-$$($(PIP) config get global.index-url 2>/dev/null)}"; \
	  echo "uv pip install $(1)"; \
	  $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python $${index:+--index-url "$$index"} $(1) \
	  || { echo "uv failed: pip install $(1)"; $(PIP) install $(1); }; \
	else echo "pip install $(1)"; $(PIP) install $(1); fi
	@$(BIN)/python -m compileall -q sxgeo >/dev/null
endef
# pytest-xdist workers: "auto" is one per core; the demo fixtures are still made once (tests/conftest.py)
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=10

.PHONY: demo test test-fast test-gbk lint bench clean wheelhouse qgis-plugin

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(call install,-e .)
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(call install,-e '.[test]')
	@touch $@ $(VENV)/.installed

# the demo makes report.pdf too: the [report] extra (WeasyPrint); where Debian's pango or a CJK font is missing
# the build says so and skips the PDF: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
$(VENV)/.installed-report: pyproject.toml | $(BIN)/python
	$(call install,-e '.[report]')
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(call install,-e '.[bench]')
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed-report
	$(BIN)/sxgeo demo-data --out layers/demo
	$(BIN)/sxgeo build --project layers/demo/sxgeo.toml --out maps

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy
	$(BIN)/python tools/check_imports.py sxgeo

test: lint
	$(PYTEST)

test-fast: lint
	$(PYTEST) -m "not e2e and not slow"

# the CLI tests again as on a Chinese Windows console (GBK stdout/stderr)
test-gbk: $(VENV)/.installed-test
	PYTHONIOENCODING=gbk $(PYTEST) -q tests/cli/test_cli.py tests/cli/test_console.py

# issue 22's figures beside the peers' (exactextract, rasterstats, geopandas, Dask), one bench after another;
# BENCH_ARGS="--quick" for small sizes (minutes; the full run is about an hour), "--only pilots sponge" for some
BENCH_ARGS ?=
bench: $(VENV)/.installed-bench
	PYTHONPATH=. $(BIN)/python tests/bench_issue22.py $(BENCH_ARGS)

# every wheel sxgeo needs, for installing on an intranet (see README); ARGS="--all" for Linux and Windows, 3.11-3.13
wheelhouse: | $(BIN)/python
	$(BIN)/python tools/wheelhouse.py -o wheelhouse $(ARGS)

# the plugin zip QGIS installs (Plugins > Install from ZIP): qgis/sxgeo_processing and the licence
QGIS_PLUGIN_VERSION := $(shell sed -n 's/^version=//p' qgis/sxgeo_processing/metadata.txt)
qgis-plugin:
	rm -rf build/qgis-plugin && mkdir -p build/qgis-plugin dist
	cp -r qgis/sxgeo_processing build/qgis-plugin/ && cp LICENSE build/qgis-plugin/sxgeo_processing/
	find build/qgis-plugin -name __pycache__ -prune -exec rm -rf {} +
	rm -f dist/sxgeo_processing-$(QGIS_PLUGIN_VERSION).zip
	cd build/qgis-plugin && $(PYTHON) -m zipfile -c ../../dist/sxgeo_processing-$(QGIS_PLUGIN_VERSION).zip sxgeo_processing
	@echo dist/sxgeo_processing-$(QGIS_PLUGIN_VERSION).zip

clean:
	rm -rf $(VENV) maps/*.html maps/*.csv maps/*.xlsx maps/*.txt layers/demo/demo_* layers/demo/manifest.json
