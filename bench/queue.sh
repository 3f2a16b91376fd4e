#!/usr/bin/env bash
# An agent's queue (issue 5): a database of N open cases all owned by one service agent (the
# worst case for an owner filter), then, from a separate process with wrk at concurrency 32,
#   - the API list of their in-progress cases, 50 a page;
#   - the web page of the same list (signed in with a session cookie).
# Prints requests per second, p99 latency and the server's CPU time per request (all its
# threads), which depends far less than latency on what else runs on the machine.
#
#   bench/queue.sh [--cases N] [--duration SECONDS] [--fresh] [--bin PATH]...
#
# The database is kept under target/bench-queue/ and reused by later runs with the same N
# (--fresh fills it again). Each --bin runs the same requests against another build of the
# server (say, a copy of an earlier one) on the same database, for before/after figures in one
# run; without --bin the script builds and runs the release binary. Needs wrk, curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=1000000 duration=10 fresh="" bins=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --fresh) fresh=1; shift;;
    --bin) bins+=("$2"); shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
if [ ${#bins[@]} -eq 0 ]; then
  cargo build --release -q -p peyvand
  bins=("${CARGO_TARGET_DIR:-target}/release/peyvand")
fi
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
dir=$(pwd)/target/bench-queue
mkdir -p "$dir"
file="$dir/queue-$cases.db"
database="sqlite://$file"
if [ -n "$fresh" ] || [ ! -f "$file.done" ]; then
  rm -f "$file" "$file-wal" "$file-shm" "$file.done"
  echo "filling $cases cases…" >&2
  PEYVAND_LOG=warn ${bins[0]} bench sla --database "$database" --cases "$cases" --breached 1 >&2
  touch "$file.done"
fi

measure() { # label, url, header
  local before; before=$(server_ticks)
  local out; out=$(wrk -t2 -c32 -d"${duration}s" --latency -H "$3" "$2")
  local after; after=$(server_ticks)
  local requests; requests=$(awk '/requests in/ {print $1}' <<<"$out")
  printf '| %s | %s | %s | %s | %s |\n' "$label" "$1" "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.0f µs", t * 1e6 / hz / n }')"
}
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }

echo
echo "Peyvand $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $cases open cases of one agent, wrk -t2 -c32 -d${duration}s, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| build | request | req/s | p99 | server CPU/req |"
echo "|---|---|---:|---:|---:|"
for bin in "${bins[@]}"; do
  label=$(basename "$bin")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  PEYVAND_LOG=warn $bin serve --database "$database" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
  token=$(curl -sf -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"service@peyvand.demo","password":"peyvand-demo"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
  agent=$(curl -sf "$base/api/v1/users?limit=200" -H "authorization: Bearer $token" \
    | python3 -c 'import sys,json; print([u["id"] for u in json.load(sys.stdin)["items"] if u["email"]=="service@peyvand.demo"][0])')
  cookie=$(curl -s -o /dev/null -D - -X POST "$base/login" -H 'content-type: application/x-www-form-urlencoded' \
    --data 'email=service%40peyvand.demo&password=peyvand-demo&next=%2F' | awk -F'[=;]' 'tolower($1) ~ /set-cookie: peyvand_session/ {print $2}')
  api="$base/api/v1/cases?limit=50&owner_id=$agent&status=in_progress"
  page="$base/cases?owner_id=$agent&status=in_progress"
  wrk -t2 -c32 -d5s -H "authorization: Bearer $token" "$api" >/dev/null
  wrk -t2 -c32 -d5s -H "cookie: peyvand_session=$cookie" "$page" >/dev/null
  measure "API: the agent's in-progress cases, 50" "$api" "authorization: Bearer $token"
  measure "web page: the agent's queue" "$page" "cookie: peyvand_session=$cookie"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
done
