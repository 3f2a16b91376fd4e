#!/usr/bin/env bash
# Importing a million contacts from CSV into SQLite with duplicate checks on email and phone
# (issue 3): prints the wall time and the peak memory of the `peyvand import` process, which is
# the whole application (reader thread, validation, writer, SQLite).
#
#   bench/import.sh [--rows N] [--existing N] [--postgres postgres://…/empty_db]
#
# --existing seeds that many demo contacts first (the import then checks against them too);
# --postgres imports into that (empty) PostgreSQL database instead of a fresh SQLite file;
# PEYVAND_BIN=path times another build (a copy of the previous one, to compare in one session).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=1000000
existing=0
postgres=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2;;
    --existing) existing=$2; shift 2;;
    --postgres) postgres=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
work=target/bench-import
mkdir -p "$work"
rm -f "$work"/bench.db* "$work"/contacts-rejected.csv
# PEYVAND_BIN runs another build (for example a copy of the previous one, to compare before
# and after in the same session) instead of building this tree.
bin=${PEYVAND_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -p peyvand --quiet
  bin=target/release/peyvand
fi
url=${postgres:-"sqlite://$work/bench.db"}

python3 - "$rows" "$work/contacts.csv" <<'PY'
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
random.seed(7)
first = ["علی", "محمد", "رضا", "سارا", "مریم", "زهرا", "حسین", "فاطمه", "نگار", "امیر", "Ali", "Sara", "John", "Maryam"]
last = ["رضایی", "احمدی", "کریمی", "موسوی", "حسینی", "جعفری", "صادقی", "نوری", "Smith", "Tehrani"]
cities = ["تهران", "شیراز", "اصفهان", "مشهد", "تبریز", "قم", "کرج", "اهواز"]
with open(path, "w", encoding="utf-8") as f:
    f.write("نام,نام خانوادگی,موبایل,ایمیل,شهر,استان\n")
    for i in range(rows):
        mobile = "09%d%07d" % (random.choice([12, 13, 19, 35, 36, 37]), i % 10_000_000)
        f.write(f"{random.choice(first)},{random.choice(last)},{mobile},user{i}@example.com,{random.choice(cities)},استان {i % 31}\n")
PY

if [ "$existing" -gt 0 ]; then
  "$bin" demo --database "$url" --contacts "$existing" --no-serve >/dev/null
else
  "$bin" user create --database "$url" --email bench@example.com --password "bench password 1" --role admin >/dev/null
fi

echo "importing $rows contacts (existing: $existing) …"
PEYVAND_LOG=error /usr/bin/time -v "$bin" import contacts "$work/contacts.csv" --database "$url" 2> "$work/time.txt" | tail -3
wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}')
peak=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
user=$(grep "User time (seconds)" "$work/time.txt" | awk '{print $NF}')
sys=$(grep "System time (seconds)" "$work/time.txt" | awk '{print $NF}')
cpu=$(python3 -c "print(f'{$user + $sys:.1f} s')")
# The machine may be shared: the CPU time (user + system) is the figure that load does not
# inflate, and the load average says how far to trust the wall time.
printf '\n%-38s %12s %12s %14s\n' "import" "wall time" "CPU (u+s)" "peak memory"
printf '%-38s %12s %12s %11d MB\n' "$rows contacts, checks on email+phone" "$wall" "$cpu" "$((peak / 1024))"
printf '%-38s %12s %12s %14s\n' "target (issue 3)" "≤ 0:30" "" "< 300 MB"
echo "user $user s, system $sys s; load: $(uptime | sed 's/.*load average: //')"
