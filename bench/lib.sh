# Shared by the bench scripts (sourced after PORT is set): the release binary built, a
# temporary data directory, the service's environment for a load test, and wrk's figures.

# BIN=path measures that binary instead (an A/B of two builds in one session).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/forvaltning-target}"
if [[ -z "${BIN:-}" ]]; then
  cargo build --release --locked -q
  BIN="$CARGO_TARGET_DIR/release/forvaltning"
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
