# border_map: `make run` sets up and serves the map; `make test` sets up and runs every test.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# PostGIS on the local server, for `make test-postgis` and `make run-postgis`.
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432
PG_USER ?= postgres
PG_DB ?= border_map
POSTGIS_URL := postgis://$(PG_USER)@$(PG_HOST):$(PG_PORT)/$(PG_DB)

.PHONY: setup run run-production test test-fast test-postgis lint postgis-db run-postgis bench-map bench-export bench-tiles bench-timeline bench-geoparse bench-production bench-review vendor clean

setup:
	scripts/setup.sh
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_data -v 0

run: setup
	@echo "border_map on http://127.0.0.1:$(PORT)/"
	$(VENV)/bin/gunicorn border_map.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile -

# As in production: gunicorn behind a buffering nginx (deploy/nginx.conf), on 127.0.0.1:$(PORT).
run-production: setup
	scripts/setup.sh production
	scripts/run_production.sh $(PORT)

# Ruff and mypy (with django-stubs) for Python; Biome (package.json) lints and format-checks the
# browser code, whose pure functions node's own test runner tests (tests/js/).
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	node_modules/.bin/biome ci --colors=off .
	node --test --test-reporter=dot tests/js/*.test.mjs

test:
	scripts/setup.sh test
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest

# The suite without the browser tests and the real GDAL/OWSLib clients: under a minute.
test-fast:
	scripts/setup.sh
	$(VENV)/bin/pytest -m "not browser and not clients and not services" -q

postgis-db:
	scripts/setup.sh postgis
	scripts/postgres_up.sh
	psql -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d postgres -tAc "select 1 from pg_database where datname = '$(PG_DB)'" | grep -q 1 \
	  || psql -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d postgres -qc 'create database "$(PG_DB)"'
	psql -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d $(PG_DB) -qc 'create extension if not exists postgis'

test-postgis: postgis-db
	scripts/setup.sh test
	DATABASE_URL=$(POSTGIS_URL) $(VENV)/bin/pytest

run-postgis: setup postgis-db
	DATABASE_URL=$(POSTGIS_URL) $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=$(POSTGIS_URL) $(PY) manage.py load_data -v 0
	DATABASE_URL=$(POSTGIS_URL) $(VENV)/bin/gunicorn border_map.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4

# Copy Leaflet and its plugins from npm into static/vendor/ (the copies are committed; run this
# only to change a pinned version in package.json).
vendor:
	scripts/vendor_static.sh

# Benchmarks (not tests): figures go to bench/RESULTS.md by hand.
bench-map: setup
	scripts/setup.sh test
	$(PY) bench/map_benchmark.py

bench-production: setup postgis-db
	scripts/setup.sh production
	$(PY) bench/production_benchmark.py

# PG_DB=… on the command line names the database it drops and re-creates (default
# border_map_bench; never the PG_DB default, border_map, that make run-postgis serves).
bench-export: setup
	$(PY) bench/export_benchmark.py $(if $(filter command line,$(origin PG_DB)),--database $(PG_DB))

# Tiles, gestures, paging and 50 users at scale (issue 11): SpatiaLite, or PG_DB=… (re-created).
bench-tiles: setup
	scripts/setup.sh test
	$(if $(filter command line,$(origin PG_DB)),psql -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d postgres -qc 'drop database if exists "$(PG_DB)" with (force)' -c 'create database "$(PG_DB)"' && psql -h $(PG_HOST) -p $(PG_PORT) -U $(PG_USER) -d $(PG_DB) -qc 'create extension postgis')
	$(PY) bench/tiles_benchmark.py $(if $(filter command line,$(origin PG_DB)),--database-url $(POSTGIS_URL)) $(BENCH_ARGS)

# The time bar's counts (one GROUP BY query) at 100k and 1M incidents on PostGIS.
bench-timeline: postgis-db setup
	$(PY) bench/timeline_benchmark.py --sizes 100000,1000000

# Geoparsing on the gold set (tests/data/goldset/): precision, recall, distances, time, memory.
bench-geoparse: setup
	$(PY) bench/geoparse_benchmark.py

bench-review: setup
	$(PY) bench/review_benchmark.py

clean:
	rm -rf var tests/screenshots .pytest_cache .ruff_cache
