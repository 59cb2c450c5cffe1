// execbench ab on a real server, as a user runs it: a repository whose working tree changes only a query's SQL, and
// a pull request that changes only an index, each caught in the plan half; unchanged code passes the plan half
// exactly; the dataset is left as it was; bad refs are one line and exit 3.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { AbDocument } from '../../src/ab/document.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = ['--import', 'tsx', path.join(ROOT, 'src/cli.ts')];
const SCENARIOS = ['paginated-listing', 'recent-failures', 'single-execution-lookup', 'status-filtered-error'];

let db: TestDatabase;
let repo: string;
let out: string;
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' }).trim();

function ab(args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, 'ab', '--repo', repo, '--database-url', db.connectionString, '--yes', '--scale', '3000', '--rounds', '10', '--time-budget', '200ms', ...args],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', GITHUB_STEP_SUMMARY: '' }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readDoc = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'ab.json'), 'utf8')) as AbDocument;
const form = (doc: AbDocument, id: string) => doc.forms.find((f) => f.scenarioId === id && f.gated)!;

async function datasetIndexes(): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.connectionString });
  await client.connect();
  try {
    return (await client.query<{ d: string }>(`SELECT indexname || ': ' || indexdef AS d FROM pg_indexes WHERE schemaname LIKE 'execbench\\_%' AND tablename = 'executions' ORDER BY 1`)).rows.map((r) => r.d);
  } finally {
    await client.end();
  }
}

before(async () => {
  db = await createTestDatabase('ab');
  repo = mkdtempSync(path.join(os.tmpdir(), 'execbench-ab-repo-'));
  out = mkdtempSync(path.join(os.tmpdir(), 'execbench-ab-out-'));
  mkdirSync(path.join(repo, 'scenarios'));
  for (const id of SCENARIOS) cpSync(path.join(ROOT, 'scenarios', `${id}.ts`), path.join(repo, 'scenarios', `${id}.ts`));
  cpSync(path.join(ROOT, 'schema'), path.join(repo, 'schema'), { recursive: true });
  symlinkSync(path.join(ROOT, 'src'), path.join(repo, 'src'));
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
});
after(async () => { await db?.drop(); });
stopTestServerAfterAll();

describe('execbench ab', { timeout: 900_000 }, () => {
  let before: string[];

  it('unchanged code: every plan half passes exactly, both sides named, the reports written, the dataset untouched', async () => {
    const r = ab(['--base', 'main', '--fail-on', 'plan', '--out', path.join(out, 'aa')]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const doc = readDoc(path.join(out, 'aa'));
    assert.equal(doc.mode, 'interleaved');
    assert.equal(doc.head.given, 'working tree');
    assert.equal(doc.base.commit, doc.head.commit);
    const gated = doc.forms.filter((f) => f.gated);
    assert.equal(gated.length, SCENARIOS.length);
    for (const f of gated) {
      assert.equal(f.plan.status, 'passed', `${f.scenarioId}: ${f.plan.words}`);
      assert.ok(f.time.decision, `${f.scenarioId} was timed: ${f.time.words}`);
      assert.equal(f.time.decision!.first.rounds, 10);
    }
    assert.equal(doc.method.comparisons, SCENARIOS.length);
    assert.match(r.stdout, /Gate: PASSED \(exit 0\)/);
    for (const file of ['index.html', 'summary.md', 'junit.xml']) assert.match(readFileSync(path.join(out, 'aa', file), 'utf8'), /execbench ab/);
    before = await datasetIndexes();
    assert.ok(before.length >= 8 && before.every((d) => !/execbench_ab_/.test(d)), before.join('\n'));
  });

  it('a working tree that changes only a query\'s SQL: that form fails its plan half, the others pass', async () => {
    const file = path.join(repo, 'scenarios', 'paginated-listing.ts');
    const original = readFileSync(file, 'utf8');
    // The correction's predicate removed: the partial index is no longer implied.
    writeFileSync(file, original.replace('WHERE tenant_id = $1 AND environment_id = $2 AND started_at IS NOT NULL', 'WHERE tenant_id = $1 AND environment_id = $2'));
    try {
      const r = ab(['--base', 'main', '--out', path.join(out, 'sql')]);
      assert.equal(r.code, 1, r.stderr + r.stdout);
      const doc = readDoc(path.join(out, 'sql'));
      assert.equal(doc.head.uncommitted, true);
      const changed = form(doc, 'paginated-listing');
      assert.equal(changed.sqlChanged, true);
      assert.equal(changed.status, 'regressed');
      assert.ok(changed.reasons.some((x) => x.half === 'plan' && /index changed|plan shape changed/.test(x.words)), JSON.stringify(changed.reasons));
      for (const id of SCENARIOS.filter((s) => s !== 'paginated-listing')) assert.equal(form(doc, id).plan.status, 'passed', id);
      assert.match(r.stdout, /Gate: FAILED \(exit 1\)[\s\S]*paginated-listing \(corrected\): plan: /);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('a pull request that changes only an index: the form that used it fails its plan half; --fail-on time alone passes it', async () => {
    const file = path.join(repo, 'schema', '002-spec-indexes.sql');
    const sql = readFileSync(file, 'utf8');
    const dropped = sql.replace(/CREATE INDEX idx_executions_tenant_env_failed_started[\s\S]*?;\n/, '');
    assert.notEqual(dropped, sql);
    git('checkout', '-q', '-b', 'drop-index');
    writeFileSync(file, dropped);
    git('commit', '-q', '-am', 'drop the failed-executions index');
    git('checkout', '-q', 'main');
    const r = ab(['--base', 'main', '--head', 'drop-index', '--out', path.join(out, 'index')]);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const doc = readDoc(path.join(out, 'index'));
    const lost = form(doc, 'recent-failures');
    assert.equal(lost.sqlChanged, false);
    assert.equal(lost.status, 'regressed');
    assert.ok(lost.reasons.some((x) => x.half === 'plan' && /idx_executions_tenant_env_failed_started/.test(x.words)), JSON.stringify(lost.reasons));
    for (const id of ['paginated-listing', 'single-execution-lookup']) assert.equal(form(doc, id).plan.status, 'passed', id);
    assert.deepEqual(await datasetIndexes(), before, 'the dataset keeps its indexes: everything ran in a transaction that was rolled back');

    const timeOnly = ab(['--base', 'main', '--head', 'drop-index', '--fail-on', 'time', '--out', path.join(out, 'index-time')]);
    const timeDoc = readDoc(path.join(out, 'index-time'));
    const timeRegressed = timeDoc.forms.some((f) => f.reasons.some((x) => x.half === 'time'));
    assert.equal(timeOnly.code, timeRegressed ? 1 : 0, timeOnly.stdout);
    assert.match(timeOnly.stdout, /Found, not failing the gate \(--fail-on time\):[\s\S]*recent-failures \(documented\): plan: /);
  });

  it('a ref that names nothing, and a table definition that differs, are one line and exit 3 before a server starts', () => {
    const bad = ab(['--base', 'no-such-branch']);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /--base 'no-such-branch' names no commit in .*: fetch it first/);
    const file = path.join(repo, 'schema', '001-executions-table.sql');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\n-- a comment is a change\n`);
    try {
      const differs = ab(['--base', 'main']);
      assert.equal(differs.code, 3);
      assert.match(differs.stderr, /cannot interleave .*001-executions-table.sql differs between the sides/);
    } finally {
      writeFileSync(file, original);
    }
  });
});
