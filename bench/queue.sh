#!/usr/bin/env bash
# An agent's queue (issue 5): a database of N open cases all owned by one service agent (the
# worst case for an owner filter), then, from a separate process with wrk at concurrency 32,
#   - the API list of their in-progress cases, 50 a page;
#   - the web page of the same list (signed in with a session cookie).
# Prints requests per second and p99 latency.
#
#   bench/queue.sh [--cases N] [--duration SECONDS]
#
# Needs wrk, curl and python3; builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=1000000 duration=10
while [ $# -gt 0 ]; do
  case "$1" in
    --cases) cases=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p peyvand
bin=${CARGO_TARGET_DIR:-target}/release/peyvand
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
database="sqlite://$work/queue.db"
echo "filling $cases cases…" >&2
PEYVAND_LOG=warn $bin bench sla --database "$database" --cases "$cases" --breached 1 >&2
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
measure() { # label, url, header
  local out; out=$(wrk -t2 -c32 -d"${duration}s" --latency -H "$3" "$2")
  printf '| %s | %s | %s |\n' "$1" "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}
echo
echo "Peyvand $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $cases open cases of one agent, wrk -t2 -c32 -d${duration}s, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| request | req/s | p99 |"
echo "|---|---:|---:|"
measure "API: the agent's in-progress cases, 50" "$api" "authorization: Bearer $token"
measure "web page: the agent's queue" "$page" "cookie: peyvand_session=$cookie"
