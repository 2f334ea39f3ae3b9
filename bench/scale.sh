#!/usr/bin/env bash
# The page cost at scale (performance issue, target 4): 500 portfolios, 100,000 services, 20,000
# people, 200,000 role assignments and 1,000,000 audit events, seeded by set-based SQL (a
# recursive CTE, which both databases run). Then, at CONNECTIONS (8) connections for DURATION
# seconds each: the first page of every list, the filtered service lists, one object, /me for a
# caller holding 50 assignments and the audit events of one portfolio — each call's p50 and p99,
# beside the same binary's /health/live measured in the same run. /architecture is fetched
# whole: its time, its size, and how much the server's memory grew.
#
#   bench/scale.sh                                                      # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/scale.sh   # PostgreSQL (schema bench_scale)
#
# Needs wrk, curl, and sqlite3 or psql.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18082}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-8}
source bench/lib.sh

seeded_database bench_scale
if [[ $database == postgresql ]]; then analyze="VACUUM ANALYZE;"; else analyze="ANALYZE;"; fi

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%F); database: $database"
"$BIN" migrate
NOW=$(date -u '+%F %T')
# Numbers 1..N in both dialects.
n() { echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"; }
seed_start=$(date +%s)
sql <<SQL
BEGIN;
INSERT INTO portfolios (id, slug, name, search_text, created_at, updated_at)
  $(n 500)
  SELECT i, 'portfolj-' || i, 'Portfölj ' || i, 'portfolj-' || i || ' portfölj ' || i || ' ', '$NOW', '$NOW' FROM n;
-- One in ten established, one in ten decommissioned, the rest in operation; 200 per portfolio.
INSERT INTO services (id, slug, name, portfolio_id, lifecycle, description, search_text,
    catalog_search_text, lifecycle_changed_at, created_at, updated_at)
  $(n 100000)
  SELECT i, 'tjanst-' || i, 'Tjänst ' || i, ((i - 1) % 500) + 1,
    CASE i % 10 WHEN 0 THEN 'established' WHEN 1 THEN 'decommissioned' ELSE 'in_operation' END,
    'Förvaltad tjänst för lärosäten, nummer ' || i,
    'tjanst-' || i || ' tjänst ' || i || ' förvaltad tjänst för lärosäten, nummer ' || i,
    'tjänst ' || i || '  ', '$NOW', '$NOW', '$NOW' FROM n;
INSERT INTO people (id, sub, name, email, search_text, created_at, updated_at)
  $(n 20000)
  SELECT i, 'person-' || i || '@sunet.se', 'Åsa Öström ' || i, 'person-' || i || '@sunet.se',
    'person-' || i || '@sunet.se åsa öström ' || i || ' person-' || i || '@sunet.se', '$NOW', '$NOW' FROM n;
-- A TÄ per portfolio (people 1..500), a TJF and a specialist per service (people 501..19999),
-- and person 20000 holding 50 assignments: 500 + 100,000 + 99,450 + 50 = 200,000.
INSERT INTO role_assignments (person_id, role, portfolio_id, delegations, accepted_at, created_by, created_at, updated_at)
  $(n 500)
  SELECT i, 'service_owner', i, '', '$NOW', 'bench', '$NOW', '$NOW' FROM n;
INSERT INTO role_assignments (person_id, role, service_id, delegations, accepted_at, created_by, created_at, updated_at)
  $(n 100000)
  SELECT 501 + (i % 19499), 'service_manager', i, '', '$NOW', 'bench', '$NOW', '$NOW' FROM n;
INSERT INTO role_assignments (person_id, role, service_id, delegations, accepted_at, created_by, created_at, updated_at)
  $(n 99450)
  SELECT 501 + ((i * 7) % 19499), 'service_specialist', i, '', '$NOW', 'bench', '$NOW', '$NOW' FROM n;
INSERT INTO role_assignments (person_id, role, service_id, delegations, accepted_at, created_by, created_at, updated_at)
  $(n 50)
  SELECT 20000, 'service_manager', i * 500, '', '$NOW', 'bench', '$NOW', '$NOW' FROM n;
-- Nine in ten events are of services, one in ten of role assignments, spread over every portfolio;
-- each recorded in the portfolio its object is in, as the service records them.
INSERT INTO audit_events (id, occurred_at, actor_sub, actor_roles, action, object_type, object_id,
    portfolio_id, before_state, after_state, request_id)
  $(n 1000000)
  SELECT i, '$NOW', 'person-' || ((i % 20000) + 1) || '@sunet.se', 'service_manager',
    CASE WHEN i % 10 = 0 THEN 'role_assignment.create' ELSE 'service.update' END,
    CASE WHEN i % 10 = 0 THEN 'role_assignment' ELSE 'service' END,
    CASE WHEN i % 10 = 0 THEN (i % 200000) + 1 ELSE (i % 100000) + 1 END,
    CASE WHEN i % 10 = 0 THEN COALESCE(r.portfolio_id, s.portfolio_id) ELSE (i % 500) + 1 END,
    '{"description":"Förvaltad tjänst för lärosäten","version":' || (i % 7 + 1) || '}',
    '{"description":"Förvaltad tjänst för lärosäten och forskningsinstitut","version":' || (i % 7 + 2) || '}',
    'bench-' || i
  FROM n
  LEFT JOIN role_assignments r ON i % 10 = 0 AND r.id = (i % 200000) + 1
  LEFT JOIN services s ON s.id = r.service_id;
COMMIT;
SQL
if [[ $database == postgresql ]]; then
  # Identity columns continue after the seeded ids.
  sql <<'SQL' > /dev/null
SELECT setval(pg_get_serial_sequence('portfolios', 'id'), 500);
SELECT setval(pg_get_serial_sequence('services', 'id'), 100000);
SELECT setval(pg_get_serial_sequence('people', 'id'), 20000);
SELECT setval(pg_get_serial_sequence('role_assignments', 'id'), 200000);
SELECT setval(pg_get_serial_sequence('audit_events', 'id'), 1000000);
SQL
fi
echo "$analyze" | sql
echo "seeded in $(( $(date +%s) - seed_start )) s: $(echo "SELECT (SELECT count(*) FROM services) || ' services, ' || (SELECT count(*) FROM role_assignments) || ' role assignments, ' || (SELECT count(*) FROM audit_events) || ' audit events';" | sql)"

start=$(date +%s%N)
serve_ready
echo "startup on the seeded database (process start to ready): $(( ($(date +%s%N) - start) / 1000000 )) ms"
# The sealer chains the imported trail; measure once it has caught up.
seal_start=$(date +%s%N)
until [[ "$(echo 'SELECT count(*) FROM audit_seals;' | sql)" -ge 1000000 ]]; do sleep 0.5; done
echo "audit sealer caught up with 1,000,000 imported events in $(( ($(date +%s%N) - seal_start) / 1000000 )) ms"
rss() { ps -o rss= -p "$PID" | awk '{printf "%.1f", $1/1024}'; }
echo "resident memory before the runs: $(rss) MiB"
[[ -n "${SEED_ONLY:-}" ]] && exit 0

LG=$("$BIN" token --sub lg@sunet.se --role management_group)
TA=$("$BIN" token --sub person-250@sunet.se)           # TÄ of portfolj-250
FIFTY=$("$BIN" token --sub person-20000@sunet.se)      # holds 50 assignments
U="http://127.0.0.1:$PORT/api/v1"

measure() { measure_at "$CONNECTIONS" "$@"; }
LIVE=$(measure "http://127.0.0.1:$PORT/health/live")
LIVE_RPS=${LIVE%% *}
call() {
  local name=$1 token=$2 path=$3
  read -r rps p50 p99 bad <<< "$(measure -H "Authorization: Bearer $token" "$U$path")"
  awk -v n="$name" -v r="$rps" -v a="$p50" -v b="$p99" -v ref="$LIVE_RPS" -v bad="$bad" 'BEGIN {
    printf "%-52s %7.0f req/s %5.1f%% of /health/live  p50 %6.2f ms  p99 %6.2f ms%s%s\n",
      n, r, 100 * r / ref, a, b, (b > 20 ? "  ABOVE 20 MS" : ""), (bad > 0 ? "  NON-2XX: " bad : "") }'
}
printf "%-52s %7.0f req/s                       p50 %6.2f ms  p99 %6.2f ms\n" "GET /health/live (reference)" \
  "$LIVE_RPS" "$(echo "$LIVE" | cut -d' ' -f2)" "$(echo "$LIVE" | cut -d' ' -f3)"
call "portfolios, first page"                 "$LG" "/portfolios"
call "services, first page"                   "$LG" "/services"
call "services?portfolio=portfolj-250"        "$LG" "/services?portfolio=portfolj-250"
call "services?lifecycle=established"         "$LG" "/services?lifecycle=established"
call "services?q=4711"                        "$LG" "/services?q=4711"
call "services?q=öström (no match)"           "$LG" "/services?q=%C3%B6str%C3%B6m"
call "services/tjanst-4750 (one, as its TÄ)"  "$TA" "/services/tjanst-4750"
call "people, first page"                     "$LG" "/people"
call "people?q=öström 1234"                   "$LG" "/people?q=%C3%B6str%C3%B6m%201234"
call "role-assignments, first page"           "$LG" "/role-assignments"
call "role-assignments?portfolio=portfolj-250" "$LG" "/role-assignments?portfolio=portfolj-250"
call "organizations, first page"              "$LG" "/organizations"
call "contracts, first page"                  "$LG" "/contracts"
call "deliveries, first page"                 "$LG" "/deliveries"
call "plans, first page"                      "$LG" "/plans"
call "change-requests, first page"            "$LG" "/change-requests"
call "me (50 assignments)"                    "$FIFTY" "/me"
call "audit-events, first page (LG)"          "$LG" "/audit-events"
call "audit-events of portfolj-250 (its TÄ)"  "$TA" "/audit-events"
call "audit-events of one service (LG)"       "$LG" "/audit-events?object_type=service&object_id=4750"
call "services?offset=90000 (offset paging)"  "$LG" "/services?offset=90000"
before=$(rss)
arch=$(curl -s -o "$DATA/architecture.json" -w '%{time_total} %{size_download}' -H "Authorization: Bearer $LG" "$U/architecture")
echo "architecture: $(echo "$arch" | awk '{printf "%.2f s, %.1f MB", $1, $2/1e6}'), resident memory $before -> $(rss) MiB"
echo "resident memory after the runs: $(rss) MiB"
