#!/bin/bash
# Tests/sql/run.sh — builds a scratch database (every migration + demo seed), runs
# every *_test.sql here and the policy audit against it, and drops it.
#   PGHOST=/work/main/.local/pg/run PGPORT=54329 PGUSER=postgres Tests/sql/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=crmsync_sqltest_$$
createdb "$DB"
trap 'dropdb --if-exists "$DB"' EXIT
for f in sql/*.sql $(ls policies/*.sql | grep -v '^policies/audit.sql$'); do
  psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$DB" -f "$f"
done
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
