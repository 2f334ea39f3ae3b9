#!/usr/bin/env bash
# The contract-coverage report at scale (issue: contracts and customers): 50 portfolios, 5,000
# services, 2,000 customers, 50,000 contracts and 100,000 deliveries, seeded by SQL; then the
# report's first page, timed with curl, for the controller (everything) and for a TÄ (one
# portfolio), beside the same binary's /health/live as the reference of this run.
#
#   bench/coverage.sh                                                   # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SCHEMA=bench_coverage bench/coverage.sh
#
# Needs curl, and sqlite3 or psql.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18081}
REPEAT=${REPEAT:-30}
source bench/lib.sh

seeded_database bench_coverage

"$BIN" migrate
day() { date -u -d "$1" +%F; }
PAST=$(day "-40 days"); SOON=$(day "+45 days"); FAR=$(day "+3 years")
START=$(day "-2 years"); NOW=$(date -u '+%F %T')

echo "seeding ..."
seed_start=$(date +%s)
sql <<SQL
BEGIN;
INSERT INTO portfolios (id, slug, name, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
  SELECT i, 'portfolj-' || i, 'Portfölj ' || i, '$NOW', '$NOW' FROM n;
INSERT INTO services (id, slug, name, portfolio_id, lifecycle, lifecycle_changed_at, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
  SELECT i, 'tjanst-' || i, 'Tjänst ' || i, (i % 50) + 1, 'in_operation', '$NOW', '$NOW', '$NOW' FROM n;
INSERT INTO organizations (id, slug, name, kind, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
  SELECT i, 'larosate-' || i, 'Lärosäte ' || i, 'customer', '$NOW', '$NOW' FROM n;
-- A quarter expired, one in ten terminated, some expiring soon, the rest running for years.
INSERT INTO contracts (id, kind, organization_id, title, reference, start_date, end_date,
    annual_value_minor, currency, terminated_on, termination_reason, current_term_end,
    notice_deadline, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000),
  e(i, end_date) AS (SELECT i, CASE WHEN i % 4 = 0 THEN '$PAST' WHEN i % 7 = 0 THEN '$SOON' ELSE '$FAR' END FROM n)
  SELECT i, 'customer', (i % 2000) + 1, 'Avtal ' || i, 'VR-' || i, '$START', DATE_(end_date),
    100000 + i, 'SEK', CASE WHEN i % 10 = 1 THEN DATE_('$PAST') END,
    CASE WHEN i % 10 = 1 THEN 'Uppsagt' END, DATE_(end_date), DATE_(end_date),
    '$NOW', '$NOW'
  FROM e;
INSERT INTO contract_services (contract_id, service_id, share_percent)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)
  SELECT i, ((i * 7) % 5000) + 1, 100 FROM n;
-- Each delivery is of its contract's service and organisation; one in five has no contract, one
-- in twenty has ended.
INSERT INTO deliveries (id, service_id, organization_id, contract_id, start_date, end_date, created_at, updated_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000),
  c(i, contract) AS (SELECT i, ((i - 1) % 50000) + 1 FROM n)
  SELECT i, ((contract * 7) % 5000) + 1, (contract % 2000) + 1,
    CASE WHEN i % 5 = 0 THEN NULL ELSE contract END, DATE_('$START'),
    CASE WHEN i % 20 = 0 THEN DATE_('$PAST') END, '$NOW', '$NOW'
  FROM c;
INSERT INTO people (id, sub, created_at, updated_at) VALUES (1, 'ta1@sunet.se', '$NOW', '$NOW');
INSERT INTO role_assignments (person_id, role, portfolio_id, delegations, created_by, created_at, updated_at)
  VALUES (1, 'service_owner', 2, '', 'bench', '$NOW', '$NOW');
COMMIT;
SQL
echo "ANALYZE;" | sql
echo "seeded in $(( $(date +%s) - seed_start )) s"

serve_ready
CONTROLLER=$("$BIN" token --sub controller@sunet.se --role controller)
TA=$("$BIN" token --sub ta1@sunet.se)
U="http://127.0.0.1:$PORT"

curl -s -H "Authorization: Bearer $CONTROLLER" "$U/api/v1/contracts?limit=1" > /dev/null  # warm up
echo "== GET /health/live (reference): $(timed "$CONTROLLER" "$U/health/live")"
for who in CONTROLLER TA; do
  token=${!who}
  count=$(curl -s -H "Authorization: Bearer $token" "$U/api/v1/reports/contract-coverage?limit=1" \
    | sed -E 's/^\{"count":([0-9]+).*/\1/')
  echo "== coverage report, first page of 50, as $who ($count uncovered): $(timed "$token" "$U/api/v1/reports/contract-coverage")"
done
echo "== contracts?status=expiring, as CONTROLLER: $(timed "$CONTROLLER" "$U/api/v1/contracts?status=expiring")"
echo "== contracts?notice_within_days=60, as TA: $(timed "$TA" "$U/api/v1/contracts?notice_within_days=60")"
echo "== deliveries?covered=false&limit=50, as TA: $(timed "$TA" "$U/api/v1/deliveries?covered=false")"
echo "resident memory: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MiB", $1/1024}')"
