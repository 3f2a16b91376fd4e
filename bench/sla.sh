#!/usr/bin/env bash
# Service levels (issue 5), two measurements:
#   1. the working-time arithmetic alone, without the database: due times and clock states of N
#      open cases;
#   2. the sweep that escalates breaches, on a fresh SQLite file (and on PostgreSQL when a URL
#      is given) holding N open cases of which B have just run out, then the next sweep.
#
#   bench/sla.sh [--cases N] [--breached B] [--postgres postgres://…/db]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=1000000 breached=1000 postgres=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases=$2; shift 2;;
    --breached) breached=$2; shift 2;;
    --postgres) postgres=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
echo "## Working-time arithmetic"
cargo run --quiet --release -p peyvand-domain --example sla_bench -- "$cases"
cargo build --release -q -p peyvand
bin=${CARGO_TARGET_DIR:-target}/release/peyvand
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "## Sweep, SQLite"
PEYVAND_LOG=warn $bin bench sla --database "sqlite://$work/bench.db" --cases "$cases" --breached "$breached"
if [ -n "$postgres" ]; then
  echo "## Sweep, PostgreSQL"
  PEYVAND_LOG=warn $bin bench sla --database "$postgres" --cases "$cases" --breached "$breached"
fi
