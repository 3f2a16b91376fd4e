#!/usr/bin/env bash
# Duplicate matching at scale (issue 3): seeds N demo contacts into a fresh SQLite file (or uses
# an existing database), then measures from a separate process
#   - the duplicate check before a create (POST /api/v1/contacts/duplicates/check), with wrk at
#     concurrency 32, bodies rotating between an existing email, an existing mobile in another
#     form, and a common name with a new mobile;
#   - one full pass of the duplicate report (GET /api/v1/contacts/duplicates, following
#     next_cursor): steps, total and slowest step, groups found;
#   - the server's peak memory. (The keys' count is not printed: on SQLite they live in an FTS5
#     index that the system's Python SQLite is too old to read.)
#
#   bench/duplicates.sh [--contacts N] [--duration SECONDS] [--database sqlite://FILE]
#
# Needs wrk and python3; builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=100000 duration=10 database=""
while [ $# -gt 0 ]; do
  case "$1" in
    --contacts) contacts=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --database) database=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
# PEYVAND_BIN runs another build (for example a copy of the previous one, to compare before
# and after in the same session) instead of building this tree.
bin=${PEYVAND_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -q -p peyvand
  bin=${CARGO_TARGET_DIR:-target}/release/peyvand
fi
server=""
work=$(mktemp -d)
trap '[ -n "$server" ] && kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
if [ -z "$database" ]; then
  database="sqlite://$work/bench.db"
  echo "seeding $contacts contacts…" >&2
  start=$(date +%s.%N)
  $bin demo --database "$database" --contacts "$contacts" --no-serve >/dev/null
  echo "seeded in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s" >&2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
PEYVAND_LOG=warn $bin serve --database "$database" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 600); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

token=$(curl -sf -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"email":"admin@peyvand.demo","password":"peyvand-demo"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
mobile=$(curl -sf "$base/api/v1/contacts?limit=1" -H "authorization: Bearer $token" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["mobile"])')

cat >"$work/check.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $token"
counter = 0
request = function()
  counter = counter + 1
  local body
  if counter % 3 == 0 then
    body = string.format('{"last_name":"بررسی","email":"CUSTOMER%d@example.com"}', counter % $contacts)
  elseif counter % 3 == 1 then
    body = '{"last_name":"بررسی","mobile":"$mobile"}'
  else
    body = string.format('{"first_name":"علی","last_name":"رضایی","mobile":"0919%07d"}', counter % 10000000)
  end
  return wrk.format(nil, nil, nil, body)
end
LUA
out=$(wrk -t2 -c32 -d"${duration}s" --latency -s "$work/check.lua" "$base/api/v1/contacts/duplicates/check")
rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
p50=$(awk '$1=="50%" {print $2}' <<<"$out")
p99=$(awk '$1=="99%" {print $2}' <<<"$out")
errors=$(awk '/Non-2xx/ {print $5}' <<<"$out"); errors=${errors:-0}

report=$(python3 - "$base" "$token" <<'PY'
import json, sys, time, urllib.request
base, token = sys.argv[1], sys.argv[2]
cursor, steps, groups, slowest, start = "", 0, 0, 0.0, time.time()
while True:
    t0 = time.time()
    req = urllib.request.Request(f"{base}/api/v1/contacts/duplicates?cursor={cursor}",
                                 headers={"authorization": f"Bearer {token}"})
    body = json.load(urllib.request.urlopen(req))
    slowest = max(slowest, time.time() - t0)
    steps += 1
    groups += len(body["groups"])
    if body["next_cursor"] is None:
        break
    cursor = body["next_cursor"]
print(f"{steps} {time.time() - start:.2f} {slowest * 1000:.0f} {groups}")
PY
)
read -r steps total slowest groups <<<"$report"
peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
file=${database#sqlite://}

echo
echo "Peyvand $(git rev-parse --short HEAD 2>/dev/null || echo '?'), SQLite, $contacts demo contacts, $(nproc) cores"
echo
echo "| measure | value |"
echo "|---|---|"
echo "| duplicate check, wrk -c32 -d${duration}s | $rps req/s, p50 $p50, p99 $p99, non-2xx $errors |"
echo "| report, one full pass | $steps steps, $total s in all, slowest step $slowest ms, $groups groups |"
echo "| server peak memory (VmHWM) | $((peak_kb / 1024)) MB |"
