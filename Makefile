# opengeodata - make targets. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PY      := $(VENV)/bin/python
OGD     := $(VENV)/bin/opengeodata
HOST    ?= 127.0.0.1
PORT    ?= 5000
DATASET ?=
STAMP   := $(VENV)/.installed
VENDOR  := opengeodata/server/static/vendor/.installed

# A Python >= 3.12: python3.13, python3.12, pyenv's installed versions, then python3.
PYTHON_CANDIDATES := python3.13 python3.12 \
	$(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3)) python3
define find_python
$(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && \
	$(p) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && \
	command -v $(p))))
endef

.PHONY: help install test lint typecheck refresh serve bench clean postgis

help: ## Show every target with one line
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  Variables: DATASET=<id> (refresh one), HOST=, PORT= (serve)"

install: $(STAMP) $(VENDOR) browser geoid wms-deps ## Create .venv with Python >= 3.12 and install the project (idempotent)

$(STAMP): pyproject.toml setup.py $(wildcard pipelines/citymodel/*.c pipelines/citymodel/*.h) $(wildcard constraints.txt package.json)
	@PY3="$(strip $(call find_python))"; \
	if [ -z "$$PY3" ]; then \
		echo "error: no Python >= 3.12 found (tried: python3.13, python3.12, pyenv versions, python3)." >&2; \
		echo "Install Python 3.12 or newer (e.g. 'pyenv install 3.12') and run make again." >&2; \
		exit 1; \
	fi; \
	if [ ! -x "$(PY)" ] || ! "$(PY)" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then \
		echo "Creating $(VENV) with $$PY3 ($$($$PY3 --version))"; \
		rm -rf "$(VENV)"; "$$PY3" -m venv "$(VENV)"; \
	fi
	$(PY) -m pip install --quiet $(PIP_CONSTRAINTS) --upgrade pip
	@$(PY) -m pip install --quiet $(PIP_CONSTRAINTS) -e '.[dev]' || { \
		echo "error: pip could not install pyproject.toml's dependencies within constraints.txt;" \
			"if pyproject.toml changed, run 'make lock' and commit constraints.txt" >&2; exit 1; }
	@if [ -f package.json ]; then $(MAKE) --no-print-directory assets; fi
	@touch $(STAMP)

.PHONY: assets
assets: ## Install web assets (MapLibre, pmtiles, ...) from npm (package-lock.json) into the package
	@if [ -f package.json ]; then npm ci --no-audit --no-fund --silent && \
		$(PY) -m opengeodata.server.assets; fi

# Reproducible installs: pip installs the versions pinned in constraints.txt (a package that is
# not listed there, e.g. a dependency just added to pyproject.toml, still installs); npm installs
# exactly package-lock.json. `make lock` re-resolves both and rewrites the two files.
PIP_CONSTRAINTS := $(if $(wildcard constraints.txt),-c constraints.txt)
LOCK_VENV := .lock-venv

.PHONY: lock
lock: ## Re-resolve dependencies in a fresh venv; rewrite constraints.txt and package-lock.json
	@PY3="$(strip $(call find_python))"; [ -n "$$PY3" ] || { echo "error: no Python >= 3.12" >&2; exit 1; }; \
	rm -rf "$(LOCK_VENV)" && "$$PY3" -m venv "$(LOCK_VENV)" && \
	"$(LOCK_VENV)/bin/python" -m pip install --quiet --upgrade pip && \
	"$(LOCK_VENV)/bin/python" -m pip install --quiet -e '.[dev]' && \
	{ echo "# Resolved versions of pyproject.toml's dependencies (with [dev]) for make install."; \
	  echo "# Written by 'make lock' ($$("$(LOCK_VENV)/bin/python" --version)); do not edit."; \
	  "$(LOCK_VENV)/bin/python" -m pip freeze --all --exclude-editable | \
		grep -v -E '^wheel=='; } > constraints.txt.new && \
	mv constraints.txt.new constraints.txt; status=$$?; rm -rf "$(LOCK_VENV)" constraints.txt.new; \
	[ $$status = 0 ] || exit $$status
	@if [ -f package.json ]; then npm install --package-lock-only --no-audit --no-fund --silent; fi
	@echo "constraints.txt and package-lock.json rewritten; run make install to apply them"

lint: install ## Run ruff and mypy
	$(VENV)/bin/ruff check opengeodata pipelines tests bench
	$(VENV)/bin/mypy

test: install browser postgis wms-deps cluster-deps ## Install, lint and run the test suite
	$(VENV)/bin/ruff check opengeodata pipelines tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

# One sub-target per dataset folder, so `make -j2 refresh` runs datasets in parallel (each
# holds its dataset's lock); `make refresh DATASET=<id>` refreshes only that one. The folders
# are those of OPENGEODATA_DATASETS_DIR (the setting the CLI reads too), default ./datasets.
DATASETS_DIR := $(patsubst %/,%,$(or $(OPENGEODATA_DATASETS_DIR),datasets))
REFRESH_IDS := $(sort $(patsubst $(DATASETS_DIR)/%/dataset.yml,%,\
	$(wildcard $(DATASETS_DIR)/*/dataset.yml)))
.PHONY: $(addprefix refresh-,$(REFRESH_IDS))
ifeq ($(strip $(DATASET)),)
refresh: install $(addprefix refresh-,$(REFRESH_IDS)) ## Refresh every dataset (or one: make refresh DATASET=<id>)
else
refresh: install
	$(OGD) refresh $(DATASET)
endif

$(addprefix refresh-,$(REFRESH_IDS)): refresh-%: install
	$(OGD) refresh $*

serve: install refresh ## Install, build every dataset, serve on http://127.0.0.1:5000
	$(OGD) serve --host $(HOST) --port $(PORT)

bench: install bench-deps postgis cluster-deps ## Run the benchmarks under bench/ (writes bench/results/)
	$(PY) -m bench

.PHONY: bench-deps
bench-deps: install ## Install benchmark tools: wrk, gdal-bin, spatialite (Debian), pysqlite3, tipg (.venv-tipg); idempotent
	@missing=""; command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v ogr2ogr >/dev/null 2>&1 || missing="$$missing gdal-bin"; \
	[ -e /usr/lib/x86_64-linux-gnu/mod_spatialite.so ] || \
		missing="$$missing libsqlite3-mod-spatialite"; \
	if [ -n "$$missing" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi
	@$(PY) -c 'import pysqlite3' 2>/dev/null || $(PY) -m pip install --quiet pysqlite3-binary
	@# tipg 1.6 (bench_postgis baseline) in its own venv: its pins never touch the project's
	@[ -x .venv-tipg/bin/uvicorn ] || { $(PY) -m venv .venv-tipg && \
		.venv-tipg/bin/pip install --quiet 'tipg>=1.6,<1.7' 'uvicorn[standard]'; }

# The local scale-out deployment (README "Cluster"): OpenStack Swift with s3api and nginx from
# Debian (PostgreSQL/PostGIS come with `make postgis`).
CLUSTER_DEBS := swift swift-proxy swift-object swift-account swift-container memcached nginx
CLUSTER_DIR  ?= data/cluster
.PHONY: cluster-deps cluster cluster-stop
cluster-deps: ## Install Debian's Swift (proxy, object, account, container), memcached and nginx (as root; idempotent)
	@if command -v swift-proxy-server >/dev/null 2>&1 && command -v swift-ring-builder >/dev/null 2>&1 \
		&& command -v memcached >/dev/null 2>&1 \
		&& { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing $(CLUSTER_DEBS) with apt-get (object store, its cache, load balancer)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq $(CLUSTER_DEBS) >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq $(CLUSTER_DEBS) >/dev/null; } || \
		echo "warning: could not install $(CLUSTER_DEBS); the cluster tests will be SKIPPED" >&2; \
	else \
		echo "note: Swift/nginx missing and not root: the cluster tests will be SKIPPED" >&2; \
	fi

cluster: install postgis cluster-deps ## Start Swift (S3), PostgreSQL primary+replica, 2 server replicas, nginx on 127.0.0.1:8080
	$(PY) -m opengeodata.cluster start $(CLUSTER_DIR)

cluster-stop: ## Stop everything `make cluster` started (data kept in data/cluster)
	@if [ -x "$(PY)" ]; then $(PY) -m opengeodata.cluster stop $(CLUSTER_DIR); fi

clean: ## Remove the virtualenv, built data and caches
	-@$(MAKE) --no-print-directory cluster-stop 2>/dev/null
	rm -rf $(VENV) $(LOCK_VENV) .venv-tipg data .pytest_cache .mypy_cache .ruff_cache node_modules bench/results
	rm -rf opengeodata/server/static/vendor test-artifacts

# Web assets again whenever package.json or the lock file changes (or static/vendor was removed).
$(VENDOR): $(wildcard package.json package-lock.json) | $(STAMP)
	@if [ -f package.json ]; then $(MAKE) --no-print-directory assets && touch $@; fi

.PHONY: geoid
geoid: ## Install Debian's proj-data (EGM96 geoid grid for 3D Tiles heights; as root; idempotent)
	@if [ -e /usr/share/proj/egm96_15.gtx ] || [ -e /usr/share/proj/de_bkg_gcg2016.tif ] || \
		[ -n "$$OPENGEODATA_GEOID_GRID" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing proj-data with apt-get (geoid grid for 3D Tiles)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq -o DPkg::Lock::Timeout=600 proj-data >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 proj-data >/dev/null; } || \
		echo "warning: could not install proj-data; 3D Tiles need a geoid grid" >&2; \
	else \
		echo "note: no geoid grid (Debian proj-data) and not root: citymodel refreshes fail" \
			"until one is installed or OPENGEODATA_GEOID_GRID names one" >&2; \
	fi

.PHONY: client-deps
client-deps: ## Install Debian's GDAL command line tools (gdal-bin) for the real-client tests (as root; idempotent)
	@if command -v ogrinfo >/dev/null 2>&1 && command -v ogr2ogr >/dev/null 2>&1 && \
		command -v gdal_translate >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing gdal-bin with apt-get (for the GDAL client tests)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq -o DPkg::Lock::Timeout=600 gdal-bin >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 gdal-bin \
			>/dev/null; } || \
		echo "warning: could not install gdal-bin; the GDAL client tests will be SKIPPED" >&2; \
	else \
		echo "note: gdal-bin missing and not root: the GDAL client tests will be SKIPPED" >&2; \
	fi

.PHONY: browser
browser: ## Install Debian's chromium + chromium-driver for the browser test (as root; idempotent)
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing chromium and chromium-driver with apt-get (for the browser test)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
		echo "warning: could not install chromium; the browser test will be SKIPPED" >&2; \
	else \
		echo "note: chromium/chromedriver missing and not root: the browser test will be SKIPPED" >&2; \
	fi

.PHONY: wms-deps
wms-deps: client-deps ## Install Debian's MapServer (cgi-mapserver, mapserver-bin) for /wms, gdal-bin for its tests (as root; idempotent)
	@missing=""; command -v mapserv >/dev/null 2>&1 || missing="$$missing cgi-mapserver mapserver-bin"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing$$missing with apt-get (WMS engine and GDAL clients)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq -o DPkg::Lock::Timeout=600 $$missing >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=600 $$missing \
			>/dev/null; } || \
		echo "warning: could not install$$missing; /wms answers 503 and its tests are SKIPPED" >&2; \
	else \
		echo "note:$$missing missing and not root: /wms answers 503 and its tests are SKIPPED" >&2; \
	fi

PG_PACKAGES := postgresql-15 postgresql-15-postgis-3
postgis: ## Install Debian's PostgreSQL 15 + PostGIS 3 (as root; idempotent) for the PostGIS tests
	@if [ -x /usr/lib/postgresql/15/bin/postgres ] && \
		[ -f /usr/share/postgresql/15/extension/postgis.control ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing $(PG_PACKAGES) with apt-get (PostGIS backend and its tests)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq $(PG_PACKAGES) >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq $(PG_PACKAGES) >/dev/null; } || \
		echo "warning: could not install $(PG_PACKAGES); the PostGIS tests will be SKIPPED" >&2; \
	else \
		echo "note: PostgreSQL 15/PostGIS 3 missing and not root: the PostGIS tests will be SKIPPED" >&2; \
	fi
