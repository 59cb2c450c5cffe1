// A team's own query, as a team runs it: `execbench run --queries <folder>` as a child process against the test
// server (--database-url). The worked example of docs/add-a-query.md runs and is judged on its own limit; a query
// with an impossible limit fails as the query's failure, never as a finding about the document; a query whose
// parameters match nothing is warned about; bad query files fail before anything starts (exit 3, one line).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunResults } from '../../src/results.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = 'examples/app/execbench/queries';
const EXAMPLE_ID = 'slowest-workflow-runs-24h';
const INDEX = pathToFileURL(path.join(ROOT, 'src/index.ts')).href;

function execbench(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).at(-1) ?? '';

const folders: string[] = [];

/** A folder of query files outside the project, as a team's app would hold them. */
function queryFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'execbench-team-'));
  folders.push(dir);
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const query = (fields: string) => `import { defineQuery } from '${INDEX}';\nexport default defineQuery({\n${fields}\n});\n`;

let db: TestDatabase;
let tmp: string;
before(async () => {
  db = await createTestDatabase('team_query');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'execbench-team-out-'));
});
after(async () => {
  await db?.drop();
  for (const dir of [tmp, ...folders]) if (dir) rmSync(dir, { recursive: true, force: true });
});
stopTestServerAfterAll();

// --yes: execbench may create its own schemas on a server it did not start (the test server, through --database-url).
const quick = () => ['--database-url', db.connectionString, '--yes', '--scale', '20000', '--time-budget', '100ms', '--no-audit'];

describe('execbench run --queries', () => {
  it('runs the worked example on its own limit: labelled yours, not derived, no finding, the data\'s now printed', () => {
    const out = path.join(tmp, 'example');
    const r = execbench(['run', '--queries', EXAMPLE, '--scenario', EXAMPLE_ID, ...quick(), '--json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as RunResults;
    assert.deepEqual(results.options.queries, [EXAMPLE]);
    assert.equal(results.scenarios.length, 1);
    const mine = results.scenarios[0]!;
    assert.equal(mine.scenarioId, EXAMPLE_ID);
    assert.equal(mine.origin, 'team');
    assert.equal(mine.outcome.status, 'passed', JSON.stringify(mine.outcome));
    assert.ok(mine.latency && mine.latency.client.samples > 0, 'it ran and was timed');
    assert.deepEqual(mine.threshold, { p95Ms: 50, clock: 'client', derived: false, source: `your limit, ${EXAMPLE}/${EXAMPLE_ID}.ts` });
    assert.ok(mine.plan!.indexes.some((u) => u.index === 'idx_executions_tenant_env_workflow_started'), 'its expected index is used');
    assert.equal(mine.warnings, undefined, 'the example finds rows in the last 24 h of the synthetic data');
    assert.deepEqual(results.findings, []);
    assert.equal(results.datasets[0]!.anchor, '2026-11-01T00:00:00.000Z');
    // The console (stderr with --json): the limit as the team's, the query apart from the spec findings.
    assert.match(r.stderr, /execbench: synthetic data: now is 2026-11-01T00:00:00\.000Z \(pick\.anchor\(\)\); started_at spans the 90 days before it/);
    const row = r.stderr.split('\n').find((l) => l.startsWith(EXAMPLE_ID))!;
    assert.match(row, /your query\s+pass\s+client .* 50 yours /);
    assert.match(r.stderr, new RegExp(`Your queries \\(1; --queries, judged on your own limits, never spec findings\\):\\n- \\[pass\\] ${EXAMPLE_ID} 20000: your limit p95 50 ms client \\(${EXAMPLE}/${EXAMPLE_ID}\\.ts\\)`));
    assert.match(r.stderr, /Spec findings: none\./);
    assert.doesNotMatch(row, /\*/, 'never starred as derived');
  });

  it('a query with an impossible limit fails as the query\'s failure, not a document finding; one matching nothing is warned about', () => {
    const mine = queryFolder({
      'impossible-limit.ts': query(`  title: 'Recent runs, impossibly fast',
  kind: 'read',
  sql: 'SELECT * FROM executions WHERE tenant_id = $1 AND environment_id = $2 AND started_at IS NOT NULL ORDER BY started_at DESC LIMIT 50',
  params: (pick) => [pick.tenant(), pick.environment()],
  expect: { indexes: ['idx_executions_tenant_env_started'] },
  limits: { p95Ms: 0.001, clock: 'client' },`),
      // "Since the real today" on data whose now is 2026-11-01: matches nothing.
      'runs-since-2099.ts': query(`  title: 'Runs after 2099',
  kind: 'read',
  sql: 'SELECT id FROM executions WHERE tenant_id = $1 AND started_at >= $2 ORDER BY started_at LIMIT 10',
  params: (pick) => [pick.tenant(), '2099-01-01T00:00:00Z'],
  limits: { p95Ms: 50, clock: 'client' },`),
    });
    const out = path.join(tmp, 'failing');
    const r = execbench(['run', '--queries', `${EXAMPLE},${mine}`, '--scenario', 'impossible-limit', '--scenario', 'runs-since-2099', ...quick(), '--out', out]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Gate: FAILED \(exit 1\):\n {2}- impossible-limit 20000 your query: thresholds: threshold: client p95 /);
    assert.match(r.stdout, /Spec findings: none\./);
    assert.match(r.stdout, /Your queries \(2, 1 failing; --queries, judged on your own limits, never spec findings\):/);
    assert.match(r.stdout, new RegExp(`- \\[FAIL: p95\\] impossible-limit 20000: your limit p95 0\\.001 ms client \\(${mine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/impossible-limit\\.ts\\)`));
    const warning = "returned no rows at 20000: its parameters matched nothing in the data; the synthetic data's now is 2026-11-01T00:00:00.000Z (pick.anchor())";
    assert.ok(r.stdout.includes(`- [pass] runs-since-2099 20000: your limit p95 50 ms client (${mine}/runs-since-2099.ts)`), r.stdout);
    assert.ok(r.stdout.includes(`\n    warning: ${warning}\n`), r.stdout);
    // What the run says about the team's queries never calls them the document's.
    const teamBlock = r.stdout.slice(r.stdout.indexOf('Your queries ('), r.stdout.indexOf('\n\n', r.stdout.indexOf('Your queries (')));
    const gate = r.stdout.slice(r.stdout.indexOf('Gate: FAILED'));
    assert.doesNotMatch(teamBlock + gate, /document|spec finding(?!s\))|derived/);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResults;
    assert.deepEqual(results.findings, [], 'a team query is never a finding');
    const failing = results.scenarios.find((s) => s.scenarioId === 'impossible-limit')!;
    assert.equal(failing.origin, 'team');
    assert.equal(failing.outcome.status, 'failed');
    assert.deepEqual(results.scenarios.find((s) => s.scenarioId === 'runs-since-2099')!.warnings, [warning]);
  });
});

describe('--data-shape', () => {
  it('a shape with another now reseeds, is printed and recorded, and a pick-relative window follows it', () => {
    const shape = path.join(tmp, 'shape.json');
    writeFileSync(shape, JSON.stringify({ time: { anchor: '2025-06-01T00:00:00.000Z' } }));
    // The default shape's dataset first (reused when the tests above seeded it), so the shaped run has one to replace.
    const plain = execbench(['run', '--queries', EXAMPLE, '--scenario', EXAMPLE_ID, ...quick(), '--out', path.join(tmp, 'unshaped')]);
    assert.equal(plain.code, 0, plain.stderr);
    const r = execbench(['run', '--queries', EXAMPLE, '--scenario', EXAMPLE_ID, ...quick(), '--data-shape', shape, '--json', '--out', path.join(tmp, 'shaped')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`execbench: synthetic data: now is 2025-06-01T00:00:00\\.000Z \\(pick\\.anchor\\(\\)\\); started_at spans the 90 days before it; shape ${shape.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} over the default`));
    assert.match(r.stderr, /seed 20000: rebuilding execbench_20000: it was built for different inputs/, 'a changed shape reseeds');
    const results = JSON.parse(r.stdout) as RunResults;
    assert.equal(results.datasets[0]!.anchor, '2025-06-01T00:00:00.000Z');
    assert.equal(results.options.dataShape, shape);
    const mine = results.scenarios[0]!;
    assert.equal(mine.warnings, undefined, 'pick.daysBeforeAnchor(1) moved with the data: rows found');
    assert.ok(mine.params.includes('2025-05-31T00:00:00.000Z'), mine.params.join(', '));
  });

  it('a bad shape file -> exit 3 naming it and the field, nothing started', () => {
    const shape = path.join(tmp, 'bad-shape.json');
    writeFileSync(shape, JSON.stringify({ status: { eror: 0.1 } }));
    const r = execbench(['run', '--database-url', 'postgres://nobody@127.0.0.1:1/none', '--data-shape', shape]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(lastLine(r.stderr), /^execbench: --data-shape '.*bad-shape\.json': unknown field 'status\.eror'; status has error, running, waiting \(docs\/data-shape\.md lists the fields\)\.$/);
  });
});

describe('bad query files: exit 3, one line naming the file, nothing started', () => {
  // An unreachable server: had anything been started, the exit would be 2.
  const nowhere = ['--database-url', 'postgres://nobody@127.0.0.1:1/none', '--scale', '20000'];
  const base = `  title: 'Mine',
  kind: 'read',
  sql: 'SELECT * FROM executions WHERE tenant_id = $1 AND started_at >= $2',`;

  it('a helper that does not exist -> file:line', () => {
    const dir = queryFolder({ 'bad-helper.ts': query(`${base}
  params: (pick) => [pick.tenant(), pick.hoursBeforeAnchor(24)],
  limits: { p95Ms: 50, clock: 'client' },`) });
    const r = execbench(['run', '--queries', dir, ...nowhere, '--out', path.join(tmp, 'bad-helper')]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(lastLine(r.stderr), new RegExp(`^execbench: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/bad-helper\\.ts:6: pick\\.hoursBeforeAnchor is not a picker helper; the helpers are tenant, environment, `));
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('execbench:')).length, 1);
    assert.equal(existsSync(path.join(tmp, 'bad-helper')), false, 'nothing written');
  });

  it("a query file outside any execbench install imports 'execbench' and loads (ESM and CommonJS folders): was 'Cannot find module'", () => {
    const text = readFileSync(path.join(ROOT, EXAMPLE, `${EXAMPLE_ID}.ts`), 'utf8');
    assert.match(text, /from 'execbench'/);
    for (const packageJson of [undefined, '{"type":"module"}\n']) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'execbench-bare-'));
      folders.push(dir);
      if (packageJson) writeFileSync(path.join(dir, 'package.json'), packageJson);
      writeFileSync(path.join(dir, `${EXAMPLE_ID}.ts`), text);
      const r = execbench(['run', '--queries', dir, '--scenario', EXAMPLE_ID, ...nowhere]);
      // Loaded and checked: what stops it is the unreachable server (exit 2), not the file.
      assert.equal(r.code, 2, r.stderr);
      assert.match(lastLine(r.stderr), /Cannot reach Postgres at 127\.0\.0\.1:1/);
    }
  });

  it('a typo in an expected index -> "no such index" naming it and the file', () => {
    const dir = queryFolder({ 'typo-index.ts': query(`${base}
  params: (pick) => [pick.tenant(), pick.daysBeforeAnchor(1)],
  expect: { indexes: ['idx_executions_tenant_started_acs'] },
  limits: { p95Ms: 50, clock: 'client' },`) });
    const r = execbench(['run', '--queries', dir, ...nowhere]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(lastLine(r.stderr), /typo-index\.ts:7: expect\.indexes names idx_executions_tenant_started_acs: no such index in the seeded schema \(schema\/\*\.sql, schema\/optional\/\*\.sql\) \(did you mean idx_executions_tenant_started_asc\?\)\. The indexes there: executions_pkey, /);
  });

  it('an id the built-in scenarios already use -> both files named; a missing folder -> named', () => {
    const dir = queryFolder({ 'recent-failures.ts': query(`${base}
  params: (pick) => [pick.tenant(), pick.daysBeforeAnchor(1)],
  limits: { p95Ms: 50, clock: 'client' },`) });
    const twice = execbench(['run', '--queries', dir, ...nowhere]);
    assert.equal(twice.code, 3, twice.stderr);
    assert.match(lastLine(twice.stderr), /^execbench: Scenario id 'recent-failures' is defined twice: scenarios\/recent-failures\.ts and .*recent-failures\.ts\. The file name is the id: rename one of them\.$/);
    const missing = execbench(['run', '--queries', path.join(dir, 'nope'), ...nowhere]);
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(lastLine(missing.stderr), /^execbench: --queries '.*nope' does not exist\. Give a folder of query files/);
    const empty = execbench(['run', '--queries', '', ...nowhere]);
    assert.equal(empty.code, 3, empty.stderr);
    assert.match(lastLine(empty.stderr), /^execbench: --queries was given no value/);
  });
});
