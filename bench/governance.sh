#!/usr/bin/env bash
# The governance findings and the economics report at scale (issue: governance health §4):
# 100 portfolios, 10,000 services, 10,000 people and their assignments, 20,000 contracts (half
# in EUR), 20,000 deliveries, 100 approved plans with 10,000 activities and 5,000 change
# requests, seeded by SQL, with every rule broken somewhere. Then the findings report and the
# economics report, timed with curl, for the management group (everything) and a TÄ (one
# portfolio), beside the same binary's /health/live as the reference of this run.
#
#   bench/governance.sh                                                 # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SCHEMA=bench_governance bench/governance.sh
#
# Needs curl, and sqlite3 or psql.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18082}
REPEAT=${REPEAT:-20}
source bench/lib.sh

seeded_database bench_governance

"$BIN" migrate
day() { date -u -d "$1" +%F; }
YEAR=$(date -u +%Y)
START=$(day "-2 years"); SOON=$(day "+40 days"); FAR=$(day "+3 years")
NOW=$(date -u '+%F %T'); OLD=$(date -u -d "-2 years" '+%F %T'); LAST_MONTH=$(date -u -d "-40 days" '+%F %T')

echo "seeding ..."
seed_start=$(date +%s)
sql <<SQL
BEGIN;
INSERT INTO portfolios (id, slug, name, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
  SELECT i, 'portfolj-' || i, 'Portfölj ' || i, '$OLD', '$OLD' FROM n;
-- Nine in ten in operation; of those, reviews and classification kept in most, not all.
INSERT INTO services (id, slug, name, portfolio_id, lifecycle, lifecycle_changed_at, created_at, updated_at,
    support_process_established, ordering_routine, published, self_produced,
    catalog_reviewed_at, documentation_reviewed_at, security_confidentiality, security_integrity,
    security_availability, security_reviewed_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
  SELECT i, 'tjanst-' || i, 'Tjänst ' || i, (i % 100) + 1,
    CASE WHEN i % 10 = 0 THEN 'established' ELSE 'in_operation' END, '$OLD', '$OLD', '$OLD',
    BOOL_(i % 13 <> 0), CASE WHEN i % 17 <> 0 THEN 'Via portalen' END, BOOL_(i % 2 = 0), BOOL_(i % 5 = 0),
    CASE WHEN i % 11 <> 0 THEN TS_('$NOW') ELSE TS_('$OLD') END, CASE WHEN i % 19 <> 0 THEN TS_('$NOW') END,
    CASE WHEN i % 23 <> 0 THEN 2 END, CASE WHEN i % 23 <> 0 THEN 3 END, CASE WHEN i % 23 <> 0 THEN 2 END,
    CASE WHEN i % 29 <> 0 THEN TS_('$NOW') ELSE TS_('$OLD') END
  FROM n;
INSERT INTO people (id, sub, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
  SELECT i, 'person-' || i || '@sunet.se', '$NOW', '$NOW' FROM n;
-- A TÄ on 97 portfolios of 100; a TJF on most services, some never accepted.
INSERT INTO role_assignments (person_id, role, portfolio_id, delegations, created_by, accepted_at, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
  SELECT i, 'service_owner', i, '', 'bench', '$OLD', '$OLD', '$OLD' FROM n WHERE i % 33 <> 0;
INSERT INTO role_assignments (person_id, role, service_id, delegations, created_by, accepted_at, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
  SELECT i, 'service_manager', i, '', 'bench', CASE WHEN i % 31 <> 0 THEN TS_('$OLD') END, '$OLD', '$OLD'
  FROM n WHERE i % 37 <> 0;
INSERT INTO organizations (id, slug, name, kind, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  SELECT i, 'org-' || i, 'Organisation ' || i, CASE WHEN i <= 800 THEN 'customer' ELSE 'supplier' END, '$NOW', '$NOW' FROM n;
-- 10,000 customer contracts in SEK and 10,000 supplier contracts in EUR, some near notice.
INSERT INTO contracts (id, kind, organization_id, title, reference, start_date, end_date,
    annual_value_minor, currency, current_term_end, notice_deadline, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000),
  e(i, end_date) AS (SELECT i, CASE WHEN i % 9 = 0 THEN '$SOON' ELSE '$FAR' END FROM n)
  SELECT i, CASE WHEN i <= 10000 THEN 'customer' ELSE 'supplier' END,
    CASE WHEN i <= 10000 THEN (i % 800) + 1 ELSE 801 + (i % 200) END,
    'Avtal ' || i, 'AVT-' || i, DATE_('$START'), DATE_(end_date),
    CASE WHEN i <= 10000 THEN 5000000 + i ELSE 200000 + i END,
    CASE WHEN i <= 10000 THEN 'SEK' ELSE 'EUR' END, DATE_(end_date), DATE_(end_date), '$NOW', '$NOW'
  FROM e;
INSERT INTO contract_services (contract_id, service_id, share_percent)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
  SELECT i, ((i - 1) % 10000) + 1, 100 FROM n WHERE i % 41 <> 0;
INSERT INTO deliveries (id, service_id, organization_id, contract_id, start_date, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
  SELECT i, ((i - 1) % 10000) + 1, (i % 800) + 1, CASE WHEN i % 6 <> 0 THEN i END, DATE_('$START'), '$NOW', '$NOW' FROM n;
INSERT INTO exchange_rates (currency, year, sek_per_unit_micro, note, created_at, updated_at)
  VALUES ('EUR', $YEAR, 11425000, 'bench', '$NOW', '$NOW');
INSERT INTO budget_frames (portfolio_id, year, amount_minor, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
  SELECT i, $YEAR, 100000000, '$NOW', '$NOW' FROM n;
-- Approved plans for 95 portfolios, three deviating; 100 activities each.
INSERT INTO plans (id, portfolio_id, year, status, revision, summary, goals, approved_at, deviation,
    reported_deviations, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
  SELECT i, i, $YEAR, 'approved', 1, 'Plan', '', '$NOW', BOOL_(i % 31 = 0), '[]', '$NOW', '$NOW'
  FROM n WHERE i % 20 <> 0;
INSERT INTO plan_items (plan_id, title, service_id, category, priority, planned_cost_minor, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
  SELECT (i % 100) + 1, 'Aktivitet ' || i, CASE WHEN i % 4 <> 0 THEN ((i - 1) % 10000) + 1 END,
    'maintenance', 'medium', 1000000 + i, '$NOW', '$NOW'
  FROM n WHERE (i % 100) + 1 IN (SELECT id FROM plans);
INSERT INTO change_requests (service_id, title, description, status, submitted_by, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
  SELECT ((i * 3) % 10000) + 1, 'Önskemål ' || i, '', 'submitted', 'bench',
    CASE WHEN i % 8 = 0 THEN TS_('$LAST_MONTH') ELSE TS_('$NOW') END, '$NOW' FROM n;
COMMIT;
SQL
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  # Rows seeded with their ids leave the identity sequences behind.
  for table in portfolios services people role_assignments organizations contracts deliveries plans plan_items change_requests; do
    echo "SELECT setval(pg_get_serial_sequence('$table', 'id'), (SELECT max(id) FROM $table));"
  done | sql > /dev/null
fi
echo "ANALYZE;" | sql
echo "seeded in $(( $(date +%s) - seed_start )) s"

serve_ready
LG=$("$BIN" token --sub lg@sunet.se --role management_group)
TA=$("$BIN" token --sub person-2@sunet.se)
U="http://127.0.0.1:$PORT"

curl -s -H "Authorization: Bearer $LG" "$U/api/v1/reports/governance?limit=1" > /dev/null  # warm up
echo "== GET /health/live (reference): $(timed "$LG" "$U/health/live")"
for who in LG TA; do
  token=${!who}
  count=$(curl -s -H "Authorization: Bearer $token" "$U/api/v1/reports/governance?limit=1" \
    | sed -E 's/^\{"count":([0-9]+).*/\1/')
  echo "== governance findings, first page, as $who ($count findings): $(timed "$token" "$U/api/v1/reports/governance")"
  echo "== economics $YEAR, as $who: $(timed "$token" "$U/api/v1/reports/economics?year=$YEAR")"
done
echo "== findings per rule (LG):"
curl -s -H "Authorization: Bearer $LG" "$U/api/v1/reports/governance?limit=1" \
  | python3 -c 'import json,sys; [print("   ", t["rule"], t["findings"]) for t in json.load(sys.stdin)["totals"]["rules"]]'
echo "resident memory: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MiB", $1/1024}')"
