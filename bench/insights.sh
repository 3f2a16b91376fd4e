#!/usr/bin/env bash
# The analytical CRM in the app at scale (issue 6 §Performance), side by side in one run:
#   1. fills a fresh SQLite database with C customers and N paid invoices (default 1,000,000
#      and 10,000,000) by the direct generator `peyvand bench insights-seed`;
#   2. RFM from Peyvand's own database (`peyvand bench insights-rfm`: one streaming read,
#      aggregated per customer, NTILE(5) scores, CSV out);
#   3. the same orders exported to CSV (not timed against anyone), scored by DuckDB (PyPI
#      duckdb, pinned by scripts/analytics-references, NTILE(5), 2 threads) and by
#      `peyvand analytics rfm`; every customer's r, f and m must be identical on all three;
#   4. the whole recomputation job (`peyvand bench insights-run`: read, RFM, CLV, churn, basket,
#      value, loyalty, write the scores), as the job worker runs it.
# Each step's wall time, CPU time (user + system) and peak memory come from /usr/bin/time -v.
#
#   [PEYVAND_BIN=target/release/peyvand] [PEYVAND_BEFORE_BIN=path] \
#     bench/insights.sh [--customers C] [--orders N] [--lines L] [--database URL] [--seeded FILE]
#
# --database names an empty PostgreSQL database to fill instead of a fresh SQLite file (it is
# not emptied afterwards). --seeded names a SQLite file filled earlier by
# `peyvand bench insights-seed` (seeding 10,000,000 orders takes half an hour): step 1 is
# skipped and the file is kept (give the --customers and --orders it was seeded with,
# for the heading). PEYVAND_BEFORE_BIN, another build of peyvand (say, of the previous
# commit), also runs steps 2 and 4 on the same data, for a before/after in one run.
#
# L orders get one invoice line each (default 0: the basket and margins then have nothing to
# do; RFM, CLV and churn read only the invoices). Needs about 600 bytes of disk per order; the
# database lives under target/ and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
customers=1000000 orders=10000000 lines=0 database= seeded=
while [ $# -gt 0 ]; do
  case "$1" in
    --customers) customers=$2; shift 2;;
    --orders) orders=$2; shift 2;;
    --lines) lines=$2; shift 2;;
    --database) database=$2; shift 2;;
    --seeded) seeded=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
python=$(scripts/analytics-references --python)
# PEYVAND_BIN runs a binary built already (release) instead of building one.
if [ -n "${PEYVAND_BIN:-}" ]; then
  bin=$PEYVAND_BIN
else
  cargo build --release -q -p peyvand
  bin=$(pwd)/${CARGO_TARGET_DIR:-target}/release/peyvand
fi
mkdir -p target
work=$(mktemp -d -p "$(pwd)/target" bench-insights.XXXXXX)
trap 'rm -rf "$work"' EXIT
db=${database:-"sqlite://$work/insights.db"}

# Prints "seconds peak_MiB cpu_seconds" of a command from /usr/bin/time -v (its stderr goes to
# $work/log).
measure() {
  /usr/bin/time -v "$@" 2> "$work/time.txt" >/dev/null || { cat "$work/time.txt" >&2; exit 1; }
  cat "$work/time.txt" >> "$work/log"
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]}
              /User time \(seconds\)|System time \(seconds\)/ {c += $2}
              /Maximum resident set size/ {m = $2 / 1024}
              END {printf "%.2f %.0f %.2f\n", s, m, c}' "$work/time.txt"
}

if [ -n "$seeded" ]; then
  db="sqlite://$(realpath "$seeded")"
  seeding="seeded earlier"
  db_size="SQLite $(du -h "$seeded" | cut -f1)"
  cat "$seeded" > /dev/null # every side starts with its input in the page cache
else
  echo "seeding $customers customers and $orders orders…" >&2
  read -r seed_s _ _ < <(measure "$bin" bench insights-seed --database "$db" --customers "$customers" \
    --orders "$orders" --lines "$lines")
  seeding="seeded in $seed_s s"
fi
if [ -n "$seeded" ]; then
  :
elif [ -z "$database" ]; then
  db_size="SQLite $(du -h "$work/insights.db" | cut -f1)"
  cat "$work/insights.db" > /dev/null # every side starts with its input in the page cache
else
  db_size="PostgreSQL $(psql "$db" -tAc 'SELECT pg_size_pretty(pg_database_size(current_database()))')"
fi
as_of=$(date -u +%F)

if [ -n "${PEYVAND_BEFORE_BIN:-}" ]; then
  read -r before_rfm_s before_rfm_mb before_rfm_cpu < <(measure "$PEYVAND_BEFORE_BIN" bench insights-rfm \
    --database "$db" --as-of "$as_of" --output "$work/before-db.csv")
fi
read -r db_rfm_s db_rfm_mb db_rfm_cpu < <(measure "$bin" bench insights-rfm --database "$db" --as-of "$as_of" \
  --output "$work/peyvand-db.csv")
"$bin" bench insights-export --database "$db" --output "$work/orders.csv"
csv_size=$(du -h "$work/orders.csv" | cut -f1)
cat "$work/orders.csv" > /dev/null
read -r duckdb_s duckdb_mb duckdb_cpu < <(measure "$python" bench/analytics_duckdb.py rfm "$work/orders.csv" "$as_of" \
  "$work/duckdb.csv")
read -r cli_s cli_mb cli_cpu < <(measure "$bin" analytics rfm --orders "$work/orders.csv" --as-of "$as_of" \
  --output "$work/peyvand-csv.csv")
scores() { awk -F, 'NR > 1 {print $1, $2, $3, $5, $6, $7}' "$1" | sort; }
scores "$work/duckdb.csv" > "$work/duckdb.scores"
same=identical
sides="peyvand-db peyvand-csv"
[ -n "${PEYVAND_BEFORE_BIN:-}" ] && sides="$sides before-db"
for side in $sides; do
  cmp -s <(scores "$work/$side.csv") "$work/duckdb.scores" || same="DIFFERENT ($side)"
done
scored=$(($(wc -l < "$work/duckdb.csv") - 1))
rm -f "$work/orders.csv"

echo "running the whole recomputation…" >&2
if [ -n "${PEYVAND_BEFORE_BIN:-}" ]; then
  read -r before_run_s before_run_mb before_run_cpu < <(measure "$PEYVAND_BEFORE_BIN" bench insights-run --database "$db")
fi
read -r run_s run_mb run_cpu < <(measure "$bin" bench insights-run --database "$db")
summary=$(grep -o 'recomputation done.*' "$work/log" | tail -1)

echo
echo "Insights over $orders orders of $customers customers ($db_size; $seeding)"
row() { printf '%-52s %10s %10s %12s\n' "$@"; }
row "" "time (s)" "CPU (s)" "peak (MiB)"
if [ -n "${PEYVAND_BEFORE_BIN:-}" ]; then
  row "RFM from Peyvand's database, before" "$before_rfm_s" "$before_rfm_cpu" "$before_rfm_mb"
fi
row "RFM from Peyvand's database" "$db_rfm_s" "$db_rfm_cpu" "$db_rfm_mb"
row "DuckDB $("$python" -c 'import duckdb; print(duckdb.__version__)') NTILE(5) on the CSV export ($csv_size)" "$duckdb_s" "$duckdb_cpu" "$duckdb_mb"
row "peyvand analytics rfm on the same CSV" "$cli_s" "$cli_cpu" "$cli_mb"
if [ -n "${PEYVAND_BEFORE_BIN:-}" ]; then
  row "whole recomputation job, before" "$before_run_s" "$before_run_cpu" "$before_run_mb"
fi
row "whole recomputation job" "$run_s" "$run_cpu" "$run_mb"
echo "scores of $scored customers: $same"
echo "$summary"
[ "$same" = identical ]
