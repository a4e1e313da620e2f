# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
# Each sets up what is missing (Odoo source, virtualenv, PostgreSQL, database role) first.
# Variables (environment or command line): ODOO_SRC, HTTP_PORT, DEMO_DB, TEST_DB, TEMPLATE_PREFIX,
# TEMPLATE_KEEP_DAYS, DEMO_WORKERS, PRETTIER_XML...; see scripts/leasing.sh.
.PHONY: demo test lint format pot bench setup clean-db

demo:  ## build (or update) the leasing_demo database and serve it on http://localhost:8069
	@scripts/leasing.sh demo

test:  ## every test (pure engine, the three addons with demo data, tests/, browser tours), then `make lint`
	@scripts/leasing.sh test

lint:  ## the checks of .pre-commit-config.yaml, locally: whitespace, ruff, ruff format, pylint-odoo, prettier
	@scripts/leasing.sh lint

format:  ## rewrite what the formatters own: ruff --fix, ruff format, prettier (PRETTIER_XML=all: the XML too)
	@scripts/leasing.sh format

pot:  ## regenerate each addon's i18n/<addon>.pot from the code, on a fresh test database
	@scripts/leasing.sh pot

bench:  ## throughput figures (a)-(e); ARGS="--only d,e --close-contracts 5000" runs some parts, smaller
	@scripts/leasing.sh bench $(ARGS)

setup:  ## only the set-up: Odoo source, virtualenv, PostgreSQL, configuration
	@scripts/leasing.sh setup

clean-db:  ## drop the databases this clone made (demo, test) and the templates unused for a week
	@scripts/leasing.sh clean-db
