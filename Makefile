# Kooperacja — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# The demo runs like production (no debug pages), with static files served from the source tree.
# Links in the demo's e-mails (printed to the console) point at the port it serves on.
DEMO_ENV := DEBUG=false HTTPS=false STATIC_MANIFEST=false WHITENOISE_USE_FINDERS=true SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

.PHONY: venv messages demo demo-data test lint test-postgres test-browser serve bench clean

$(VENV)/.installed: requirements/requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/requirements.lock
	touch $@

venv: $(VENV)/.installed

messages: venv
	@$(BIN)/python manage.py compile_translations

## make demo: install, migrate SQLite, load the demo data, serve on http://127.0.0.1:$(PORT)
demo: demo-data
	@echo "Kooperacja demo: http://$(HOST):$(PORT)/  (accounts in README, password: kooperacja-demo)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

demo-data: messages
	env -u DATABASE_URL $(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	env -u DATABASE_URL $(DEMO_ENV) $(BIN)/python manage.py load_demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## make test: lint, migrations check and the whole suite on SQLite
test: messages lint
	env -u DATABASE_URL $(BIN)/python manage.py makemigrations --check --dry-run --settings=kooperacja.settings_test
	env -u DATABASE_URL $(BIN)/pytest -n 2 -q

test-postgres: messages
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -n 2 -q

test-browser: messages
	$(BIN)/pytest -q -p no:xdist tests/browser

## make serve: production-style server (gunicorn + WhiteNoise) after migrate
serve: messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn kooperacja.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

bench: messages
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
