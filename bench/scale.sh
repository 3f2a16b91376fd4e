#!/usr/bin/env bash
# Read benchmark at scale (issue 3): 1,000,000 demo contacts, the server in one process, load from
# wrk in another at concurrency 32. Scenarios: GET one contact (ids spread over the table), a list
# of 50 with a filter and a sort, search as you type (prefixes of real names), and two trivial
# endpoints as the cost of HTTP itself (/static/app.css, no database; /healthz, one ping). Runs on SQLite, then on a throwaway PostgreSQL cluster, and prints
# both side by side with the targets.
#
#   bench/scale.sh [--contacts N] [--duration SECONDS] [--connections C] [--only sqlite|postgres]
#                  [--fresh] [--bin PATH]...
#
# Each --bin runs the scenarios against another build of the server (say, a copy of an earlier
# one) on the same databases, one after the other, for before/after figures in one run; the
# columns are then named backend@file name. Without --bin the release binary is built and run.
#
# Seeded databases are kept under target/bench-scale/ and reused by later runs with the same N
# (seeding a million contacts takes minutes); --fresh seeds again. Needs wrk and, for
# PostgreSQL, initdb/pg_ctl (PATH gets /usr/lib/postgresql/15/bin). Builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
contacts=1000000 duration=15 connections=32 only="" fresh="" bins=()
while [ $# -gt 0 ]; do
  case "$1" in
    --contacts) contacts=$2; shift 2;;
    --duration) duration=$2; shift 2;;
    --connections) connections=$2; shift 2;;
    --only) only=$2; shift 2;;
    --fresh) fresh=1; shift;;
    --bin) bins+=("$2"); shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
export PATH=$PATH:/usr/lib/postgresql/15/bin
if [ ${#bins[@]} -eq 0 ]; then
  cargo build --release -q -p peyvand
  bins=("${CARGO_TARGET_DIR:-target}/release/peyvand")
fi
bin=${bins[0]}
dir=$(pwd)/target/bench-scale
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
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

seed() { # url
  local started=$SECONDS
  echo "seeding $contacts contacts into $1…" >&2
  $bin demo --database "$1" --contacts "$contacts" --no-serve >/dev/null
  echo "seeded in $((SECONDS - started)) s" >&2
}

# Each sets $url to a seeded database of $contacts contacts.
sqlite_url() {
  local file="$dir/sqlite-$contacts.db"
  if [ -n "$fresh" ] || [ ! -f "$file.done" ]; then
    rm -f "$file" "$file-wal" "$file-shm" "$file.done"
    seed "sqlite://$file"
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
  # A throwaway cluster: durability settings off (they only matter to the seeding, not to reads).
  as_postgres pg_ctl -D "$pg_data" -l "$dir/pg/log" -w -o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >/dev/null
  local db="peyvand_$contacts"
  url="postgres://postgres@127.0.0.1:$port/$db"
  if [ ! -f "$dir/pg/$db.done" ]; then
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    seed "$url"
    touch "$dir/pg/$db.done"
  fi
}

# Search as you type: every prefix (from 2 characters) of real names, Persian and Latin, and a
# second word begun after a first one, as a person types them.
search_lua() {
  python3 - "$@" <<'PY'
import urllib.parse
words = ["رضایی", "محمدی", "کریمی", "حسینی", "موسوی", "میرزایی", "احمدی", "زهرا", "فاطمه",
         "مهدی", "سمیرا", "کامران", "علی کریمی", "مریم رضایی", "karimi", "sara", "tehrani",
         "johnson", "0912", "09351"]
paths = []
for word in words:
    for end in range(2, len(word) + 1):
        if word[end - 1] != " ":
            paths.append("/api/v1/contacts?limit=50&q=" + urllib.parse.quote(word[:end]))
print("paths = {" + ",".join('"%s"' % p for p in paths) + "}")
print("i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend")
PY
}

# Lists of 50 with a filter and a sort, as people click them: by city, by owner, by lifecycle.
list_lua() { # owner ids...
  python3 - "$@" <<'PY'
import sys, urllib.parse
cities = ["تهران", "اصفهان", "مشهد", "شیراز", "تبریز", "کرج"]
paths = []
for city in cities:
    paths.append("/api/v1/contacts?limit=50&sort=last_name&city=" + urllib.parse.quote(city))
for owner in sys.argv[1:]:
    paths.append("/api/v1/contacts?limit=50&sort=last_name&owner_id=" + owner)
for lifecycle in ["regular", "lost", "prospect"]:
    paths.append("/api/v1/contacts?limit=50&sort=-created_at&lifecycle=" + lifecycle)
print("paths = {" + ",".join('"%s"' % p for p in paths) + "}")
print("i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend")
PY
}

get_lua() { # ids file
  { printf 'paths = {'; sed 's|.*|"/api/v1/contacts/&",|' "$1" | tr -d '\n'; printf '}\n'
    printf 'i = 0\nrequest = function()\n  i = i %% #paths + 1\n  return wrk.format(nil, paths[i])\nend\n'; } 
}

declare -A results
run() { # backend, scenario, url, [script]
  local args=(-t2 -c"$connections" -d"${duration}s" --latency -H "authorization: Bearer $token")
  [ -n "${4:-}" ] && args+=(-s "$4")
  local before; before=$(server_ticks)
  local out; out=$(wrk "${args[@]}" "$3")
  local after; after=$(server_ticks)
  local rps p99 errors requests cpu
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # Server CPU time per request (all its threads, user and system, and PostgreSQL's processes):
  # unlike latency, it barely depends on what else runs on the machine.
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.0f µs", t * 1e6 / hz / n }')
  results["$1/$2/rps"]=$rps
  results["$1/$2/p99"]=$p99${errors:+ ($errors non-2xx)}
  results["$1/$2/cpu"]=$cpu
  echo "  $2: $rps req/s, p99 $p99, server CPU $cpu per request${errors:+, $errors non-2xx}" >&2
}
# CPU ticks of the server, plus PostgreSQL's own processes when it runs on PostgreSQL.
server_ticks() {
  local pids=("$server")
  if [ -n "$pg_data" ] && [ -f "$pg_data/postmaster.pid" ]; then
    local postmaster; postmaster=$(head -1 "$pg_data/postmaster.pid")
    pids+=("$postmaster" $(pgrep -P "$postmaster" || true))
  fi
  for pid in "${pids[@]}"; do cat "/proc/$pid/stat" 2>/dev/null; done | awk '{ sum += $14 + $15 } END { print sum }'
}

bench() { # backend, url
  local backend=$1 url=$2 port; port=$(free_port)
  local base="http://127.0.0.1:$port"
  PEYVAND_LOG=warn $bin serve --database "$url" --bind "127.0.0.1:$port" >"$work/$backend.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
  token=$(curl -sf -X POST "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"admin@peyvand.demo","password":"peyvand-demo"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
  # Ids spread over the table: the first page of several orders.
  : >"$work/ids"
  for sort in email -email mobile -mobile first_name -created_at; do
    curl -sf "$base/api/v1/contacts?limit=200&sort=$sort" -H "authorization: Bearer $token" \
      | python3 -c 'import sys,json; [print(c["id"]) for c in json.load(sys.stdin)["items"]]' >>"$work/ids" || true
  done
  local owners; owners=$(curl -sf "$base/api/v1/contacts?limit=200&sort=-created_at" -H "authorization: Bearer $token" \
    | python3 -c 'import sys,json; print(" ".join(sorted({c["owner_id"] for c in json.load(sys.stdin)["items"]})))')
  get_lua "$work/ids" >"$work/get.lua"
  # shellcheck disable=SC2086
  list_lua $owners >"$work/list.lua"
  search_lua >"$work/search.lua"
  echo "$backend: $(wc -l <"$work/ids") ids to get; warming up…" >&2
  wrk -t2 -c"$connections" -d5s -H "authorization: Bearer $token" -s "$work/search.lua" "$base" >/dev/null
  wrk -t2 -c"$connections" -d5s -H "authorization: Bearer $token" -s "$work/list.lua" "$base" >/dev/null
  run "$backend" static "$base/static/app.css"
  run "$backend" healthz "$base/healthz"
  run "$backend" get "$base" "$work/get.lua"
  run "$backend" list "$base" "$work/list.lua"
  run "$backend" search "$base" "$work/search.lua"
  results["$backend/rss"]=$(( $(awk '/VmRSS/ {print $2}' /proc/$server/status) / 1024 ))
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
backends=()
# Runs every build against one backend's database; columns are named after both when there
# are several builds.
bench_builds() { # backend, url
  for bin in "${bins[@]}"; do
    local name=$1
    [ ${#bins[@]} -gt 1 ] && name="$1@$(basename "$bin")"
    bench "$name" "$2"; backends+=("$name")
  done
}
if [ "$only" != postgres ]; then sqlite_url; bench_builds sqlite "$url"; fi
if [ "$only" != sqlite ]; then postgres_url; bench_builds postgres "$url"; fi

ratio() { awk -v a="${results[$1/get/rps]:-0}" -v b="${results[$1/$2/rps]:-1}" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
echo
echo "Peyvand $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $contacts contacts, wrk -t2 -c$connections -d${duration}s, $(nproc) cores"
echo
echo "load average before the run: $load_before (other work on the machine shares its $(nproc) cores)"
echo
header="| scenario | target |"; rule="|---|---|"
for b in "${backends[@]}"; do header+=" $b req/s | $b p99 | $b CPU/req |"; rule+="---:|---:|---:|"; done
echo "$header"; echo "$rule"
row() { # label, key, target
  local line="| $1 | $3 |"
  for b in "${backends[@]}"; do line+=" ${results[$b/$2/rps]} | ${results[$b/$2/p99]} | ${results[$b/$2/cpu]} |"; done
  echo "$line"
}
row "GET /static/app.css (HTTP alone, 8.6 kB)" static "—"
row "GET /healthz (HTTP + a database ping)" healthz "—"
row "GET one contact" get "p99 ≤ 5 ms"
row "list 50, filter + sort" list "p99 ≤ 20 ms"
row "search as you type" search "p99 ≤ 50 ms"
line="| GET one ÷ app.css throughput | ≥ 30% |"
for b in "${backends[@]}"; do line+=" $(ratio "$b" static) | | |"; done
echo "$line"
line="| GET one ÷ healthz throughput | — |"
for b in "${backends[@]}"; do line+=" $(ratio "$b" healthz) | | |"; done
echo "$line"
line="| server memory after the load | — |"
for b in "${backends[@]}"; do line+=" ${results[$b/rss]} MB | | |"; done
echo "$line"
