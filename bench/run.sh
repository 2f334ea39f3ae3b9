#!/usr/bin/env bash
# Benchmarks of the release binary: startup time, throughput and latency of typical calls, and
# memory. Speed is measured here, never asserted in tests.
#
#   bench/run.sh                      # SQLite in a temporary data directory
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bench/run.sh   # an empty database
#
# Needs wrk and curl (Debian: apt-get install wrk curl). Seeds 20 portfolios with 10 services
# each, a TÄ per portfolio and a TJF per service, then measures for DURATION seconds each.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18080}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forvaltning-target}"
cargo build --release --locked -q
BIN="$CARGO_TARGET_DIR/release/forvaltning"
DATA=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
export FORVALTNING_DATA_DIR="$DATA" FORVALTNING_BIND="127.0.0.1:$PORT" RUST_LOG=warn
export FORVALTNING_JWT_SECRET=bench-hemlighet-som-ar-tillrackligt-lang-0123456789

start=$(date +%s%N)
"$BIN" serve &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null; do sleep 0.01; done
echo "startup (process start to ready, migrations included): $(( ($(date +%s%N) - start) / 1000000 )) ms"

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

run() {
  echo "== $1"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $2" "$3" \
    | grep -E 'Requests/sec|Latency|50%|99%'
}
run "GET /health/live (no database)" "$LG" "http://127.0.0.1:$PORT/health/live"
run "GET /api/v1/services?limit=50 (list, 2 queries + caller)" "$LG" "$U/services?limit=50"
run "GET /api/v1/services/tjanst-3-4 (one object)" "$TA" "$U/services/tjanst-3-4"
run "GET /api/v1/architecture (200 services, 420 holders)" "$LG" "$U/architecture"
run "GET /api/v1/me (scoped caller)" "$TA" "$U/me"

cat > "$DATA/patch.lua" <<'EOF'
wrk.method = "PATCH"
wrk.body = '{"description":"Ändrad av lasttest"}'
wrk.headers["Content-Type"] = "application/json"
EOF
echo "== PATCH /api/v1/services/1 (write + audit event in one transaction)"
wrk -t2 -c4 -d"${DURATION}s" --latency -s "$DATA/patch.lua" -H "Authorization: Bearer $TA" "$U/services/1" \
  | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'

echo "resident memory after the runs: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MiB", $1/1024}')"
