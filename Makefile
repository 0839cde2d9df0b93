# Casework: `make run` starts the site with demo data, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: one per core by default; `make test TEST_PROCESSES=0` runs in one process.
# Each test file runs whole in one process, in order (transactional tests restore the
# migrations' rows for the tests after them in their file).
TEST_PROCESSES ?= auto

.PHONY: messages mutation run serve test lint format migrate db-roles demo worker beat golden bench-search bench-rules bench-payments bench-redetermine bench-chain bench-web clean

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

# Production serving: static files collected, then gunicorn on production settings. Needs the
# environment that config/settings/production.py reads (see deploy/README.md).
serve: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/python manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=config.settings.production $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

test: $(VENV)/.installed
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# In production DATABASE_URL names the application's role, which may not change the schema:
# migrations run as the owner, MIGRATION_DATABASE_URL.
migrate: $(VENV)/.installed
	$(if $(MIGRATION_DATABASE_URL),DATABASE_URL="$(MIGRATION_DATABASE_URL)") $(BIN)/python manage.py migrate --noinput

# Creates casework_owner and casework_app and the application's grants; safe to run again.
# As a PostgreSQL superuser: DB_ADMIN_URL=postgres://postgres@host/casework make db-roles
db-roles: $(VENV)/.installed
	$(if $(DB_ADMIN_URL),DATABASE_URL="$(DB_ADMIN_URL)") $(BIN)/python manage.py db_roles --apply $(DB_ROLES_FLAGS)

demo: $(VENV)/.installed
	$(BIN)/python manage.py seed_demo

worker: $(VENV)/.installed
	$(BIN)/celery -A config worker --loglevel=info

beat: $(VENV)/.installed
	$(BIN)/celery -A config beat --loglevel=info --scheduler django_celery_beat.schedulers:DatabaseScheduler

golden: $(VENV)/.installed
	$(BIN)/python -m eligibility.tests.golden --update

bench-search: $(VENV)/.installed
	$(BIN)/python scripts/bench_search.py

bench-rules: $(VENV)/.installed
	$(BIN)/python scripts/bench_rules.py

bench-payments: $(VENV)/.installed
	$(BIN)/python scripts/bench_payment_run.py

bench-redetermine: $(VENV)/.installed
	$(BIN)/python scripts/bench_redetermine.py

bench-chain: $(VENV)/.installed
	$(BIN)/python scripts/bench_chain.py

# Pages under load: builds (or reuses) a PostgreSQL database of BENCH_CLIENTS clients, serves it with
# gunicorn on production settings and drives signed-in users at 1, 4 and 16 at once (scripts/bench_web.py).
BENCH_CLIENTS ?= 300000
bench-web: $(VENV)/.installed
	$(BIN)/python scripts/bench_web.py --clients $(BENCH_CLIENTS) $(BENCH_WEB_FLAGS)
	$(BIN)/python scripts/bench_page_cost.py --clients $(BENCH_CLIENTS)

clean:
	rm -rf $(VENV) .pytest_cache staticfiles .test_media

# Mutation testing over the rules that guard money and privacy (setup.cfg lists them): each
# small deliberate bug must fail a test. Resumable: a second run picks up where one stopped.
mutation: $(VENV)/.installed
	$(BIN)/python scripts/mutation_run.py --processes $(or $(MUTATION_PROCESSES),$(shell nproc))

# The staff interface's and the letters' Spanish and French: collects every marked text into
# locale/<lang>/LC_MESSAGES/django.po (new ones untranslated), then compiles the .mo files.
# Needs gettext (apt-get install gettext).
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l es -l fr --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=$(VENV) --ignore=.mutation
