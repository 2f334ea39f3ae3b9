#!/usr/bin/env bash
# The IT environment at scale (IT environment issue §3): 100 portfolios, 20,000 services in
# operation, 10,000 information systems, about 50,000 system dependencies (each system on up
# to five systems with lower ids, so the low ids are the foundations everything rests on) and
# 100,000 service dependencies (five per service), seeded by SQL. Then, timed with curl beside
# the same binary's /health/live: the impact of a system in the middle of the graph, of a
# foundation (nearly every service), a service's dependencies through systems, a new
# dependency's cycle check, and the architecture document.
#
#   bench/it.sh                                                         # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SCHEMA=bench_it bench/it.sh
#
# Needs curl, and sqlite3 or psql.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18084}
REPEAT=${REPEAT:-20}
source bench/lib.sh

seeded_database bench_it
"$BIN" migrate
NOW=$(date -u '+%F %T'); OLD=$(date -u -d "-90 days" '+%F %T')
n() { echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"; }
m() { echo "m(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM m WHERE k < $1)"; }

echo "seeding ..."
seed_start=$(date +%s)
sql <<SQL
BEGIN;
INSERT INTO portfolios (id, slug, name, created_at, updated_at)
  $(n 100) SELECT i, 'portfolj-' || i, 'Portfölj ' || i, '$OLD', '$OLD' FROM n;
INSERT INTO services (id, slug, name, portfolio_id, lifecycle, lifecycle_changed_at, created_at, updated_at)
  $(n 20000) SELECT i, 'tjanst-' || i, 'Tjänst ' || i, (i % 100) + 1, 'in_operation', '$OLD', '$OLD', '$OLD' FROM n;
INSERT INTO people (id, sub, created_at, updated_at)
  $(n 1100) SELECT i, 'person-' || i || '@sunet.se', '$NOW', '$NOW' FROM n;
INSERT INTO role_assignments (person_id, role, portfolio_id, delegations, created_by, accepted_at, created_at, updated_at)
  $(n 100) SELECT i, 'service_owner', i, '', 'bench', '$OLD', '$OLD', '$OLD' FROM n;
INSERT INTO role_assignments (person_id, role, service_id, delegations, created_by, accepted_at, created_at, updated_at)
  $(n 20000) SELECT 101 + (i % 1000), 'service_manager', i, '', 'bench', '$OLD', '$OLD', '$OLD' FROM n;
INSERT INTO information_systems (id, slug, name, kind, description, lifecycle, hosting, responsible,
    external_refs, reviewed_at, search_text, created_at, updated_at)
  $(n 10000) SELECT i, 'system-' || i, 'System ' || i,
    CASE i % 6 WHEN 0 THEN 'application' WHEN 1 THEN 'component' WHEN 2 THEN 'network'
      WHEN 3 THEN 'infrastructure' WHEN 4 THEN 'data_store' ELSE 'external_service' END,
    '', 'in_use', 'sunet', 'person-' || ((i % 100) + 1) || '@sunet.se', '[]', '$NOW',
    'system-' || i, '$NOW', '$NOW' FROM n;
-- Up to five dependencies per system, each on a system with a lower id: a graph without cycles.
INSERT INTO system_dependencies (information_system_id, depends_on_id, created_by, created_at)
  $(n 10000), $(m 5)
  SELECT DISTINCT i, (((i * 2654435761 + k * 40503) % 1000003) % (i - 1)) + 1, 'bench', TS_('$NOW') FROM n, m WHERE i > 1;
-- Five per service, on systems spread over the whole range.
INSERT INTO service_dependencies (service_id, information_system_id, criticality, created_by, created_at)
  $(n 20000), $(m 5)
  SELECT DISTINCT i, ((i * 13 + k * 1999) % 10000) + 1,
    CASE k % 3 WHEN 0 THEN 'critical' WHEN 1 THEN 'important' ELSE 'supporting' END, 'bench', TS_('$NOW') FROM n, m;
COMMIT;
SQL
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  for table in portfolios services people role_assignments information_systems system_dependencies service_dependencies; do
    echo "SELECT setval(pg_get_serial_sequence('$table', 'id'), (SELECT max(id) FROM $table));"
  done | sql > /dev/null
fi
echo "ANALYZE;" | sql
echo "seeded in $(( $(date +%s) - seed_start )) s: $(echo 'SELECT count(*) FROM information_systems;' | sql) systems, $(echo 'SELECT count(*) FROM system_dependencies;' | sql) system dependencies, $(echo 'SELECT count(*) FROM service_dependencies;' | sql) service dependencies"

serve_ready
LG=$("$BIN" token --sub lg@sunet.se --role management_group)
U="http://127.0.0.1:$PORT/api/v1"
impact_of() { curl -s -H "Authorization: Bearer $LG" "$U/information-systems/$1/impact?limit=1" | sed -E 's/.*"count":([0-9]+).*/\1/'; }
curl -s -H "Authorization: Bearer $LG" "$U/information-systems/system-5000/impact" > /dev/null  # warm up
echo "== GET /health/live (reference): $(timed "$LG" "http://127.0.0.1:$PORT/health/live")"
for system in system-9000 system-5000 system-500 system-1; do
  echo "== impact of $system ($(impact_of $system) services), first page: $(timed "$LG" "$U/information-systems/$system/impact")"
done
# After a dependency this instance wrote: the change is made in its copy of the graph.
after_write=$(for i in $(seq 1 "$REPEAT"); do
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $LG" -H 'Content-Type: application/json' \
    -d "{\"depends_on_id\": $((9000 + i))}" "$U/information-systems/system-$((9500 + i))/dependencies"
  curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $LG" "$U/information-systems/system-1/impact"
done | sort -n | awk '{t[NR]=$1*1000} END {printf "median %.1f ms, worst %.1f ms", t[int((NR+1)/2)], t[NR]}')
echo "== impact of system-1 right after this instance added a dependency: $after_write"
# After another instance's change (its generation moved in the database): the graph is read again.
after_other=$(for i in $(seq 1 "$REPEAT"); do
  echo "UPDATE dependency_graph SET generation = generation + 1;" | sql
  curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $LG" "$U/information-systems/system-1/impact"
done | sort -n | awk '{t[NR]=$1*1000} END {printf "median %.1f ms, worst %.1f ms", t[int((NR+1)/2)], t[NR]}')
echo "== impact of system-1 right after another instance's change (graph read again): $after_other"
echo "== impact of system-5000, services in operation: $(timed "$LG" "$U/information-systems/system-5000/impact?lifecycle=in_operation")"
echo "== dependencies of tjanst-777 through systems: $(timed "$LG" "$U/services/tjanst-777/dependencies?transitive=true")"
echo "== a dependency refused as a cycle (system-1 on system-10000, 422): $(timed "$LG" "$U/information-systems/system-1/dependencies" -X POST -H 'Content-Type: application/json' -d '{"depends_on_id": 10000}')"
echo "== a system and what it depends on: $(timed "$LG" "$U/information-systems/system-5000")"
echo "== systems a portfolio's services use, first page: $(timed "$LG" "$U/information-systems?portfolio=portfolj-7")"
size=$(curl -s -H "Authorization: Bearer $LG" "$U/architecture" | wc -c)
REPEAT=3 && echo "== the architecture with the IT environment ($((size / 1024 / 1024)) MiB): $(timed "$LG" "$U/architecture")"
echo "resident memory: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MiB", $1/1024}')"
