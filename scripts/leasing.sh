#!/usr/bin/env bash
# Development entry points behind `make demo`, `make test` and `make bench`.
#
# Everything a newcomer needs is set up here, idempotently:
#   - Odoo 18.0 Community source in ODOO_SRC (default ~/odoo-18.0), cloned from upstream when
#     missing and the network allows it; never copied into this repository;
#   - a virtualenv in .venv with the pinned requirements (reinstalled when they change);
#   - PostgreSQL started when it is installed but down, and a database role for this user;
#   - an Odoo configuration file in .local/odoo.conf.
# Databases:
#   - leasing_tmpl_<key>: Odoo's own modules that our addons depend on, built once (about two
#     minutes) and cached; <key> changes when Odoo, the requirements or the dependencies change;
#   - leasing_test: a fresh copy of the template (createdb -T) with our addons installed, per run;
#   - leasing_demo: the three addons with demo data, built once and updated on later runs.
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
HTTP_PORT=${HTTP_PORT:-8069}

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

write_conf() {
    mkdir -p "$LOCAL"
    cat >"$CONF" <<EOF
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ROOT
data_dir = $DATA_DIR
db_user = $(id -un)
http_port = $HTTP_PORT
list_db = False
without_demo = False
EOF
}

# Best effort: Odoo prints its PDF reports (lease contracts, invoices) with wkhtmltopdf; Debian's
# package works with Odoo 18 (without Odoo's patched Qt build, so page headers and footers are
# plainer). Installed only as root or with password-less sudo; never fails the set-up.
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return
    local missing="note: wkhtmltopdf is not installed, so Odoo shows reports as HTML instead of PDF."
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=sudo
        else
            say "$missing Install it as root: apt-get install wkhtmltopdf"
            return 0
        fi
    fi
    if ! command -v apt-get >/dev/null; then
        say "$missing Install it with your system's package manager."
        return 0
    fi
    say "installing wkhtmltopdf (PDF reports) with apt-get"
    if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf; } \
        >/dev/null 2>&1; then
        say "$missing apt-get could not install it; the tests and the demo run without it."
    fi
    return 0
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

rename_db() {
    psql -d postgres -qc "alter database \"$1\" rename to \"$2\""
    rm -rf "$(filestore "$2")"
    if [ -d "$(filestore "$1")" ]; then mv "$(filestore "$1")" "$(filestore "$2")"; fi
}

copy_db() {
    createdb -T "$1" "$2"
    rm -rf "$(filestore "$2")"
    if [ -d "$(filestore "$1")" ]; then cp -a "$(filestore "$1")" "$(filestore "$2")"; fi
}

drop_db() {
    dropdb --if-exists "$1"
    rm -rf "$(filestore "$1")"
}

db_exists() { [ "$(psql -d postgres -tAc "select 1 from pg_database where datname = '$1'")" = 1 ]; }

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

template_db() {
    local modules key
    modules=$(base_modules)
    key=$( { echo "$modules"; cat "$ODOO_SRC/odoo/release.py" "$ROOT/requirements.txt"; \
             git -C "$ODOO_SRC" rev-parse HEAD 2>/dev/null || true; } | sha1sum | cut -c1-10)
    local name="leasing_tmpl_$key"
    if ! db_exists "$name"; then
        say "building the template database $name with $modules (once, about two minutes)"
        # Older templates are stale: drop them so they do not pile up.
        psql -d postgres -tAc "select datname from pg_database where datname like 'leasing_tmpl_%'" \
            | while read -r old; do [ -n "$old" ] && drop_db "$old"; done
        odoo -d "$name.building" -i "$modules" --without-demo=all --stop-after-init --log-level=warn \
            || { drop_db "$name.building"; die "building the template database failed"; }
        rename_db "$name.building" "$name"
    fi
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
        odoo -d "$DEMO_DB" -u "$list" --stop-after-init --log-level=warn
    else
        say "building the database $DEMO_DB with the leasing addons and their demo data"
        odoo -d "$DEMO_DB.building" -i "$list" --stop-after-init --log-level=warn \
            || { drop_db "$DEMO_DB.building"; die "building $DEMO_DB failed"; }
        rename_db "$DEMO_DB.building" "$DEMO_DB"
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
    say "installing ${list} in a fresh copy of $tmpl"
    odoo -d "$TEST_DB" -i "$list" --without-demo=all --stop-after-init --log-level=warn
}

cmd_test() {
    cmd_testdb
    local status=0
    say "running the tests (pytest + pytest-odoo on $TEST_DB)"
    PYTHONPATH="$ODOO_SRC" "$VENV/bin/python" -m pytest \
        --odoo-config="$CONF" --odoo-database="$TEST_DB" "$@" \
        "${ADDONS[@]}" tests || status=$?
    say "running the linters (ruff, pylint-odoo)"
    "$VENV/bin/ruff" check "$ROOT" || status=1
    "$VENV/bin/ruff" format --check "$ROOT" || status=1
    PYTHONPATH="$ODOO_SRC" "$VENV/bin/pylint" --rcfile="$ROOT/setup.cfg" "${ADDONS[@]}" || status=1
    if [ "$status" = 0 ]; then say "all tests and linters passed"; else say "FAILED (exit $status)"; fi
    return "$status"
}

cmd_bench() {
    cmd_testdb
    PYTHONPATH="$ROOT:$ODOO_SRC" "$VENV/bin/python" "$ROOT/bench/run.py" --config "$CONF" --database "$TEST_DB" "$@"
}

cd "$ROOT"
case "${1:-}" in
    setup) setup ;;
    demo) shift; cmd_demo "$@" ;;
    testdb) shift; cmd_testdb "$@" ;;
    test) shift; cmd_test "$@" ;;
    bench) shift; cmd_bench "$@" ;;
    odoo) shift; setup; odoo "$@" ;;
    *) die "usage: scripts/leasing.sh setup|demo|test|testdb|bench|odoo [args]" ;;
esac
