#!/usr/bin/env bash
# The job queue's own cost per SMS (issue 5): N messages sent straight to a local fake gateway,
# then the same N queued and sent by the worker, side by side, on a fresh SQLite file and, when
# a PostgreSQL URL is given, on PostgreSQL.
#
#   bench/notifications.sh [--messages N] [--postgres postgres://…/db]
set -euo pipefail
cd "$(dirname "$0")/.."
messages=100000 postgres=""
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages=$2; shift 2;;
    --postgres) postgres=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
cargo build --release -q -p peyvand
bin=${CARGO_TARGET_DIR:-target}/release/peyvand
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "## SQLite"
PEYVAND_LOG=warn $bin bench sms --database "sqlite://$work/bench.db" --messages "$messages"
if [ -n "$postgres" ]; then
  echo "## PostgreSQL"
  PEYVAND_LOG=warn $bin bench sms --database "$postgres" --messages "$messages"
fi
