# Casework: `make run` starts the site with demo data, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate demo worker beat bench-search bench-rules bench-payments bench-chain clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --host $(HOST) --port $(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

demo: $(VENV)/.installed
	$(BIN)/python manage.py seed_demo

worker: $(VENV)/.installed
	$(BIN)/celery -A config worker --loglevel=info

beat: $(VENV)/.installed
	$(BIN)/celery -A config beat --loglevel=info --scheduler django_celery_beat.schedulers:DatabaseScheduler

bench-search: $(VENV)/.installed
	$(BIN)/python scripts/bench_search.py

bench-rules: $(VENV)/.installed
	$(BIN)/python scripts/bench_rules.py

bench-payments: $(VENV)/.installed
	$(BIN)/python scripts/bench_payment_run.py

bench-chain: $(VENV)/.installed
	$(BIN)/python scripts/bench_chain.py

clean:
	rm -rf $(VENV) .pytest_cache staticfiles .test_media
