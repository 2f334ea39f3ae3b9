#!/usr/bin/env bash
# Benchmarks of the release binary: startup time, throughput and latency of typical calls, and
# memory. Speed is measured here, never asserted in tests, and reported as a ratio to a
# reference measured in the same run on the same machine: the binary's own /health/live, and on
# PostgreSQL `pgbench -S -M prepared` (one indexed read) and pgbench's TPC-B-like write.
#
#   bench/run.sh                                                        # SQLite, a temporary data directory
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/run.sh   # PostgreSQL (schema bench_run)
#   PGBENCH_URL=postgres://postgres@127.0.0.1:5432/postgres bench/run.sh    # SQLite, writes beside TPC-B
#
# Needs wrk and curl (Debian: apt-get install wrk curl), and pgbench for PostgreSQL. Seeds 20
# portfolios with 10 services each, a TÄ per portfolio and a TJF per service, then measures each
# call for DURATION seconds at CONNECTIONS connections.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18080}
source bench/lib.sh

POSTGRES=""
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  POSTGRES="${DATABASE_URL%%\?*}"
  psql -q "$POSTGRES" -c "DROP SCHEMA IF EXISTS bench_run CASCADE; CREATE SCHEMA bench_run;"
  export DATABASE_URL="$POSTGRES?options=-csearch_path%3Dbench_run"
fi
cleanup() {
  # The schema goes only after the service has stopped (its background work would report the
  # vanished tables otherwise).
  kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  [[ -n "$POSTGRES" ]] && psql -q "$POSTGRES" -c "DROP SCHEMA IF EXISTS bench_run CASCADE;"
  rm -rf "$DATA"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%F); database: $([[ -n "$POSTGRES" ]] && echo postgresql || echo sqlite)"
"$BIN" migrate
start=$(date +%s%N)
"$BIN" serve &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null; do sleep 0.005; done
echo "startup on a migrated database (process start to ready): $(( ($(date +%s%N) - start) / 1000000 )) ms"
echo "idle resident memory: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MiB", $1/1024}')"

LG=$("$BIN" token --sub lg@sunet.se --role management_group)
U="http://127.0.0.1:$PORT/api/v1"
as() { local t=$1; shift; curl -sf -X POST -H "Authorization: Bearer $t" -H 'Content-Type: application/json' "$U/$1" -d "$2" > /dev/null; }
post() { as "$LG" "$@"; }
for p in $(seq 1 20); do
  post portfolios "{\"slug\":\"portfolj-$p\",\"name\":\"Portfölj $p\"}"
  post role-assignments "{\"subject\":\"ta$p@sunet.se\",\"role\":\"service_owner\",\"portfolio_id\":$p}"
  OWNER=$("$BIN" token --sub "ta$p@sunet.se")
  for s in $(seq 1 10); do
    post services "{\"slug\":\"tjanst-$p-$s\",\"name\":\"Tjänst $p.$s\",\"portfolio_id\":$p}"
    id=$(( (p - 1) * 10 + s ))
    as "$OWNER" role-assignments "{\"subject\":\"tjf$id@sunet.se\",\"role\":\"service_manager\",\"service_id\":$id}"
  done
done
TA=$("$BIN" token --sub ta1@sunet.se)

measure() { measure_at "$@"; }
report() {
  local name=$1 figures=$2 reference=$3 label=$4
  read -r rps p50 p99 bad <<< "$figures"
  awk -v n="$name" -v r="$rps" -v a="$p50" -v b="$p99" -v ref="$reference" -v l="$label" -v bad="$bad" 'BEGIN {
    printf "%-58s %9.0f req/s  %5.1f%% of %s  p50 %6.2f ms  p99 %6.2f ms  (p99/p50 %.1f)%s\n",
      n, r, 100 * r / ref, l, a, b, (a > 0 ? b / a : 0), (bad > 0 ? "  NON-2XX: " bad : "") }'
}

LIVE=$(measure "$CONNECTIONS" "http://127.0.0.1:$PORT/health/live")
LIVE_RPS=${LIVE%% *}
report "GET /health/live (reference, no database)" "$LIVE" "$LIVE_RPS" "/health/live"
REFERENCE=$LIVE_RPS; REFERENCE_LABEL="/health/live"
WRITE_REFERENCE=""
# pgbench's server: the one measured, or on SQLite the one PGBENCH_URL names (the write target
# compares SQLite's durable creates with PostgreSQL's TPC-B on the same machine).
PGBENCH_SERVER="${POSTGRES:-${PGBENCH_URL:-}}"
if [[ -n "$PGBENCH_SERVER" ]]; then
  psql -q "$PGBENCH_SERVER" -c "DROP DATABASE IF EXISTS bench_pgbench;" -c "CREATE DATABASE bench_pgbench;"
  PGBENCH_DB="${PGBENCH_SERVER%/*}/bench_pgbench"
  pgbench -q -i -s 10 "$PGBENCH_DB" > /dev/null 2>&1
  if [[ -n "$POSTGRES" ]]; then
    SELECT_TPS=$(pgbench -S -M prepared -c"$CONNECTIONS" -j2 -T"$DURATION" "$PGBENCH_DB" 2>/dev/null | awk '/^tps/ {print int($3)}')
  fi
  TPCB_TPS=$(pgbench -c"$CONNECTIONS" -j2 -T"$DURATION" "$PGBENCH_DB" 2>/dev/null | awk '/^tps/ {print int($3)}')
  psql -q "$PGBENCH_SERVER" -c "DROP DATABASE IF EXISTS bench_pgbench;"
  # Dropping a database writes a checkpoint; let it finish before the service is measured, or
  # its I/O lands in the first call's tail (seen: p99 106 ms against a p50 of 4 ms).
  psql -q "$PGBENCH_SERVER" -c "CHECKPOINT;"
  WRITE_REFERENCE=$TPCB_TPS
  if [[ -n "$POSTGRES" ]]; then
    echo "pgbench -S -M prepared -c$CONNECTIONS: $SELECT_TPS TPS; TPC-B-like -c$CONNECTIONS: $TPCB_TPS TPS (references)"
    REFERENCE=$SELECT_TPS; REFERENCE_LABEL="pgbench -S"
  else
    echo "pgbench TPC-B-like -c$CONNECTIONS on PostgreSQL: $TPCB_TPS TPS (the writes' reference)"
  fi
fi

ONE=$(measure "$CONNECTIONS" -H "Authorization: Bearer $TA" "$U/services/tjanst-3-4")
report "GET /api/v1/services/tjanst-3-4 (one object, as a TÄ)" "$ONE" "$REFERENCE" "$REFERENCE_LABEL"
LIST=$(measure "$CONNECTIONS" -H "Authorization: Bearer $LG" "$U/services?limit=50")
report "GET /api/v1/services?limit=50 (a list of 50)" "$LIST" "${ONE%% *}" "the single read"
report "GET /api/v1/me (scoped caller)" "$(measure "$CONNECTIONS" -H "Authorization: Bearer $TA" "$U/me")" "$REFERENCE" "$REFERENCE_LABEL"
report "GET /api/v1/architecture (200 services, 420 holders)" "$(measure "$CONNECTIONS" -H "Authorization: Bearer $LG" "$U/architecture")" "$REFERENCE" "$REFERENCE_LABEL"

cat > "$DATA/propose.lua" <<'EOF'
-- Unique slugs per thread and request: every POST creates a service and its audit event.
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("id", math.random(1, 1000000000)) end
init = function(args)
  thread_id = id
  wrk.headers["Content-Type"] = "application/json"
end
request = function()
  counter = counter + 1
  local body = string.format('{"slug":"ny-%d-%d","name":"Ny tjänst"}', thread_id, counter)
  return wrk.format("POST", nil, nil, body)
end
EOF
CREATE=$(measure "$CONNECTIONS" -s "$DATA/propose.lua" -H "Authorization: Bearer $LG" "$U/services")
if [[ -n "$WRITE_REFERENCE" ]]; then
  report "POST /api/v1/services (create + audit event)" "$CREATE" "$WRITE_REFERENCE" "pgbench TPC-B"
else
  report "POST /api/v1/services (create + audit event)" "$CREATE" "$REFERENCE" "$REFERENCE_LABEL"
fi
echo "resident memory after the runs: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MiB", $1/1024}')"
echo "release binary: $(stat -c %s "$BIN" | awk '{printf "%.1f", $1/1048576}') MiB"
