#!/usr/bin/env bash
# Analytics benchmark of issue #6, side by side in one run:
#   1. RFM over N order rows (default 10,000,000 rows, 1,000,000 customers) from CSV:
#      `peyvand analytics rfm` (release build) against DuckDB (PyPI duckdb, NTILE(5), 2 threads)
#      on the same file; wall time and peak memory (/usr/bin/time -v), and a check that every
#      customer's r, f and m scores are identical.
#   2. The BG/NBD + Gamma-Gamma fit for those customers (`peyvand analytics clv`, time of the
#      fit alone as the command prints it, plus the whole command).
#
#   bench/analytics.sh [--rows N] [--customers C]
#
# Uses the pinned Python environment of scripts/analytics-references for DuckDB.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=10000000 customers=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2;;
    --customers) customers=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
python=$(scripts/analytics-references --python)
cargo build --release -q -p peyvand
bin=${CARGO_TARGET_DIR:-target}/release/peyvand
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
orders="$work/orders.csv"
as_of=2025-01-01

echo "generating $rows orders for $customers customers…" >&2
"$python" bench/analytics_duckdb.py generate "$orders" "$rows" "$customers"
echo "input: $(du -h "$orders" | cut -f1)" >&2
cat "$orders" > /dev/null # both sides start with the file in the page cache

# Prints "seconds peak_MiB" of a command from /usr/bin/time -v.
measure() {
  /usr/bin/time -v "$@" 2> "$work/time.txt" >/dev/null || { cat "$work/time.txt" >&2; exit 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]}
              /Maximum resident set size/ {m = $2 / 1024}
              END {printf "%.2f %.0f\n", s, m}' "$work/time.txt"
}

read -r peyvand_s peyvand_mb < <(measure "$bin" analytics rfm --orders "$orders" --as-of $as_of --output "$work/peyvand.csv")
read -r duckdb_s duckdb_mb < <(measure "$python" bench/analytics_duckdb.py rfm "$orders" $as_of "$work/duckdb.csv")
scores() { awk -F, 'NR > 1 {print $1, $2, $3, $5, $6, $7}' "$1"; }
if cmp -s <(scores "$work/peyvand.csv") <(scores "$work/duckdb.csv"); then
  same="identical ($(($(wc -l < "$work/peyvand.csv") - 1)) customers)"
else
  same="DIFFERENT"
fi

# The fit needs data the models describe (uniformly random orders have no drop-out to find):
# orders drawn from BG/NBD and Gamma-Gamma for the same number of customers.
"$python" bench/analytics_duckdb.py generate-clv "$work/clv.csv" "$customers"
clv_output=$( { /usr/bin/time -v "$bin" analytics clv --orders "$work/clv.csv" --calibration-end 2024-12-31 --time-unit week \
  --horizon 4 --output "$work/clv-out.csv"; } 2>&1 )
fit_s=$(sed -n 's/.*fitted in \([0-9.]*\) s.*/\1/p' <<< "$clv_output")
clv_s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s}' <<< "$clv_output")
clv_mb=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' <<< "$clv_output")

echo
echo "RFM over $rows orders, $customers customers (CSV in, CSV out)"
printf '%-28s %10s %12s\n' "" "time (s)" "peak (MiB)"
printf '%-28s %10s %12s\n' "peyvand analytics rfm" "$peyvand_s" "$peyvand_mb"
printf '%-28s %10s %12s\n' "duckdb $("$python" -c 'import duckdb; print(duckdb.__version__)') NTILE(5)" "$duckdb_s" "$duckdb_mb"
echo "scores: $same"
echo
echo "CLV: $(grep -o '[0-9]* customers, fitted in [0-9.]* s' <<< "$clv_output")"
printf 'BG/NBD + Gamma-Gamma fit: %s s; whole clv command (read, fit, 4-week predictions): %s s, %s MiB\n' "$fit_s" "$clv_s" "$clv_mb"
[ "$same" != DIFFERENT ]
