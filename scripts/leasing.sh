#!/usr/bin/env bash
# Development entry points behind `make demo`, `make test`, `make lint`, `make pot`, `make bench`
# and `make clean-db`.
#
# Everything a newcomer needs is set up here, idempotently:
#   - Odoo 18.0 Community source in ODOO_SRC (default ~/odoo-18.0), cloned from upstream when
#     missing and the network allows it; never copied into this repository;
#   - a virtualenv in .venv with the pinned requirements-dev.txt (reinstalled when it changes);
#   - PostgreSQL started when it is installed but down, and a database role for this user;
#   - an Odoo configuration file in .local/odoo.conf;
#   - best effort, as root or with password-less sudo: Debian's chromium (browser tests) and
#     wkhtmltopdf (PDF reports);
#   - for `make lint`: prettier and its XML plugin, pinned, from the npm registry into .local/.
# Databases (every name can be overridden):
#   - TEMPLATE_PREFIX<key> (leasing_tmpl_<key>): Odoo's own modules that our addons depend on,
#     with their demo data, built once (a few minutes) and cached, shared by every clone on this
#     machine; <key> changes when Odoo, its pinned requirements or the dependencies change;
#   - TEST_DB (leasing_test): a fresh copy of the template (createdb -T) with our addons and their
#     demo data installed, per run;
#   - DEMO_DB (leasing_demo): the three addons with demo data, built once and updated later;
#   - BENCH_PREFIX<key> (leasing_bench_<key>): `make bench` (d) and (e)'s leases, built once.
# Each database this script creates carries a comment (COMMENT ON DATABASE) naming this clone,
# or saying it is a shared template and when a run last used it: `make clean-db` and the
# template pruning drop only databases so marked, never another project's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-$HOME/odoo-18.0}
ODOO_BRANCH=18.0
ODOO_UPSTREAM=${ODOO_UPSTREAM:-https://github.com/odoo/odoo.git}
VENV=${VENV:-$ROOT/.venv}
LOCAL=$ROOT/.local
# Odoo's data (file stores, sessions) lives outside the checkout, with the databases it belongs
# to: a template database built from one clone serves the others.
DATA_DIR=${LEASING_DATA_DIR:-$HOME/.local/share/odoo-leasing}
CONF=$LOCAL/odoo.conf
ADDONS=(leasing_management leasing_collections leasing_fleet)
DEMO_DB=${DEMO_DB:-leasing_demo}
TEST_DB=${TEST_DB:-leasing_test}
TEMPLATE_PREFIX=${TEMPLATE_PREFIX:-leasing_tmpl_}
BENCH_PREFIX=${BENCH_PREFIX:-leasing_bench_}
# A template no run has used for this many days is dropped when a new one is built, and by
# `make clean-db` (TEMPLATE_KEEP_DAYS=0 there drops them all, even one a concurrent run uses).
TEMPLATE_KEEP_DAYS=${TEMPLATE_KEEP_DAYS:-7}
HTTP_PORT=${HTTP_PORT:-8069}
# The demo server runs in prefork mode: HTTP workers with time limits on DEMO_BACKEND_PORT, a
# gevent process for the websocket (bus) on GEVENT_PORT, both on 127.0.0.1, and in front of them
# on HTTP_PORT scripts/demo_proxy.py. DEMO_WORKERS=0 falls back to Odoo's threaded server on
# HTTP_PORT.
DEMO_BACKEND_PORT=${DEMO_BACKEND_PORT:-$((HTTP_PORT + 1))}
GEVENT_PORT=${GEVENT_PORT:-$((HTTP_PORT + 3))}
DEMO_WORKERS=${DEMO_WORKERS:-2}
DEMO_LIMIT_TIME_CPU=${DEMO_LIMIT_TIME_CPU:-60}
DEMO_LIMIT_TIME_REAL=${DEMO_LIMIT_TIME_REAL:-120}
# prettier, for `make lint` and `make format`: pinned, installed from the npm registry.
PRETTIER_VERSION=2.7.1
PRETTIER_XML_PLUGIN_VERSION=2.2.0
# What prettier checks: the addons' JavaScript and XML (PRETTIER_XML=none leaves the XML out).
PRETTIER_XML=${PRETTIER_XML:-all}
MARK="odoo-leasing:$ROOT"
TEMPLATE_MARK="odoo-leasing-template used="

say() { printf '\033[1m[leasing]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[leasing] %s\033[0m\n' "$*" >&2; exit 1; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    elif command -v sudo >/dev/null; then
        sudo -u postgres "$@"
    else
        die "Cannot act as the postgres user to create your database role. Run once:
  sudo -u postgres createuser --createdb $(id -un)"
    fi
}

ensure_odoo_src() {
    if [ -f "$ODOO_SRC/odoo-bin" ]; then
        grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" \
            || die "$ODOO_SRC holds an Odoo that is not 18.0. Point ODOO_SRC at an Odoo 18.0 Community tree."
        return
    fi
    say "Odoo 18.0 source not found in $ODOO_SRC"
    if command -v git >/dev/null && timeout 20 git ls-remote --heads "$ODOO_UPSTREAM" "$ODOO_BRANCH" >/dev/null 2>&1; then
        say "cloning Odoo $ODOO_BRANCH Community from $ODOO_UPSTREAM (shallow, a few minutes)"
        git clone --depth 1 --branch "$ODOO_BRANCH" "$ODOO_UPSTREAM" "$ODOO_SRC"
    else
        die "Odoo 18.0 source is missing from $ODOO_SRC and its upstream repository cannot be reached.
  Put an Odoo 18.0 Community tree there, for example on a machine with network access:
    git clone --depth 1 --branch 18.0 $ODOO_UPSTREAM ~/odoo-18.0
  then copy it to $ODOO_SRC on this machine, or set ODOO_SRC=/path/to/odoo-18.0, and run the command again."
    fi
}

# Odoo 18 runs on Python 3.10 to 3.12. A candidate must run (a pyenv shim of a version that is
# not active is found on PATH but fails).
pick_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3.12 python3.10 python3; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 10), (3, 11), (3, 12)))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    die "Odoo 18 needs Python 3.10, 3.11 or 3.12; none was found (set PYTHON=/path/to/python3.11)."
}

# requirements-dev.txt includes requirements-odoo.txt (Odoo's runtime, pinned) and
# requirements.txt (what the addons themselves need).
REQUIREMENTS=(requirements-dev.txt requirements-odoo.txt requirements.txt)

ensure_venv() {
    local stamp=$VENV/.requirements.sha
    local want
    want=$(cd "$ROOT" && cat "${REQUIREMENTS[@]}" | sha1sum | cut -c1-12)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating the virtualenv $VENV"
        "$(pick_python)" -m venv "$VENV"
    fi
    say "installing the pinned Python dependencies (requirements-dev.txt)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements-dev.txt" 2>&1 \
        | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
    "$VENV/bin/python" -c "import numpy_financial, psycopg2, lxml, pytest, hypothesis, websocket" \
        || die "the Python dependencies did not install; read the pip messages above."
    echo "$want" >"$stamp"
}

ensure_postgres() {
    command -v psql >/dev/null || die "PostgreSQL is not installed. Install PostgreSQL 15 (Debian/Ubuntu: apt-get install postgresql) and run the command again."
    if command -v pg_lsclusters >/dev/null; then
        local ver name status
        while read -r ver name _ status _; do
            if [ "$status" != online ]; then
                say "starting PostgreSQL cluster $ver/$name"
                if [ "$(id -u)" = 0 ]; then
                    pg_ctlcluster "$ver" "$name" start
                else
                    sudo pg_ctlcluster "$ver" "$name" start
                fi
            fi
        done < <(pg_lsclusters -h)
    fi
    local user
    user=$(id -un)
    if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
        if ! as_postgres psql -tAc "select 1 from pg_roles where rolname = '$user'" | grep -q 1; then
            say "creating the PostgreSQL role $user"
            as_postgres createuser --createdb "$user"
        fi
    fi
    psql -d postgres -tAc "select 1" >/dev/null || die "cannot connect to PostgreSQL as $user."
}

# Time limits: Odoo enforces limit_time_cpu and limit_time_real per request only in prefork mode
# (workers > 0), where the master kills a worker past them. Odoo's threaded server (workers = 0)
# applies no CPU limit, and past limit_time_real it only restarts the whole server after up to
# two more minutes, cutting every user's requests. The demo therefore runs with workers; the
# websocket (bus) is then served by Odoo's gevent process on gevent_port, and scripts/demo_proxy.py
# on HTTP_PORT sends each request to the one that serves it. The one-shot commands (installs,
# updates: --workers=0) and the tests (pytest-odoo: workers=0, a threaded server on a free port)
# read the same file but bind none of its ports.
write_conf() {
    mkdir -p "$LOCAL"
    local http_port=$HTTP_PORT http_interface=""
    if [ "$DEMO_WORKERS" -gt 0 ]; then
        http_port=$DEMO_BACKEND_PORT
        http_interface=127.0.0.1
    fi
    cat >"$CONF" <<EOF
# Written by scripts/leasing.sh (make setup); changes are lost. make demo serves Odoo on
# http://localhost:$HTTP_PORT (with workers > 0, through scripts/demo_proxy.py).
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ROOT
data_dir = $DATA_DIR
db_user = $(id -un)
http_interface = $http_interface
http_port = $http_port
gevent_port = $GEVENT_PORT
workers = $DEMO_WORKERS
max_cron_threads = 1
limit_time_cpu = $DEMO_LIMIT_TIME_CPU
limit_time_real = $DEMO_LIMIT_TIME_REAL
limit_time_real_cron = 600
list_db = False
without_demo = False
EOF
}

# Best effort, for optional system packages (Debian names): installed with apt-get only as root
# or with password-less sudo; never fails the set-up. Returns 1 when the command is still missing.
apt_install() {
    local package=$1 command=$2 missing=$3
    command -v "$command" >/dev/null && return 0
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=sudo
        else
            say "$missing Install it as root: apt-get install $package"
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null; then
        say "$missing Install it with your system's package manager."
        return 1
    fi
    say "installing $package with apt-get"
    if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; } \
        >/dev/null 2>&1; then
        say "$missing apt-get could not install it."
    fi
    command -v "$command" >/dev/null
}

# Odoo prints its PDF reports (lease contracts, invoices) with wkhtmltopdf; Debian's package works
# with Odoo 18 (without Odoo's patched Qt build, so page headers and footers are plainer).
ensure_wkhtmltopdf() {
    apt_install wkhtmltopdf wkhtmltopdf \
        "note: wkhtmltopdf is not installed, so Odoo shows reports as HTML instead of PDF." || true
}

# Odoo's browser tests (tours) drive a headless Chromium; Odoo looks for google-chrome, chromium,
# chromium-browser or google-chrome-stable on PATH. Without one, `make test` fails (the tours
# would otherwise be skipped silently).
browser_found() {
    command -v google-chrome >/dev/null || command -v chromium >/dev/null \
        || command -v chromium-browser >/dev/null || command -v google-chrome-stable >/dev/null
}

ensure_chromium() {
    browser_found && return 0
    apt_install chromium chromium \
        "Chromium is not installed: the browser tours cannot run and make test will fail." || true
    browser_found || say "no Chromium on PATH: the browser tests will fail."
}

setup() {
    ensure_odoo_src
    ensure_venv
    ensure_postgres
    write_conf
}

odoo() {
    PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "$@" -c "$CONF"
}

# Odoo keeps a database's attachments in a file store named after the database: it moves,
# is copied and is dropped along with the database.
filestore() { echo "$DATA_DIR/filestore/$1"; }

# psql with its variables (never interpolated into the SQL text by the shell).
sql() { psql -d postgres -X -q -tA -v ON_ERROR_STOP=1 "$@"; }

# A database's comment says who made it: MARK (this clone) or TEMPLATE_MARK<epoch> (a shared
# template and when a run last used it).
mark_db() {
    sql -v db="$1" -v note="$2" <<<'comment on database :"db" is :'"'note'"';'
}

rename_db() {
    sql -v old="$1" -v new="$2" <<<'alter database :"old" rename to :"new";'
    rm -rf "$(filestore "$2")"
    if [ -d "$(filestore "$1")" ]; then mv "$(filestore "$1")" "$(filestore "$2")"; fi
}

copy_db() {
    createdb -T "$1" "$2"
    rm -rf "$(filestore "$2")"
    if [ -d "$(filestore "$1")" ]; then cp -a "$(filestore "$1")" "$(filestore "$2")"; fi
}

drop_db() {
    dropdb --if-exists "$1" && rm -rf "$(filestore "$1")"
}

db_exists() { [ "$(sql -v db="$1" <<<"select 1 from pg_database where datname = :'db';")" = 1 ]; }

# The databases this clone made (demo, tests and their unfinished builds).
own_dbs() {
    sql -v note="$MARK" <<<"select datname from pg_database where shobj_description(oid, 'pg_database') = :'note' order by 1;"
}

# Shared templates that no run has used for TEMPLATE_KEEP_DAYS days (never the one named $1).
# Templates without the mark (made by hand, or before the marks) are never dropped.
stale_templates() {
    sql -v keep="$1" -v mark="$TEMPLATE_MARK" -v days="$TEMPLATE_KEEP_DAYS" <<'EOF'
select datname from (
    select datname, shobj_description(oid, 'pg_database') as note from pg_database
) d
where note like :'mark' || '%' and datname <> :'keep'
  and substr(note, length(:'mark') + 1) ~ '^[0-9]+$'
  and substr(note, length(:'mark') + 1)::bigint <= extract(epoch from now()) - :days * 86400
order by 1;
EOF
}

prune_templates() {
    local old
    for old in $(stale_templates "${1:-}"); do
        say "dropping the template $old (unused for $TEMPLATE_KEEP_DAYS days or more)"
        drop_db "$old" || say "could not drop $old (in use?); left as it is"
    done
}

# Odoo modules (outside this repository) that our addons need, from their manifests.
base_modules() {
    "$VENV/bin/python" - "$ROOT" "${ADDONS[@]}" <<'EOF'
import ast, pathlib, sys
root, ours = pathlib.Path(sys.argv[1]), set(sys.argv[2:])
deps = set()
for name in ours:
    deps |= set(ast.literal_eval((root / name / "__manifest__.py").read_text())["depends"])
print(",".join(sorted(deps - ours)))
EOF
}

# The template holds Odoo's modules that our addons depend on WITH their demo data: a database's
# demo flag comes from how it was created, and the tests run, as OCA's CI does, on a database
# where every module has its demo data. One build at a time per machine (flock): a second run
# waits for it, then uses it.
template_db() {
    local modules key
    modules=$(base_modules)
    key=$( { echo "$modules demo"; cat "$ODOO_SRC/odoo/release.py" "$ROOT/requirements-odoo.txt"; \
             git -C "$ODOO_SRC" rev-parse HEAD 2>/dev/null || true; } | sha1sum | cut -c1-10)
    local name="$TEMPLATE_PREFIX$key"
    mkdir -p "$DATA_DIR"
    exec 9>"$DATA_DIR/.template.lock"
    flock 9
    if ! db_exists "$name"; then
        say "building the template database $name with $modules and their demo data (once, a few minutes)"
        # Left over by a build that was interrupted (we hold the lock: nobody is building it).
        drop_db "$name.building"
        local started=$SECONDS
        odoo -d "$name.building" -i "$modules" --stop-after-init --workers=0 --log-level=warn \
            || { drop_db "$name.building"; die "building the template database failed"; }
        rename_db "$name.building" "$name"
        say "template $name built in $((SECONDS - started)) s"
        mark_db "$name" "$TEMPLATE_MARK$(date +%s)"
        prune_templates "$name"
    fi
    exec 9>&-
    echo "$name"
}

cmd_demo() {
    setup
    # The demo prints contracts; the tests do not need it (the PDF test is skipped without it).
    ensure_wkhtmltopdf
    local list
    list=$(IFS=,; echo "${ADDONS[*]}")
    if db_exists "$DEMO_DB"; then
        say "updating the addons in the existing database $DEMO_DB"
        odoo -d "$DEMO_DB" -u "$list" --stop-after-init --workers=0 --log-level=warn
    else
        say "building the database $DEMO_DB with the leasing addons and their demo data"
        drop_db "$DEMO_DB.building"
        odoo -d "$DEMO_DB.building" -i "$list" --stop-after-init --workers=0 --log-level=warn \
            || { drop_db "$DEMO_DB.building"; die "building $DEMO_DB failed"; }
        rename_db "$DEMO_DB.building" "$DEMO_DB"
        mark_db "$DEMO_DB" "$MARK"
    fi
    if [ "$DEMO_WORKERS" -gt 0 ]; then
        "$VENV/bin/python" "$ROOT/scripts/demo_proxy.py" --listen "0.0.0.0:$HTTP_PORT" \
            --http "127.0.0.1:$DEMO_BACKEND_PORT" --websocket "127.0.0.1:$GEVENT_PORT" &
        local proxy=$!
        # shellcheck disable=SC2064
        trap "kill $proxy 2>/dev/null || true" EXIT
        sleep 1
        kill -0 "$proxy" 2>/dev/null || die "port $HTTP_PORT is taken; pick another one: HTTP_PORT=8169 make demo"
        say "$DEMO_WORKERS HTTP workers (port $DEMO_BACKEND_PORT): a request is cut after ${DEMO_LIMIT_TIME_CPU} s of CPU or ${DEMO_LIMIT_TIME_REAL} s; websocket on port $GEVENT_PORT"
    fi
    say "Odoo serves $DEMO_DB on http://localhost:$HTTP_PORT  (login: admin, password: admin; Ctrl-C stops it)"
    odoo -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --log-level=info
}

cmd_testdb() {
    setup
    local tmpl list
    tmpl=$(template_db)
    list=$(IFS=,; echo "${ADDONS[*]}")
    drop_db "$TEST_DB"
    copy_db "$tmpl" "$TEST_DB"
    mark_db "$TEST_DB" "$MARK"
    # Best effort: only the template's owner may comment on it.
    mark_db "$tmpl" "$TEMPLATE_MARK$(date +%s)" 2>/dev/null || true
    say "installing ${list} with their demo data in a fresh copy of $tmpl"
    odoo -d "$TEST_DB" -i "$list" --stop-after-init --workers=0 --log-level=warn
}

# One pytest command: the pure engine tests and the Odoo tests (pytest-odoo) of the addons and
# tests/. --odoo-http starts Odoo's HTTP server for HttpCase and the browser tours; pytest-odoo
# binds it to a free port the kernel picks (HttpCase reads the port from the running server), so
# runs side by side never clash, whatever HTTP_PORT is. The plugin scripts/pytest_no_silent_skip.py
# turns a test skipped for want of the browser or the HTTP server into a failure.
run_pytest() {
    PYTHONPATH="$ROOT/scripts:$ODOO_SRC" "$VENV/bin/python" -m pytest -p pytest_no_silent_skip \
        --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-extra workers=0 --odoo-http "$@"
}

cmd_test() {
    ensure_chromium
    cmd_testdb
    local status=0
    say "running the tests (pytest + pytest-odoo on $TEST_DB, with Odoo's HTTP server and Chromium)"
    run_pytest "$@" "${ADDONS[@]}" tests || status=$?
    lint || status=1
    if [ "$status" = 0 ]; then say "all tests and linters passed"; else say "FAILED (exit $status)"; fi
    return "$status"
}

# prettier and its XML plugin, pinned, in .local/node_modules (from the npm registry, no GitHub).
# Returns 1 without node and npm (the prettier check is then skipped, and says so), 2 when npm
# could not install them (the check fails).
ensure_prettier() {
    PRETTIER=$LOCAL/node_modules/.bin/prettier
    local want="prettier@$PRETTIER_VERSION @prettier/plugin-xml@$PRETTIER_XML_PLUGIN_VERSION"
    if ! command -v node >/dev/null; then
        say "SKIPPED the prettier check: node is not installed (Debian: apt-get install nodejs npm)."
        return 1
    fi
    if [ -x "$PRETTIER" ] && [ "$(cat "$LOCAL/node_modules/.leasing-versions" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    if ! command -v npm >/dev/null; then
        say "SKIPPED the prettier check: npm is not installed (Debian: apt-get install npm)."
        return 1
    fi
    say "installing $want into $LOCAL/node_modules (npm registry)"
    mkdir -p "$LOCAL"
    # A package.json of its own keeps npm from looking for one higher up.
    [ -f "$LOCAL/package.json" ] || echo '{"name": "odoo-leasing-tools", "private": true}' >"$LOCAL/package.json"
    # shellcheck disable=SC2086
    if ! npm install --prefix "$LOCAL" --no-save --no-audit --no-fund --loglevel=error $want >&2; then
        say "FAILED: npm could not install $want (is the npm registry reachable?)"
        return 2
    fi
    echo "$want" >"$LOCAL/node_modules/.leasing-versions"
}

# The files prettier checks (and `make format` writes): the repository's YAML, the addons'
# JavaScript and, with PRETTIER_XML=all, every XML file of the addons. The same list as the
# prettier hook of .pre-commit-config.yaml.
prettier_files() {
    git -C "$ROOT" ls-files --cached --others --exclude-standard -- '*.yml' '*.yaml' 'leasing_*/static/*.js'
    if [ "$PRETTIER_XML" = all ]; then
        git -C "$ROOT" ls-files --cached --others --exclude-standard -- 'leasing_*/*.xml'
    fi
}

# The checks of .pre-commit-config.yaml, run from the virtualenv and .local without GitHub.
lint() {
    ensure_venv
    local status=0
    say "linting: whitespace and file checks, ruff check, ruff format --check, pylint-odoo, prettier"
    "$VENV/bin/python" "$ROOT/scripts/check_files.py" "$ROOT" || status=1
    "$VENV/bin/ruff" check "$ROOT" || status=1
    "$VENV/bin/ruff" format --check "$ROOT" || status=1
    PYTHONPATH="$ODOO_SRC" "$VENV/bin/pylint" --rcfile="$ROOT/setup.cfg" "${ADDONS[@]}" || status=1
    local prettier=0
    ensure_prettier || prettier=$?
    if [ "$prettier" = 0 ]; then
        local files
        mapfile -t files < <(prettier_files)
        "$PRETTIER" --plugin="$LOCAL/node_modules/@prettier/plugin-xml" --check "${files[@]}" || {
            say "prettier: run 'make format' to rewrite these files"
            status=1
        }
    elif [ "$prettier" = 2 ]; then
        status=1
    fi
    [ "$status" = 0 ] && say "linters passed" || say "linters FAILED"
    return "$status"
}

cmd_format() {
    ensure_venv
    "$VENV/bin/ruff" check --fix "$ROOT" || true
    "$VENV/bin/ruff" format "$ROOT"
    if ensure_prettier; then
        local files
        mapfile -t files < <(prettier_files)
        "$PRETTIER" --plugin="$LOCAL/node_modules/@prettier/plugin-xml" --write "${files[@]}"
    else
        say "prettier did not run"
    fi
}

# Regenerates each addon's i18n/<addon>.pot from what the code exports now, on a fresh test
# database (Odoo's own export; demo records left out). tests/test_pot_files.py checks them.
cmd_pot() {
    cmd_testdb
    PYTHONPATH="$ROOT/scripts:$ODOO_SRC" "$VENV/bin/python" "$ROOT/scripts/leasing_pot.py" \
        --config "$CONF" --database "$TEST_DB" --write "${ADDONS[@]}"
}

# Drops the databases this clone made (demo, tests and their file stores), and the shared
# templates no run has used for TEMPLATE_KEEP_DAYS days. Never a database without our mark.
cmd_clean_db() {
    ensure_postgres
    local db
    for db in $(own_dbs); do
        say "dropping $db"
        drop_db "$db"
    done
    prune_templates ""
}

# The database of `make bench` (d) and (e): BENCH_PREFIX<key> (leasing_bench_<key>), the three
# addons with a portfolio of leases written by bench/close_data.py (minutes at 100,000 leases),
# built once and kept. <key> changes with the template, the number of leases and the code that
# makes them (the content of bench/close_data.py, not its path: clones and worktrees share it): a
# new key builds a new database and drops this clone's older ones. When only the addons' code or
# data changed since, the addons are updated in it (odoo -u), as a deployment would. Marked as this clone's (`make clean-db` drops it).
bench_db() {
    local contracts=$1 tmpl key name old addons list
    tmpl=$(template_db)
    key=$( { echo "$tmpl $contracts"; sha1sum <"$ROOT/bench/close_data.py"; } | sha1sum | cut -c1-10)
    addons=$(cd "$ROOT" && find "${ADDONS[@]}" -type f \( -name '*.py' -o -name '*.xml' -o -name '*.csv' \) \
                 -not -path '*/tests/*' | LC_ALL=C sort | xargs sha1sum | sha1sum | cut -c1-10)
    name="$BENCH_PREFIX$key"
    list=$(IFS=,; echo "${ADDONS[*]}")
    local stamp="$DATA_DIR/.$name.addons"
    if ! db_exists "$name"; then
        # (Not one another run is building: it drops its own if it fails.)
        for old in $(own_dbs | grep "^$BENCH_PREFIX" | grep -v '\.building$' || true); do
            say "dropping the bench database $old (its key changed)"
            drop_db "$old"
            rm -f "$DATA_DIR/.$old.addons"
        done
        say "building the bench database $name: $contracts leases (once; minutes at 100,000)"
        drop_db "$name.building"
        copy_db "$tmpl" "$name.building"
        mark_db "$name.building" "$MARK"
        odoo -d "$name.building" -i "$list" --stop-after-init --workers=0 --log-level=warn >&2
        PYTHONPATH="$ROOT:$ODOO_SRC" "$VENV/bin/python" "$ROOT/bench/run.py" --config "$CONF" \
            --database "$name.building" --close-contracts "$contracts" --build-close-database >&2 \
            || { drop_db "$name.building"; die "building the bench database failed"; }
        rename_db "$name.building" "$name"
        mark_db "$name" "$MARK"
        echo "$addons" >"$stamp"
    elif [ "$(cat "$stamp" 2>/dev/null)" != "$addons" ]; then
        say "updating the addons in the bench database $name (their code changed)"
        odoo -d "$name" -u "$list" --stop-after-init --workers=0 --log-level=warn >&2
        echo "$addons" >"$stamp"
    fi
    echo "$name"
}

# make bench ARGS="--only d,e --close-contracts 5000": the parts to run and the size of (d)/(e).
cmd_bench() {
    local only=a,b,c,d,e contracts=100000 args=("$@") i
    for ((i = 0; i < ${#args[@]}; i++)); do
        case "${args[i]}" in
            --only) only=${args[i + 1]:-} ;;
            --only=*) only=${args[i]#*=} ;;
            --close-contracts) contracts=${args[i + 1]:-} ;;
            --close-contracts=*) contracts=${args[i]#*=} ;;
        esac
    done
    only=",${only// /},"
    local extra=()
    if [[ $only == *,b,* || $only == *,c,* ]]; then
        cmd_testdb
    else
        setup
    fi
    if [[ $only == *,d,* || $only == *,e,* ]]; then
        extra=(--close-database "$(bench_db "$contracts")")
    fi
    PYTHONPATH="$ROOT:$ODOO_SRC" "$VENV/bin/python" "$ROOT/bench/run.py" --config "$CONF" --database "$TEST_DB" \
        "$@" "${extra[@]}"
}

cd "$ROOT"
case "${1:-}" in
    setup) setup ;;
    demo) shift; cmd_demo "$@" ;;
    testdb) shift; cmd_testdb "$@" ;;
    test) shift; cmd_test "$@" ;;
    pytest) shift; setup; run_pytest "$@" ;;
    lint) shift; lint ;;
    format) shift; cmd_format ;;
    pot) shift; cmd_pot ;;
    clean-db) shift; cmd_clean_db ;;
    bench) shift; cmd_bench "$@" ;;
    odoo) shift; setup; odoo "$@" ;;
    *) die "usage: scripts/leasing.sh setup|demo|test|testdb|pytest|lint|format|pot|clean-db|bench|odoo [args]" ;;
esac
