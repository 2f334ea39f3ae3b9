#!/usr/bin/env bash
# Onboarding at the issue's scale: a contract register of 10,000 rows (semicolon-separated, as
# Swedish Excel saves it) imported in one request — dry run, for real, then again unchanged —
# against 1,000 services and 2,000 customers seeded by SQL. Each timed with curl beside the
# same binary's /health/live. KIND=needs imports a needs register instead: each need recorded,
# assessed, presented and decided (four writes and audit events a row).
#
#   bench/import.sh                                                         # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SCHEMA=bench_import bench/import.sh
#   KIND=needs bench/import.sh
#
# Needs curl, and sqlite3 or psql.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18085}
REPEAT=${REPEAT:-3}
ROWS=${ROWS:-10000}
KIND=${KIND:-contracts}
source bench/lib.sh

seeded_database bench_import
"$BIN" migrate
NOW=$(date -u '+%F %T')
n() { echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"; }
sql <<SQL
BEGIN;
INSERT INTO portfolios (id, slug, name, created_at, updated_at)
  $(n 10) SELECT i, 'portfolj-' || i, 'Portfölj ' || i, '$NOW', '$NOW' FROM n;
INSERT INTO services (id, slug, name, portfolio_id, lifecycle, lifecycle_changed_at, created_at, updated_at)
  $(n 1000) SELECT i, 'tjanst-' || i, 'Tjänst ' || i, (i % 10) + 1, 'in_operation', '$NOW', '$NOW', '$NOW' FROM n;
INSERT INTO organizations (id, slug, name, kind, search_text, created_at, updated_at)
  $(n 2000) SELECT i, 'kund-' || i, 'Kund ' || i || ' högskola', 'customer', 'kund ' || i, '$NOW', '$NOW' FROM n;
COMMIT;
SQL
if [[ "$database" == postgresql ]]; then
  for table in portfolios services organizations; do
    echo "SELECT setval(pg_get_serial_sequence('$table', 'id'), (SELECT max(id) FROM $table));"
  done | sql > /dev/null
fi
echo "ANALYZE;" | sql

FILE="$DATA/register.csv"
if [[ "$KIND" == needs ]]; then
  {
    printf '\xef\xbb\xbfreference;title;source_channel;source_organization_slug;source_date;value;urgency;estimated_cost;recommendation;presented_on;presentation_reference;outcome;decision_reason\r\n'
    seq 1 "$ROWS" | awk '{printf "BEH-2026-%05d;Behov nr %d från kundmöte;customer_meeting;kund-%d;2026-09-01;%d;%d;%d.00;pursue;2026-11-01;LG 2026-11-01 § %d;plan;Ryms i årets plan för förvaltningen\r\n", $1, $1, ($1 % 2000) + 1, ($1 % 5) + 1, ($1 % 3) + 1, 10000 * $1, $1}'
  } > "$FILE"
else
  {
    printf '\xef\xbb\xbfreference;kind;title;organization_slug;services;start_date;end_date;renewal;renewal_term_months;notice_period_months;annual_value_amount;annual_value_currency;responsible\r\n'
    seq 1 "$ROWS" | awk '{printf "KA %d-%05d;customer;Anslutningsavtal nr %d, Sunet;kund-%d;\"tjanst-%d 60%%; tjanst-%d 40%%\";2026-01-01;2026-12-31;automatic;12;3;%d.50;SEK;tjf-%d@sunet.se\r\n", 2026, $1, $1, ($1 % 2000) + 1, ($1 % 1000) + 1, (($1 + 500) % 1000) + 1, 1000 + $1, $1 % 50}'
  } > "$FILE"
fi

serve_ready
# The controller brings contracts in; a key account manager in the management group assesses,
# presents and decides needs that no portfolio holds yet.
LG=$("$BIN" token --sub controller@sunet.se --role controller --role management_group --role account_manager)
U="http://127.0.0.1:$PORT/api/v1"
import() {
  curl -s -o "$DATA/answer.json" -w '%{http_code} %{time_total}' -X POST -H "Authorization: Bearer $LG" \
    -H 'Content-Type: text/csv' --data-binary "@$FILE" "$U/imports?kind=$KIND$1"
}
echo "== GET /health/live (reference): $(timed "$LG" "http://127.0.0.1:$PORT/health/live")"
echo "== the file: $ROWS rows, $(( $(stat -c %s "$FILE") / 1024 )) KiB"
answer() { sed -E 's/.*"created":([0-9]+),"updated":([0-9]+),"unchanged":([0-9]+).*/created \1, updated \2, unchanged \3/' "$DATA/answer.json"; }
read -r status seconds <<< "$(import '&dry_run=true')"
echo "== dry run: $status in ${seconds} s ($(answer))"
read -r status seconds <<< "$(import '')"
echo "== import: $status in ${seconds} s ($(answer))"
for i in $(seq 1 "$REPEAT"); do
  read -r status seconds <<< "$(import '')"
  echo "== re-import, unchanged ($i): $status in ${seconds} s ($(answer))"
done
echo "$KIND: $(echo "SELECT count(*) FROM $KIND;" | sql), audit events: $(echo 'SELECT count(*) FROM audit_events;' | sql)"
echo "resident memory: $(ps -o rss= -p "$PID" | awk '{printf "%.1f MiB", $1/1024}')"
