#!/usr/bin/env bash
# Importing a million contacts from CSV into SQLite with duplicate checks on email and phone
# (issue 3): prints the wall time and the peak memory of the `peyvand import` process, which is
# the whole application (reader thread, validation, writer, SQLite).
#
#   bench/import.sh [--rows N] [--existing N] [--postgres postgres://…/empty_db] [--no-server]
#
# Then the same file again, into a fresh database, as a user of the running server imports it:
# uploaded to `POST /api/v1/contacts/import`, run as the server's background job, timed until
# `GET /api/v1/imports/{id}` says it is done, with the server's peak memory.
#
# --existing seeds that many demo contacts first (the import then checks against them too);
# --postgres imports into that (empty) PostgreSQL database instead of a fresh SQLite file;
# --no-server leaves out the server's run;
# PEYVAND_BIN=path times another build (a copy of the previous one, to compare in one session).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=1000000
existing=0
postgres=""
server=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2;;
    --existing) existing=$2; shift 2;;
    --postgres) postgres=$2; shift 2;;
    --no-server) server=0; shift;;
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

# A fresh database with the demo's contacts (--existing) or only an administrator to import as.
prepare() {
  if [ "$existing" -gt 0 ]; then
    "$bin" demo --database "$url" --contacts "$existing" --no-serve >/dev/null
  else
    "$bin" user create --database "$url" --email bench@example.com --password "bench password 1" --role admin >/dev/null
  fi
}
prepare

echo "importing $rows contacts (existing: $existing) …"
PEYVAND_LOG=error /usr/bin/time -v "$bin" import contacts "$work/contacts.csv" --database "$url" 2> "$work/time.txt" | tail -3
wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}')
peak=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
user=$(grep "User time (seconds)" "$work/time.txt" | awk '{print $NF}')
sys=$(grep "System time (seconds)" "$work/time.txt" | awk '{print $NF}')
cpu=$(python3 -c "print(f'{$user + $sys:.1f} s')")
# The machine may be shared: the CPU time (user + system) is the figure that load does not
# inflate, and the load average says how far to trust the wall time.
# The command's wall time runs to its exit, which waits for the WAL to be copied into the
# database file after the import has committed (seconds for a million contacts).
printf '\n%-38s %12s %12s %14s\n' "import from the command line" "wall time" "CPU (u+s)" "peak memory"
printf '%-38s %12s %12s %11d MB\n' "$rows contacts, to the command's exit" "$wall" "$cpu" "$((peak / 1024))"
printf '%-38s %12s %12s %14s\n' "target (issue 3)" "≤ 0:30" "" "< 300 MB"
echo "user $user s, system $sys s; load: $(uptime | sed 's/.*load average: //')"

[ "$server" -eq 1 ] && [ -z "$postgres" ] || exit 0

# The same import through the server: its background job, as the web page and the API run it.
rm -f "$work"/bench.db*
prepare
if [ "$existing" -gt 0 ]; then login=admin@example.com; password=peyvand-demo; else login=bench@example.com; password="bench password 1"; fi
port=18471
rm -rf "$work/files"
PEYVAND_LOG=error "$bin" serve --bind "127.0.0.1:$port" --database "$url" --files-dir "$work/files" &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
python3 - "$port" "$login" "$password" "$work/contacts.csv" "$pid" "$rows" <<'PY'
import json, sys, time, urllib.request
port, login, password, path, pid, rows = sys.argv[1:7]
base = f"http://127.0.0.1:{port}"
for _ in range(200):
    try:
        urllib.request.urlopen(base + "/healthz")
        break
    except Exception:
        time.sleep(0.05)
def call(method, url, body=None, token=None, kind="application/json"):
    request = urllib.request.Request(base + url, data=body, method=method)
    request.add_header("Content-Type", kind)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        return json.load(response)
token = call("POST", "/api/v1/auth/token", json.dumps({"email": login, "password": password}).encode())["token"]
data = open(path, "rb").read()
started = time.monotonic()
job = call("POST", "/api/v1/contacts/import", data, token, "text/csv")
while job["state"] == "running":
    time.sleep(0.05)
    job = call("GET", f"/api/v1/imports/{job['id']}", token=token)
elapsed = time.monotonic() - started
peak = 0
for line in open(f"/proc/{pid}/status"):
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) // 1024
report = job.get("report") or {}
print(f"\nserver job: state {job['state']}, created {report.get('created')}, rejected {report.get('rejected')}")
print(f"{'import through the server':38s} {'time':>12s} {'':>12s} {'peak memory':>14s}")
print(f"{rows + ' contacts, upload to done':38s} {elapsed:11.2f}s {'':>12s} {peak:11d} MB")
print(f"{'target (issue 3)':38s} {'≤ 30 s':>12s} {'':>12s} {'< 300 MB':>14s}")
PY
echo "load: $(uptime | sed 's/.*load average: //')"
