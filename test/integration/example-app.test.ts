// examples/app as an application repository's CI runs it (docs/your-repository.md): execbench/ci.sh, the one script
// its workflow runs, builds a fresh database on the test server from the example's migrations and fill.sql (with
// psql), then judges it with execbench from this checkout: the team's own query, its copy of the document, plan
// contracts only. As shipped it passes; a migration that drops the index the team query expects fails it, naming
// both. The example's workflow passes the workflow linter that checks .github/workflows/bench.yml.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunResults } from '../../src/results.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = path.join(ROOT, 'examples/app');
const WORKFLOW = path.join(APP, '.github/workflows/execbench.yml');
const LINTER = path.join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');
/** The team's query (examples/app/execbench/queries/, another file's subject) and the index it expects. */
const QUERY_ID = 'slowest-workflow-runs-24h';
const DOCUMENTED_INDEX = 'idx_executions_tenant_env_workflow_started';
/** The team's own name for that index (migrations/000002_execution_list_indexes.up.sql). */
const THEIR_INDEX = 'executions_workflow_recent_idx';

/**
 * execbench/ci.sh from the app's root, as the workflow's step runs it. EXECBENCH_DIR points at this checkout, as the
 * workflow points it at its second checkout: ci.sh then runs `node $EXECBENCH_DIR/bin/execbench.js` (not
 * `node --import tsx`: that resolves tsx from the app's folder, which has no node_modules of its own).
 */
function runCi(app: string, databaseUrl: string, reportDir: string, jobSummary: string) {
  // The parent's EXECBENCH_* settings (a pinned major, a cache folder) are not CI's: the script gets none of them.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('EXECBENCH') && key !== 'DATABASE_URL'));
  const r = spawnSync('execbench/ci.sh', [], {
    cwd: app, encoding: 'utf8', timeout: 120_000,
    env: { ...env, DATABASE_URL: databaseUrl, EXECBENCH_DIR: ROOT, EXECBENCH_REPORT_DIR: reportDir, GITHUB_STEP_SUMMARY: jobSummary },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}\n${r.stderr}` };
}

/** ci.sh applies the migrations with psql: without it the test fails saying so (it is not skipped). */
function requirePsql(): void {
  const r = spawnSync('psql', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error('psql is not on the PATH: examples/app/execbench/ci.sh applies the migrations with it. Install the PostgreSQL client (apt-get install postgresql-client).');
  }
}

function lint(file: string) {
  const r = spawnSync(process.execPath, [LINTER, file], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

const readResults = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResults;

let shipped: TestDatabase;
let dropped: TestDatabase;
let tmp: string;
before(async () => {
  shipped = await createTestDatabase('example_app');
  dropped = await createTestDatabase('example_app_drop');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'execbench-example-app-'));
});
after(async () => {
  await shipped?.drop();
  await dropped?.drop();
});
stopTestServerAfterAll();

describe('examples/app: an application repository runs execbench on its own migrations and queries', () => {
  it('.github/workflows/execbench.yml passes the workflow linter, runs ci.sh on pull requests touching the table, and the linter can fail it', () => {
    const r = lint(WORKFLOW);
    assert.equal(r.code, 0, `action-validator rejected ${path.relative(ROOT, WORKFLOW)}:\n${r.output}`);
    const text = readFileSync(WORKFLOW, 'utf8');
    for (const watched of ['migrations/**', 'execbench/**', 'docs/execution-indexes.md']) assert.ok(text.includes(`- '${watched}'`), `paths: filter on ${watched}`);
    assert.match(text, /^ {8}image: postgres:15$/m);
    assert.match(text, /^ {8}run: execbench\/ci\.sh$/m);
    // The uploaded folder is the one ci.sh is told to write.
    assert.match(text, /EXECBENCH_REPORT_DIR: \$\{\{ github\.workspace \}\}\/execbench-report\n/);
    assert.match(text, /path: execbench-report\/\n/);
    const broken = path.join(tmp, 'execbench.yml');
    writeFileSync(broken, text.replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest'));
    const bad = lint(broken);
    assert.notEqual(bad.code, 0);
    assert.match(bad.output, /runs_on/);
  });

  it('as shipped: exit 0; their indexes mapped by definition; the team query ran and passed on their index; summary.md in the report folder and the job summary', () => {
    requirePsql();
    const reports = path.join(tmp, 'shipped');
    const jobSummary = path.join(tmp, 'shipped-job-summary.md');
    const r = runCi(APP, shipped.connectionString, reports, jobSummary);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /execbench\/ci\.sh: applying migrations\/000004_execution_payload_search\.up\.sql\n/);
    assert.doesNotMatch(r.stdout, /\.down\.sql/, 'down migrations are not applied');
    assert.match(r.stdout, /Gate: PASSED \(exit 0\)/);
    // --spec: the scenarios were checked against the team's copy of the document.
    assert.match(r.stdout, /Document docs\/execution-indexes\.md: checked against the \d+ scenarios that quote it \(\d+ statements/);

    const results = readResults(reports);
    assert.equal(results.target?.table, 'public.executions');
    const map = results.target!.indexMap;
    const entry = map.entries.find((e) => e.documented === DOCUMENTED_INDEX)!;
    assert.deepEqual([entry.match, entry.theirs], ['same', THEIR_INDEX], 'their index stands for the documented one');
    assert.ok(map.extra.some((x) => x.name === 'executions_payload_search_idx'), 'their index the document lacks is listed');
    assert.ok(map.entries.every((e) => e.match !== 'missing'), JSON.stringify(map.entries.filter((e) => e.match === 'missing')));

    const mine = results.scenarios.find((s) => s.scenarioId === QUERY_ID)!;
    assert.ok(mine, `${QUERY_ID} ran`);
    assert.equal(mine.origin, 'team');
    assert.equal(mine.outcome.status, 'passed', JSON.stringify(mine.outcome));
    assert.ok(mine.latency && mine.latency.client.samples > 0, 'it was executed and timed');
    assert.ok(mine.plan!.indexes.some((u) => u.index === THEIR_INDEX), JSON.stringify(mine.plan?.indexes));
    assert.equal(mine.warnings, undefined, 'the fill has rows in its last 24 hours');
    assert.match(r.stdout, new RegExp(`- \\[pass\\] ${QUERY_ID} table: your limit p95 50 ms client \\(execbench/queries/${QUERY_ID}\\.ts\\)`));

    const summary = readFileSync(path.join(reports, 'summary.md'), 'utf8');
    assert.match(summary, /### Your queries/);
    assert.ok(summary.includes(`\`${QUERY_ID}\``), 'summary.md names the team query');
    assert.ok(readFileSync(jobSummary, 'utf8').includes(summary), 'summary.md is appended to $GITHUB_STEP_SUMMARY');
    // In this checkout the query files import 'execbench' from the package itself: ci.sh links nothing here.
    assert.ok(!existsSync(path.join(APP, 'node_modules')), 'nothing written into examples/app');
  });

  it(`a migration dropping ${THEIR_INDEX} -> exit 1, the gate naming ${QUERY_ID} and ${DOCUMENTED_INDEX}`, () => {
    requirePsql();
    // The copy sits outside this checkout and has no package.json: Node's default (CommonJS) scope, as in many
    // application repositories, where execbench's bin must still load the .ts query file.
    const app = path.join(tmp, 'app');
    cpSync(APP, app, { recursive: true, filter: (from) => !/[/\\](node_modules|execbench-report)$/.test(from) });
    writeFileSync(path.join(app, 'migrations/000005_drop_workflow_recent_idx.up.sql'),
      `-- "The workflow page is fast enough without it."\nDROP INDEX ${THEIR_INDEX};\n`);
    const reports = path.join(tmp, 'dropped');
    const r = runCi(app, dropped.connectionString, reports, path.join(tmp, 'dropped-job-summary.md'));
    assert.equal(r.code, 1, r.output);
    // Outside this checkout 'execbench' resolves through the link ci.sh makes, as on a CI runner.
    assert.equal(realpathSync(path.join(app, 'node_modules/execbench')), realpathSync(ROOT));
    assert.match(r.stderr, new RegExp(`${DOCUMENTED_INDEX} -> \\(none\\): MISSING`));
    const gate = r.stdout.slice(r.stdout.indexOf('Gate: FAILED (exit 1):'));
    assert.ok(gate.length > 0, r.stdout);
    assert.match(gate, new RegExp(`- ${QUERY_ID} table your query: contracts: index-missing: public\\.executions has no index standing for the document's ${DOCUMENTED_INDEX} `));
    assert.match(r.stdout, new RegExp(`- \\[FAIL: no-index\\] ${QUERY_ID} table: your limit`));

    const mine = readResults(reports).scenarios.find((s) => s.scenarioId === QUERY_ID)!;
    assert.equal(mine.outcome.status, 'failed');
    assert.ok(mine.outcome.status === 'failed' && mine.outcome.violations.some((v) => v.kind === 'index-missing' && v.index === DOCUMENTED_INDEX), JSON.stringify(mine.outcome));
    assert.match(readFileSync(path.join(reports, 'summary.md'), 'utf8'), /❌ the gate fails/);
  });
});
