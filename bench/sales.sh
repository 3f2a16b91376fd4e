#!/usr/bin/env bash
# Sales pipeline benchmark (issue 4): 1,000,000 opportunities with their stage history, the server
# in one process. Measures the funnel report, the forecast and the sales dashboard (API and page)
# over a year for all branches (as the administrator, so nothing is filtered away; target ≤ 1 s each) and moving a card on the board
# (POST /api/v1/opportunities/{id}/move, each request a real first move of another deal; target
# p99 ≤ 10 ms) with bench/move_client.py, one at a time and several at once. Runs on SQLite, then
# on a throwaway PostgreSQL cluster.
#
#   bench/sales.sh [--opportunities N] [--duration SECONDS] [--connections C]
#                  [--only sqlite|postgres] [--fresh] [--bin PATH]
#
# Seeded databases are kept under target/bench-sales/ and reused by later runs with the same N;
# --fresh seeds again. The seed also gives each won deal its quote, order and invoice with the
# same lines (two invoice lines per deal: 2,000,000 at 1,000,000 deals) and most invoices their
# payments. Needs jq, python3 and, for PostgreSQL, initdb/pg_ctl (PATH gets
# /usr/lib/postgresql/15/bin). Builds the release binary, unless --bin names a binary to run
# instead (a copy of an earlier build, to compare two versions on the same databases).
set -euo pipefail
cd "$(dirname "$0")/.."
opportunities=1000000 duration=10 connections=4 only="" fresh="" bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --opportunities) opportunities=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --connections) connections=$2; shift 2;;
    --only) only=$2; shift 2;;
    --fresh) fresh=1; shift;;
    --bin) bin=$(realpath "$2"); shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
command -v jq >/dev/null || { echo "jq is needed: apt-get install jq" >&2; exit 1; }
export PATH=$PATH:/usr/lib/postgresql/15/bin
if [ -z "$bin" ]; then
  cargo build --release -q -p peyvand
  bin=${CARGO_TARGET_DIR:-target}/release/peyvand
fi
dir=$(pwd)/target/bench-sales
mkdir -p "$dir"
work=$(mktemp -d)
server="" pg_data=""
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [ -n "$pg_data" ] && as_postgres pg_ctl -D "$pg_data" -m fast stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

declare -A results
seed() { # url
  local started=$SECONDS
  echo "seeding $opportunities opportunities into $1…" >&2
  $bin demo --database "$1" --contacts 1000 --no-serve --opportunities "$opportunities" >/dev/null
  echo "seeded in $((SECONDS - started)) s" >&2
  results["$2/seed"]="$((SECONDS - started)) s"
}

sqlite_url() {
  local file="$dir/sqlite-$opportunities.db"
  if [ -n "$fresh" ] || [ ! -f "$file.done" ]; then
    rm -f "$file" "$file-wal" "$file-shm" "$file.done"
    seed "sqlite://$file" sqlite
    touch "$file.done"
  fi
  url="sqlite://$file"
}

postgres_url() {
  pg_data="$dir/pg/data"
  local port; port=$(free_port)
  if [ -n "$fresh" ] || [ ! -f "$dir/pg/initialised" ]; then
    as_postgres pg_ctl -D "$pg_data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir/pg"; mkdir -p "$dir/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pg"
    as_postgres initdb -D "$pg_data" -U postgres --auth=trust --locale=C -E UTF8 >/dev/null
    touch "$dir/pg/initialised"
  fi
  # A throwaway cluster: durability settings off for seeding speed; the moves still commit.
  as_postgres pg_ctl -D "$pg_data" -l "$dir/pg/log" -w -o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >/dev/null
  local db="sales_$opportunities"
  url="postgres://postgres@127.0.0.1:$port/$db"
  if [ ! -f "$dir/pg/$db.done" ]; then
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    seed "$url" postgres
    # Index-only scans need the visibility map that VACUUM writes.
    psql -h 127.0.0.1 -p "$port" -U postgres -d "$db" -qc "VACUUM ANALYZE" >/dev/null
    touch "$dir/pg/$db.done"
  fi
}

# CPU ticks of the server, plus PostgreSQL's own processes when it runs on PostgreSQL: unlike
# latency, CPU time per request barely depends on what else runs on the machine.
server_ticks() {
  local pids=("$server")
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    local postmaster; postmaster=$(head -1 "$pg_data/postmaster.pid")
    pids+=("$postmaster" $(pgrep -P "$postmaster" || true))
  fi
  for pid in "${pids[@]}"; do cat "/proc/$pid/stat" 2>/dev/null; done | awk '{ sum += $14 + $15 } END { print sum }'
}

# Seconds of `runs` sequential GETs of a report after one warm-up: "median (max)".
time_report() { # url, runs
  curl -sf -o /dev/null -H "authorization: Bearer $token" "$1"
  local times=()
  for _ in $(seq "$2"); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "authorization: Bearer $token" "$1")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "%.0f ms (max %.0f ms)", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000 }'
}

# The same for a page, with the session cookie in $work/jar.
time_page() { # url, runs
  curl -sf -o /dev/null -b "$work/jar" "$1"
  local times=()
  for _ in $(seq "$2"); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' -b "$work/jar" "$1")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { printf "%.0f ms (max %.0f ms)", t[int((NR + 1) / 2)] * 1000, t[NR] * 1000 }'
}

# What the database holds: invoice lines, invoices, payments (the issue asks for 2,000,000 lines).
count_documents() { # backend, url
  local sql="SELECT (SELECT count(*) FROM sales_lines WHERE document_kind = 'invoice') || ' / ' || (SELECT count(*) FROM invoices) || ' / ' || (SELECT count(*) FROM payments)"
  if [ "$1" = sqlite ]; then
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "${2#sqlite://}" "$sql"
  else
    psql "$2" -tAc "$sql"
  fi
}

bench() { # backend, url
  local backend=$1 url=$2 port; port=$(free_port)
  results["$backend/documents"]=$(count_documents "$backend" "$url")
  local base="http://127.0.0.1:$port"
  PEYVAND_LOG=warn $bin serve --database "$url" --bind "127.0.0.1:$port" >"$work/$backend.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
  token=$(curl -sf -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"admin@peyvand.demo","password":"peyvand-demo"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
  local auth=(-H "authorization: Bearer $token")
  local pipeline; pipeline=$(curl -sf "${auth[@]}" "$base/api/v1/pipelines?is_default=true" | python3 -c 'import sys,json; print(json.load(sys.stdin)["items"][0]["id"])')
  local stages; stages=$(curl -sf "${auth[@]}" "$base/api/v1/pipelines/$pipeline/stages" | python3 -c 'import sys,json; print(" ".join(s["id"] for s in json.load(sys.stdin)["items"]))')
  read -r first second _ <<<"$stages"
  local today; today=$(date -u +%F)
  local year_ago; year_ago=$(date -u -d "$today - 365 days" +%F)
  local tomorrow; tomorrow=$(date -u -d "$today + 1 day" +%F)
  local next_year; next_year=$(date -u -d "$today + 365 days" +%F)
  echo "$backend: timing the reports…" >&2
  results["$backend/funnel"]=$(time_report "$base/api/v1/sales/funnel?pipeline_id=$pipeline&from=$year_ago&to=$tomorrow" 5)
  results["$backend/forecast"]=$(time_report "$base/api/v1/sales/forecast?from=$today&to=$next_year&calendar=jalali" 5)
  results["$backend/forecast_target"]=$(time_report "$base/api/v1/sales/forecast?pipeline_id=$pipeline&from=$today&to=$next_year&target=100000000000" 3)
  results["$backend/board"]=$(time_report "$base/api/v1/pipelines/$pipeline/board" 5)
  # The sales dashboard (issue 4 §10) for headquarters over a year: the API, then the page
  # (signed in with a cookie, as a browser).
  results["$backend/dashboard"]=$(time_report "$base/api/v1/sales/dashboard?period=custom&from=$year_ago&to=$tomorrow" 5)
  curl -sf -c "$work/jar" -o /dev/null -X POST "$base/login" --data-urlencode email=admin@peyvand.demo --data-urlencode password=peyvand-demo || true
  results["$backend/dashboard_page"]=$(time_page "$base/sales/dashboard?period=custom&from=$year_ago&to=$tomorrow" 5)
  # Deals still open at the first stage and never moved (version 1), for the moves.
  : >"$work/ids"
  local cursor=""
  while [ "$(wc -l <"$work/ids")" -lt 40000 ]; do
    local page; page=$(curl -sf "${auth[@]}" "$base/api/v1/opportunities?pipeline_id=$pipeline&stage_id=$first&status=open&limit=200${cursor:+&cursor=$cursor}")
    python3 -c 'import sys,json; [print(c["id"]) for c in json.load(sys.stdin)["items"] if c["version"] == 1]' <<<"$page" >>"$work/ids"
    cursor=$(python3 -c 'import sys,json; print(json.load(sys.stdin)["next_cursor"] or "")' <<<"$page")
    [ -z "$cursor" ] && break
  done
  echo "$backend: $(wc -l <"$work/ids") deals to move…" >&2
  sed -n '1,5000p' "$work/ids" >"$work/ids1"
  sed -n '5001,25000p' "$work/ids" >"$work/ids4"
  local out
  out=$(python3 bench/move_client.py "$port" "$token" "$second" "$work/ids1" 1 5000)
  results["$backend/move1_p50"]=$(jq -r .p50 <<<"$out")
  results["$backend/move1_p99"]=$(jq -r .p99 <<<"$out")
  results["$backend/move1_rps"]=$(jq -r .rps <<<"$out")
  local before; before=$(server_ticks)
  out=$(python3 bench/move_client.py "$port" "$token" "$second" "$work/ids4" "$connections" 20000)
  local after; after=$(server_ticks)
  local requests; requests=$(jq -r .requests <<<"$out")
  results["$backend/move_cpu"]=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.0f µs", t * 1e6 / hz / n }')
  results["$backend/move_p50"]=$(jq -r .p50 <<<"$out")
  results["$backend/move_p99"]=$(jq -r .p99 <<<"$out")
  results["$backend/move_max"]=$(jq -r .max <<<"$out")
  results["$backend/move_rps"]=$(jq -r .rps <<<"$out")
  results["$backend/move_errors"]=$(jq -r .errors <<<"$out")
  results["$backend/rss"]=$(( $(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024 ))
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
backends=()
if [ "$only" != postgres ]; then sqlite_url; bench sqlite "$url"; backends+=(sqlite); fi
if [ "$only" != sqlite ]; then postgres_url; bench postgres "$url"; backends+=(postgres); fi

echo
echo "Peyvand $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $opportunities opportunities, $(nproc) cores"
echo "binary: $bin"
echo "load average before the run: $load_before (other work on the machine shares its cores)"
echo
header="| measure | target |"; rule="|---|---|"
for b in "${backends[@]}"; do header+=" $b |"; rule+="---:|"; done
echo "$header"; echo "$rule"
row() { # label, key, target
  local line="| $1 | $3 |"
  for b in "${backends[@]}"; do line+=" ${results[$b/$2]:-–} |"; done
  echo "$line"
}
row "seeding (this run)" seed ""
row "invoice lines / invoices / payments" documents "2,000,000 lines"
row "funnel, one pipeline, a year, all branches" funnel "≤ 1 s"
row "forecast, a year by Jalali month, all pipelines and branches" forecast "≤ 1 s"
row "forecast with the funnel arithmetic for a target" forecast_target ""
row "board (5 columns, 20 cards each)" board ""
row "sales dashboard API, headquarters, a year" dashboard "≤ 1 s"
row "sales dashboard page, headquarters, a year" dashboard_page "≤ 1 s"
row "move a card, one at a time: p50" move1_p50 ""
row "move a card, one at a time: p99" move1_p99 "≤ 10 ms"
row "move a card, $connections at once: p50" move_p50 ""
row "move a card, $connections at once: p99" move_p99 "≤ 10 ms"
row "move a card, $connections at once: slowest" move_max ""
row "moves per second ($connections at once)" move_rps ""
row "server CPU per move" move_cpu ""
row "moves refused (non-2xx)" move_errors "0"
row "server memory after the run (MB)" rss ""
