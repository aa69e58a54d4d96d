#!/usr/bin/env bash
# Runs the test suite on SQLite, then on a PostgreSQL 15 cluster created in a temp dir on a free port
# and removed afterwards. Used by `make test` and CI.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== test suite on SQLite =="
"$BIN/pytest" "$@"

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v initdb)")}
if [ ! -x "$PGBIN/initdb" ]; then
    echo "PostgreSQL 15 is not installed (looked in $PGBIN); install postgresql-15" >&2
    exit 1
fi
tmp=$(mktemp -d /tmp/bpjs-pg.XXXXXX)
port=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres system user
    chown postgres "$tmp"
    # (from the cluster's own directory: the postgres user may not enter the checkout)
    as_pg=(runuser -u postgres -- env -C "$tmp")
fi
cleanup() {
    "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$tmp/data" -A trust -U postgres --no-sync >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/postgres.log" -w \
    -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null

# the engine tests (tests/engine) touch no database: they ran above and are not repeated here
echo "== API test suite on PostgreSQL (port $port) =="
TEST_DATABASE_URL="postgresql+psycopg2://postgres@127.0.0.1:$port/postgres" "$BIN/pytest" "${@:-tests/api}"
