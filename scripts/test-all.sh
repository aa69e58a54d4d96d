#!/usr/bin/env bash
# Runs the test suite on SQLite and, at the same time, the API tests on a PostgreSQL 15 cluster created in a temp
# dir on a free port and removed afterwards. Used by `make test` and CI.
#
# Each pass spreads its tests over pytest-xdist workers (TEST_JOBS of them, default: the number of cores; 0 runs
# them in the pytest process itself); on PostgreSQL each worker has a database of its own (tests/conftest.py).
# A pass's output goes to a log that is printed whole when the pass ends; the script fails if any pass failed.
# The fault and restore tests (tests/ops) bring their own gunicorn, locust and PostgreSQL cluster and load them for
# a fixed time: they run last, after the other passes, TEST_JOBS at a time (what they check is that nothing is lost
# and the service comes back, which holds on a shared machine too; two at a time halve their ~3.5 minutes).
# Arguments go to both passes' pytest (the PostgreSQL pass runs tests/api when none are given); with arguments the
# last phase is left out.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
JOBS=${TEST_JOBS:-$(nproc)}

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v initdb)")}
if [ ! -x "$PGBIN/initdb" ]; then
    echo "PostgreSQL 15 is not installed (looked in $PGBIN); install postgresql-15" >&2
    exit 1
fi

# the tests' temporary files (a SQLite copy per test, browser profiles) in a directory of this run, in memory when
# /dev/shm is there: no disk writes, nothing shared with another checkout's tests, removed at the end
work=$(mktemp -d "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo /tmp )/bpjs-tests.XXXXXX")
tmp=$(mktemp -d /tmp/bpjs-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres system user
    chown postgres "$tmp"
    # (from the cluster's own directory: the postgres user may not enter the checkout)
    as_pg=(runuser -u postgres -- env -C "$tmp")
fi
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill -- "-$pid" 2>/dev/null || true
    done
    "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp" "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Every Python process of the run (pytest workers, the gunicorn, CLI and pytest subprocesses of the tests) would
# otherwise compile the project's modules and rewrite the test modules again when PYTHONDONTWRITEBYTECODE is set in
# the caller's environment: bytecode is written (to __pycache__, ignored by git) and the project compiled up front.
unset PYTHONDONTWRITEBYTECODE
"$BIN/python" -m compileall -q api adjudication bench fixtures wsgi.py gunicorn.conf.py >/dev/null

# a pass runs in its own process group (set -m), so that cleanup can stop it with its workers
set -m
echo "== test suite on SQLite: started, $JOBS workers =="
TMPDIR="$work" "$BIN/pytest" -n "$JOBS" --dist loadgroup --durations=10 --basetemp "$work/sqlite" "${@:---ignore=tests/ops}" \
    >"$work/sqlite.log" 2>&1 &
pids+=($!)

port=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$PGBIN/initdb" -D "$tmp/data" -A trust -U postgres --no-sync >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w \
    -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null

# the engine tests (tests/engine) touch no database: they run in the SQLite pass only
echo "== API test suite on PostgreSQL (port $port): started, $JOBS workers =="
TEST_DATABASE_URL="postgresql+psycopg2://postgres@127.0.0.1:$port/postgres" TMPDIR="$work" \
    "$BIN/pytest" -n "$JOBS" --dist loadgroup --durations=10 --basetemp "$work/postgres" "${@:-tests/api}" >"$work/postgres.log" 2>&1 &
pids+=($!)
set +m

status=0
for pass in sqlite postgres; do
    rc=0
    wait "${pids[0]}" || rc=$?
    pids=("${pids[@]:1}")
    case $pass in
        sqlite) echo "== test suite on SQLite: exit $rc ==" ;;
        postgres) echo "== API test suite on PostgreSQL: exit $rc ==" ;;
    esac
    cat "$work/$pass.log"
    [ "$rc" = 0 ] || status=$rc
done
if [ $# = 0 ]; then
    echo "== fault and restore tests (tests/ops), $JOBS workers =="
    # (in the default temp dir: their clusters' directories must be reachable by the postgres user)
    "$BIN/pytest" -n "$JOBS" --durations=5 tests/ops || status=$?
fi
exit "$status"
