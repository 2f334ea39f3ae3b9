#!/usr/bin/env bash
# The needs report at scale (needs issue §5): 100 portfolios, 10,000 services, 800 customers,
# 10,000 needs in every status (a fifth on a portfolio only, a tenth unplaced) and 50,000
# endorsements, seeded by SQL. Then, timed with curl beside the same binary's /health/live:
# the needs report (JSON, and the LG agenda as Markdown) for the management group (everything)
# and a TÄ (one portfolio), the first page of needs by demand, the realised filter, and the
# governance findings (which now include the need rules).
#
#   bench/needs.sh                                                      # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SCHEMA=bench_needs bench/needs.sh
#
# Needs curl, and sqlite3 or psql.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18083}
REPEAT=${REPEAT:-20}
source bench/lib.sh

seeded_database bench_needs
"$BIN" migrate
NOW=$(date -u '+%F %T'); OLD=$(date -u -d "-90 days" '+%F %T'); TODAY=$(date -u +%F)
n() { echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"; }

echo "seeding ..."
seed_start=$(date +%s)
sql <<SQL
BEGIN;
INSERT INTO portfolios (id, slug, name, created_at, updated_at)
  $(n 100) SELECT i, 'portfolj-' || i, 'Portfölj ' || i, '$OLD', '$OLD' FROM n;
INSERT INTO services (id, slug, name, portfolio_id, lifecycle, lifecycle_changed_at, created_at, updated_at)
  $(n 10000) SELECT i, 'tjanst-' || i, 'Tjänst ' || i, (i % 100) + 1,
    CASE WHEN i % 10 = 0 THEN 'established' ELSE 'in_operation' END, '$OLD', '$OLD', '$OLD' FROM n;
INSERT INTO people (id, sub, created_at, updated_at)
  $(n 100) SELECT i, 'person-' || i || '@sunet.se', '$NOW', '$NOW' FROM n;
INSERT INTO role_assignments (person_id, role, portfolio_id, delegations, created_by, accepted_at, created_at, updated_at)
  $(n 100) SELECT i, 'service_owner', i, '', 'bench', '$OLD', '$OLD', '$OLD' FROM n;
INSERT INTO organizations (id, slug, name, kind, created_at, updated_at)
  $(n 800) SELECT i, 'kund-' || i, 'Lärosäte ' || i, 'customer', '$NOW', '$NOW' FROM n;
-- Identified, assessed, presented, decided in turn; seven in ten on a service, two on a
-- portfolio only, one unplaced.
INSERT INTO needs (id, title, description, portfolio_id, service_id, channel, source_organization_id,
    source_date, status, created_by, value, urgency, recommendation, presented_on, presented_at,
    outcome, decision_reason, decided_by, decided_at, endorsement_count, search_text, created_at, updated_at)
  $(n 10000) SELECT i, 'Behov ' || i, 'Önskemål från lärosäte ' || ((i % 800) + 1),
    CASE WHEN i % 10 = 9 THEN NULL ELSE ((i * 7) % 100) + 1 END,
    CASE WHEN i % 10 < 7 THEN ((i * 7) % 100) + 1 + 100 * (i % 99) END,
    'customer_meeting', (i % 800) + 1, DATE_('$TODAY'),
    CASE i % 4 WHEN 0 THEN 'identified' WHEN 1 THEN 'assessed' WHEN 2 THEN 'presented' ELSE 'decided' END,
    'bench', CASE WHEN i % 4 > 0 THEN (i % 5) + 1 END, CASE WHEN i % 4 > 0 THEN ((i + 2) % 5) + 1 END,
    CASE WHEN i % 4 > 0 THEN 'pursue' END,
    CASE WHEN i % 4 > 1 THEN DATE_('$TODAY') END, CASE WHEN i % 4 > 1 THEN TS_('$OLD') END,
    CASE WHEN i % 4 = 3 THEN CASE i % 5 WHEN 0 THEN 'new_service' WHEN 1 THEN 'change' WHEN 2 THEN 'plan' WHEN 3 THEN 'deferred' ELSE 'declined' END END,
    CASE WHEN i % 4 = 3 THEN 'LG-beslut' END, CASE WHEN i % 4 = 3 THEN 'lg@sunet.se' END,
    CASE WHEN i % 4 = 3 THEN TS_('$NOW') END,
    0, 'behov ' || i, '$OLD', '$OLD' FROM n;
-- i % 11 endorsements of need i (0 to 10; 50,000 in all), by distinct customers.
INSERT INTO need_endorsements (need_id, organization_id, endorsed_by, created_at)
  $(n 10000), m(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM m WHERE j < 10)
  SELECT i, ((i * 7 + j * 97) % 800) + 1, 'bench', '$NOW' FROM n, m WHERE j <= i % 11
    AND ((i * 7 + j * 97) % 800) + 1 <> (i % 800) + 1;
UPDATE needs SET endorsement_count = (SELECT count(*) FROM need_endorsements e WHERE e.need_id = needs.id);
-- A decided need in four points at a plan activity-less change: a service link.
INSERT INTO need_links (need_id, service_id, created_by, created_at)
  SELECT id, ((id * 13) % 10000) + 1, 'bench', '$NOW' FROM needs WHERE status = 'decided' AND id % 8 = 3;
COMMIT;
SQL
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  for table in portfolios services people role_assignments organizations needs need_endorsements need_links; do
    echo "SELECT setval(pg_get_serial_sequence('$table', 'id'), (SELECT max(id) FROM $table));"
  done | sql > /dev/null
fi
echo "ANALYZE;" | sql
echo "seeded in $(( $(date +%s) - seed_start )) s: $(echo 'SELECT count(*) FROM needs;' | sql) needs, $(echo 'SELECT count(*) FROM need_endorsements;' | sql) endorsements"

serve_ready
LG=$("$BIN" token --sub lg@sunet.se --role management_group)
TA=$("$BIN" token --sub person-2@sunet.se)
U="http://127.0.0.1:$PORT"
curl -s -H "Authorization: Bearer $LG" "$U/api/v1/reports/needs" > /dev/null  # warm up
echo "== GET /health/live (reference): $(timed "$LG" "$U/health/live")"
for who in LG TA; do
  token=${!who}
  size=$(curl -s -H "Authorization: Bearer $token" "$U/api/v1/reports/needs" | wc -c)
  echo "== needs report as $who ($((size / 1024)) KiB): $(timed "$token" "$U/api/v1/reports/needs")"
done
echo "== LG agenda (Markdown): $(timed "$LG" "$U/api/v1/reports/needs" -H 'Accept: text/markdown')"
echo "== needs by demand, first page: $(timed "$LG" "$U/api/v1/needs?ordering=-endorsement_count")"
echo "== realised needs, first page: $(timed "$LG" "$U/api/v1/needs?realised=true")"
echo "== needs of one customer: $(timed "$LG" "$U/api/v1/needs?organization=kund-17")"
echo "== governance findings, first page (LG): $(timed "$LG" "$U/api/v1/reports/governance")"
echo "== findings of the rule need_unassessed (LG): $(timed "$LG" "$U/api/v1/reports/governance?rule=need_unassessed")"
echo "resident memory: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MiB", $1/1024}')"
