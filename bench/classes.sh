#!/usr/bin/env bash
# Customer classification (issue 4 §8): recomputing every customer's class at scale. Seeds
# N demo contacts (default 1,000,000) plus generated invoices (default 1,000,000 of 2 lines, so
# 2,000,000 invoice lines), then runs recomputes through the job queue — by purchase amount
# (every class written), again (nothing changes), by margin and by purchase count — while a
# probe lists a page of contacts and creates an account every 20 ms, and prints a table: the
# run's time, and the probe's latencies (requests are never blocked for the run's length).
# Runs on SQLite, then on a throwaway PostgreSQL cluster.
#
#   bench/classes.sh [--contacts N] [--invoices M] [--only sqlite|postgres] [--fresh]
#
# Seeded databases are kept under target/bench-classes/ and reused by later runs with the same
# N and M; --fresh seeds again. Needs initdb/pg_ctl for PostgreSQL (PATH gets
# /usr/lib/postgresql/15/bin). Builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=1000000 invoices=1000000 only="" fresh=""
while [ $# -gt 0 ]; do
  case "$1" in
    --contacts) contacts=$2; shift 2;;
    --invoices) invoices=$2; shift 2;;
    --only) only=$2; shift 2;;
    --fresh) fresh=1; shift;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
export PATH=$PATH:/usr/lib/postgresql/15/bin
cargo build --release -q -p peyvand
bin=${CARGO_TARGET_DIR:-target}/release/peyvand
dir=$(pwd)/target/bench-classes
mkdir -p "$dir"
pg_data=""
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { [ -n "$pg_data" ] && as_postgres pg_ctl -D "$pg_data" -m fast stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

seed() { # url, marker
  if [ -n "$fresh" ] || [ ! -f "$2" ]; then
    local started=$SECONDS
    echo "seeding $contacts contacts into $1…" >&2
    PEYVAND_LOG=warn $bin demo --database "$1" --contacts "$contacts" --no-serve >/dev/null
    echo "seeded in $((SECONDS - started)) s" >&2
    touch "$2"
  fi
}

if [ "$only" != postgres ]; then
  file="$dir/sqlite-$contacts-$invoices.db"
  [ -n "$fresh" ] && rm -f "$file" "$file-wal" "$file-shm" "$file.done"
  seed "sqlite://$file" "$file.done"
  echo "## SQLite, $contacts contacts"
  PEYVAND_LOG=warn $bin bench classes --database "sqlite://$file" --invoices "$invoices"
fi
if [ "$only" != sqlite ]; then
  pg_data="$dir/pg/data"
  port=$(free_port)
  if [ -n "$fresh" ] || [ ! -f "$dir/pg/initialised" ]; then
    rm -rf "$dir/pg"; mkdir -p "$dir/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pg"
    as_postgres initdb -D "$pg_data" -U postgres --auth=trust --locale=C -E UTF8 >/dev/null
    touch "$dir/pg/initialised"
  fi
  as_postgres pg_ctl -D "$pg_data" -l "$dir/pg/log" -w -o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  db="classes_${contacts}_$invoices"
  url="postgres://postgres@127.0.0.1:$port/$db"
  if [ -n "$fresh" ] || [ ! -f "$dir/pg/$db.done" ]; then
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    rm -f "$dir/pg/$db.done"
  fi
  seed "$url" "$dir/pg/$db.done"
  echo "## PostgreSQL, $contacts contacts"
  PEYVAND_LOG=warn $bin bench classes --database "$url" --invoices "$invoices"
fi
