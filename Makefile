# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
# Each sets up what is missing (Odoo source, virtualenv, PostgreSQL, database role) first.
.PHONY: demo test bench setup lint clean-db

demo:  ## build (or update) the leasing_demo database and serve it on http://localhost:8069
	@scripts/leasing.sh demo

test:  ## every test (pure engine, the three addons, tests/) on a fresh database, then the linters
	@scripts/leasing.sh test

bench:  ## schedule engine and ORM throughput figures
	@scripts/leasing.sh bench

setup:  ## only the set-up: Odoo source, virtualenv, PostgreSQL, configuration
	@scripts/leasing.sh setup

clean-db:  ## drop the demo, test and template databases
	@for db in $$(psql -d postgres -tAc "select datname from pg_database where datname like 'leasing_%'"); do \
		echo "dropping $$db"; dropdb "$$db"; rm -rf "$${LEASING_DATA_DIR:-$$HOME/.local/share/odoo-leasing}/filestore/$$db"; done
