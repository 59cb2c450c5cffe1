#!/usr/bin/env bash
# execbench in CI: builds an empty database from our migrations, fills it with synthetic rows, and judges the
# executions table against our copy of the index document, with our own queries. The workflow
# (.github/workflows/execbench.yml) runs this; so can anyone, against a scratch database.
#
#   DATABASE_URL          an EMPTY database this script may write to (the CI service container). Required.
#   EXECBENCH_DIR         the execbench checkout (it is not on npm). Query files import 'execbench': when they
#                         cannot resolve it (no devDependency), node_modules/execbench is linked to this folder.
#   EXECBENCH             the command that runs execbench [default: node "$EXECBENCH_DIR/bin/execbench.js"];
#                         split on spaces, so its paths must not contain any.
#   EXECBENCH_REPORT_DIR  the report folder: summary.md, index.html, junit.xml, results.json [default: execbench-report]
# Arguments after the script's name are passed on to `execbench run`.
#
# Exit codes are execbench's: 0 every plan contract held, 1 one failed (the output names the query and the
# index), 2 harness error (also: psql missing or a migration failed), 3 bad input.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "execbench/ci.sh: $1" >&2; exit "${2:-2}"; }

[ -n "${DATABASE_URL:-}" ] || fail 'DATABASE_URL is not set: give it an empty database (postgres://user:password@host:5432/db).' 3
command -v psql >/dev/null 2>&1 || fail 'psql is not on the PATH: install the PostgreSQL client (apt-get install postgresql-client).'

if [ -z "${EXECBENCH:-}" ]; then
  [ -n "${EXECBENCH_DIR:-}" ] || fail 'set EXECBENCH_DIR to the execbench checkout (or EXECBENCH to the command that runs it).' 3
  EXECBENCH="node $EXECBENCH_DIR/bin/execbench.js"
fi
read -r -a execbench <<<"$EXECBENCH"

# The query files `import { defineQuery } from 'execbench'`. A repository with execbench as a devDependency
# resolves it already; otherwise link the checkout where Node looks for packages.
if ! (cd execbench/queries && node --input-type=module -e "import.meta.resolve('execbench')") >/dev/null 2>&1; then
  [ -n "${EXECBENCH_DIR:-}" ] || fail "execbench/queries cannot import 'execbench': set EXECBENCH_DIR to the execbench checkout, or add execbench as a devDependency." 3
  mkdir -p node_modules
  ln -sfn "$(cd "$EXECBENCH_DIR" && pwd)" node_modules/execbench
fi

# The migrations, in name order, as production applies them (golang-migrate's NNNNNN_name.up.sql; the .down.sql
# files are skipped). With Flyway or dbmate, run `flyway migrate` or `dbmate up` here instead: the CI database
# must be built by the same files that build production's.
shopt -s nullglob
migrations=(migrations/*.sql)
[ ${#migrations[@]} -gt 0 ] || fail 'no migrations/*.sql found.' 3
for file in "${migrations[@]}"; do
  case "$file" in *.down.sql) continue ;; esac
  echo "execbench/ci.sh: applying $file"
  psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -f "$file" || fail "migration $file failed (see psql's error above); DATABASE_URL must name an empty database."
done
# The planner's cost settings decide plans as much as the indexes do: the CI database gets production's. Ours runs
# on SSDs with random_page_cost = 1.1 (set yours: `SHOW random_page_cost; SHOW effective_cache_size;` on
# production). A service container's defaults (random_page_cost = 4, for spinning disks) make range queries that
# production serves from an index read the whole table instead, and the check would fail for a reason production
# does not have (seen on a stock PostgreSQL 15).
echo 'execbench/ci.sh: planner settings as production has them'
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c 'DO $$ BEGIN EXECUTE format($f$ALTER DATABASE %I SET random_page_cost = 1.1$f$, current_database()); EXECUTE format($f$ALTER DATABASE %I SET effective_cache_size = %L$f$, current_database(), $v$4GB$v$); END $$;' \
  || fail 'could not set the planner settings (ALTER DATABASE needs the database owner).'
echo 'execbench/ci.sh: filling execbench/fill.sql'
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -f execbench/fill.sql || fail 'execbench/fill.sql failed (see psql above).'

# --table: judge the table the migrations built, read-only, our index names mapped to the document's.
# --fail-on contracts,drift: gate on plans (index used, no Seq Scan, buffer bounds) and on our document agreeing
# with the queries execbench runs (--spec), not on a shared runner's latency.
exec "${execbench[@]}" run \
  --database-url "$DATABASE_URL" \
  --table public.executions \
  --queries execbench/queries \
  --spec docs/execution-indexes.md \
  --fail-on contracts,drift \
  --out "${EXECBENCH_REPORT_DIR:-execbench-report}" \
  "$@"
