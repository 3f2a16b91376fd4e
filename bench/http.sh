#!/usr/bin/env bash
# HTTP benchmark of issue #2: 10,000 contacts on SQLite, load from a separate process (wrk) at
# concurrency 32 for each scenario — get one contact, list 50 contacts sorted by name, create a
# contact — plus the idle memory of the server. Prints one table.
#
#   bench/http.sh [--contacts N] [--duration SECONDS] [--connections C]
#
# Needs wrk (Debian package `wrk`); builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=10000 duration=15 connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --contacts) contacts=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --connections) connections=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p peyvand
bin=${CARGO_TARGET_DIR:-target}/release/peyvand
server=""
work=$(mktemp -d)
trap '[ -n "$server" ] && kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite://$work/bench.db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

echo "seeding $contacts contacts…" >&2
$bin demo --database "$db" --contacts "$contacts" --no-serve >/dev/null
PEYVAND_LOG=warn $bin serve --database "$db" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
sleep 2
idle_kb=$(awk '/VmRSS/ {print $2}' /proc/$server/status)

token=$(curl -sf -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"email":"admin@peyvand.demo","password":"peyvand-demo"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
contact=$(curl -sf "$base/api/v1/contacts?limit=1&sort=email" -H "authorization: Bearer $token" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
total=$(curl -sf "$base/api/v1/contacts/export" -H "authorization: Bearer $token" | tail -n +2 | wc -l)

cat >"$work/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $token"
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"first_name":"بنچ","last_name":"مشتری %d","mobile":"0912%07d","city":"تهران"}', counter, counter % 10000000)
  return wrk.format(nil, nil, nil, body)
end
LUA

run() { # name, url, reference req/s of django-crm, [script]
  local name=$1 url=$2 reference=$3 script=${4:-}
  local args=(-t2 -c"$connections" -d"${duration}s" --latency -H "authorization: Bearer $token")
  [ -n "$script" ] && args+=(-s "$script")
  local out; out=$(wrk "${args[@]}" "$url")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out"); errors=${errors:-0}
  local ratio; ratio=$(awk -v a="$rps" -v b="$reference" 'BEGIN { printf "%.0fx", a / b }')
  printf '| %-28s | %10s | %8s | %8s | %7s | %10s | %6s |\n' "$name" "$rps" "$p50" "$p99" "$errors" "$reference" "$ratio"
}

echo
echo "Peyvand $(git rev-parse --short HEAD 2>/dev/null || echo '?'), SQLite, $total contacts, wrk -c$connections -d${duration}s, $(nproc) cores"
echo
echo "(django-crm 1.35 on PostgreSQL: the issue's reference figures for the same scenarios on this kind of machine)"
echo
printf '| %-28s | %10s | %8s | %8s | %7s | %10s | %6s |\n' scenario "req/s" p50 p99 non-2xx django-crm ratio
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..30})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..10})" "$(printf -- '-%.0s' {1..10})" "$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..8})"
run "GET one contact" "$base/api/v1/contacts/$contact" 50
run "list 50 sorted by last name" "$base/api/v1/contacts?limit=50&sort=last_name" 10
run "create a contact" "$base/api/v1/contacts" 60 "$work/create.lua"
echo
echo "idle server memory (RSS after start): $((idle_kb / 1024)) MB"
echo "memory after the load: $(( $(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024 )) MB"
