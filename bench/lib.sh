# Shared by the bench scripts (sourced after PORT is set): the release binary built, a
# temporary data directory, the service's environment for a load test, and wrk's figures.

# BIN=path measures that binary instead (an A/B of two builds in one session).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forvaltning-target}"
if [[ -z "${BIN:-}" ]]; then
  # The shipped build (Cargo.toml's `dist` profile: whole-program LTO), not the quicker release.
  cargo build --profile dist --locked -q
  BIN="$CARGO_TARGET_DIR/dist/forvaltning"
fi
DATA=$(mktemp -d)
export FORVALTNING_DATA_DIR="$DATA" FORVALTNING_BIND="127.0.0.1:$PORT" RUST_LOG=warn
export FORVALTNING_JWT_SECRET=bench-hemlighet-som-ar-tillrackligt-lang-0123456789
export FORVALTNING_RATE_LIMIT=0   # a load test is one caller at full speed
export PGOPTIONS="-c client_min_messages=warning"

# wrk at $1 connections for DURATION seconds; prints "rps p50_ms p99_ms non2xx".
measure_at() {
  local connections=$1; shift
  wrk -t2 -c"$connections" -d"${DURATION}s" --latency "$@" | awk '
    /Requests\/sec/ {rps=$2}
    / 50%/ {p50=$2} / 99%/ {p99=$2}
    /Non-2xx/ {bad=$NF}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%s %.2f %.2f %s\n", rps, ms(p50), ms(p99), (bad == "" ? 0 : bad)}'
}

# The database of a seeded bench: on PostgreSQL a schema of its own (SCHEMA, default $1), on
# SQLite the data directory's file. `sql` runs SQL from stdin on it (DATE_(x), TS_(x) and
# BOOL_(x) written for each dialect; unaligned rows out). The service and the data go when the
# script exits, the schema only after the service has stopped; KEEP_DATA=1 keeps them (to look
# at query plans afterwards).
seeded_database() {
  if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    SCHEMA=${SCHEMA:-$1}
    psql -q "$DATABASE_URL" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; CREATE SCHEMA $SCHEMA;"
    export DATABASE_URL="${DATABASE_URL%%\?*}?options=-csearch_path%3D$SCHEMA"
    sql() { sed -E "s/DATE_\(([^)]*)\)/CAST(\1 AS DATE)/g; s/TS_\(([^)]*)\)/CAST(\1 AS TIMESTAMP)/g; s/BOOL_\(([^)]*)\)/(\1)/g" | psql -q -t -A -v ON_ERROR_STOP=1 "$DATABASE_URL"; }
    cleanup_db() { psql -q "${DATABASE_URL%%\?*}" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE;"; }
    database=postgresql
  else
    # SQLite keeps dates and timestamps as text.
    sql() { sed -E "s/DATE_\(([^)]*)\)/\1/g; s/TS_\(([^)]*)\)/\1/g; s/BOOL_\(([^)]*)\)/(\1)/g" | sqlite3 -bail "$DATA/forvaltning.sqlite3"; }
    cleanup_db() { :; }
    database=sqlite
  fi
  PID=""
  if [[ -n "${KEEP_DATA:-}" ]]; then
    trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null; echo "data kept in $DATA"' EXIT
  else
    trap '[[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; cleanup_db; rm -rf "$DATA"' EXIT
  fi
}

# Starts the service and waits until it is ready (PID is set).
serve_ready() {
  "$BIN" serve &
  PID=$!
  until curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null; do sleep 0.005; done
}

# Median and worst of $REPEAT sequential requests with bearer token $1 to URL $2 (further curl
# arguments after it), in ms.
timed() {
  local token=$1 url=$2
  for _ in $(seq 1 "$REPEAT"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "${@:3}" "$url"
  done | sort -n | awk '{t[NR]=$1*1000} END {printf "median %.1f ms, worst %.1f ms", t[int((NR+1)/2)], t[NR]}'
}
