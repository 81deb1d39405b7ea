#!/bin/bash
# Tests/sql/run.sh — builds a scratch database (`crmsync migrate` from a built .build/debug + demo seed), runs
# every *_test.sql here and the policy audit against it, and drops it.
#   PGHOST=/work/main/.local/pg/run PGPORT=54329 PGUSER=postgres Tests/sql/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=crmsync_sqltest_$$
createdb "$DB"
trap 'dropdb --if-exists "$DB"' EXIT
# The migrator (migrations, then functions, views, triggers and policies), as `make test` runs it.
DATABASE_URL="postgresql:///$DB?host=${PGHOST:-}&port=${PGPORT:-5432}&user=${PGUSER:-postgres}" \
  .build/debug/crmsync migrate >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" <<'SQL'
begin;
select set_config('crmsync.token_key', '0123456789abcdef0123456789abcdef', true) \g /dev/null
\i demo/seed.sql
commit;
SQL
for t in Tests/sql/*_test.sql; do
  psql -X -v ON_ERROR_STOP=1 -d "$DB" -f "$t" 2>&1 | grep -E 'ok  |FAIL|ERROR|=='
done
problems=$(psql -X -At -d "$DB" -c "select count(*) from ($(sed 's/;\s*$//' policies/audit.sql)) a where problem is not null")
echo "policy audit problems: $problems"
[ "$problems" = 0 ]
