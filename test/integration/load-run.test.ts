// `execbench load` as a user runs it: a child process, the test server through --database-url, a short fixed-rate
// run on a small dataset. Whether a run is valid depends on the machine (a busy one makes execbench late for its own
// schedule, and the run says so); what must hold anywhere is asserted: every class sent exactly what its schedule
// held and was served, the document's shape and its reports, the dataset untouched and the load copy gone, Ctrl-C's
// partial report; a short capacity search's document (its steps ordered as the search orders them) and the table put
// back between steps.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildSchedule } from '../../src/load/schedule.ts';
import { createLoadCopy } from '../../src/load/load-schema.ts';
import { restoreLoadTable } from '../../src/load/run-search.ts';
import type { CapacityReport } from '../../src/load/search-report.ts';
import type { LoadReport } from '../../src/load/summary.ts';
import { loadParamPools } from '../../src/runner/params.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import { parseScale } from '../../src/seed/scale.ts';
import { buildTraffic, DEFAULT_POOL, LOAD_CLASSES } from '../../src/load/traffic.ts';
import { countRowsOnly, sendAndCount } from '../../src/load/read-reply.ts';
import { createParamPicker } from '../../src/runner/params.ts';
import { UPSERT_WORKFLOW_NAME } from '../../src/scenario/families.ts';
import { loadScenarios } from '../../src/scenario/load.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';
import { allElements, parseXml } from '../support/xml.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = [ '--import', 'tsx', path.join(ROOT, 'src/cli.ts')];
const RATES = { dashboard: 2, pages: 40, ingest: 10, retention: 1 } as const;
const SEED = 20261124;

function execbench(args: string[]) {
  const r = spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

let db: TestDatabase;
let tmp: string;
before(async () => {
  db = await createTestDatabase('load');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'execbench-load-'));
});
after(async () => { await db?.drop(); });
stopTestServerAfterAll();

const base = () => ['load', '--database-url', db.connectionString, '--yes', '--scale', '20000',
  '--rate', Object.entries(RATES).map(([c, r]) => `${c}=${r}/s`).join(',')];

describe('execbench load (fixed rate)', () => {
  let report: LoadReport;
  let code: number | null;
  let stderr: string;

  before(() => {
    const r = execbench([...base(), '--duration', '6s', '--json', '--out', path.join(tmp, 'run')]);
    code = r.code;
    stderr = r.stderr;
    report = JSON.parse(r.stdout) as LoadReport;
  });

  it('ends with a documented exit code (0 valid, 1 promise failed or overload, 2 execbench could not measure) and says why when invalid', () => {
    assert.ok(code === 0 || code === 1 || code === 2, `exit ${code}: ${stderr}`);
    assert.equal(report.valid, report.problems.length === 0);
    if (!report.valid) assert.match(stderr, /INVALID RUN: .*none is reported as one/);
    assert.match(stderr, /load \d+\/6 s \| dashboard .* s left/, 'progress while it runs');
  });

  it('every class ran: it sent exactly the requests its schedule held, and the server served them (achieved >= 95% of offered)', () => {
    const schedule = buildSchedule(LOAD_CLASSES.map((name) => ({
      name, perSecond: RATES[name], arrivals: name === 'retention' ? 'periodic' as const : 'poisson' as const, shares: [1],
    })), 6000, SEED);
    assert.deepEqual(report.classes.map((c) => c.class), [...LOAD_CLASSES]);
    for (const c of report.classes) {
      const expected = schedule.filter((a) => a.name === c.class).length;
      assert.equal(c.count, expected, `${c.class}: scheduled`);
      assert.ok(c.count > 0, c.class);
      assert.ok(c.achievedPerSecond >= 0.95 * c.offeredPerSecond, `${c.class}: ${c.achievedPerSecond}/s of ${c.offeredPerSecond}/s`);
      assert.equal(c.served + c.errors + c.unfinished, c.count);
      assert.equal(c.errors, 0, c.firstError);
    }
    const retention = report.classes.find((c) => c.class === 'retention')!;
    assert.equal(retention.rowsDeleted, 1000 * retention.served, 'every batch found a full 1000 rows older than 30 days');
  });

  it('the JSON carries per class the offered and achieved rate, latency p50/p95/p99/max, service p50/p95/p99, the count; and the waits', () => {
    for (const c of report.classes) {
      for (const key of ['offeredPerSecond', 'achievedPerSecond', 'count', 'latencyMs', 'serviceMs'] as const) assert.ok(key in c, `${c.class}.${key}`);
      if (report.valid) {
        assert.deepEqual(Object.keys(c.latencyMs!).sort(), ['count', 'maxMs', 'p50Ms', 'p95Ms', 'p99Ms']);
        assert.deepEqual(Object.keys(c.serviceMs!).sort(), ['p50Ms', 'p95Ms', 'p99Ms']);
        assert.ok(c.latencyMs!.p50Ms <= c.latencyMs!.p95Ms && c.latencyMs!.p95Ms <= c.latencyMs!.p99Ms && c.latencyMs!.p99Ms <= c.latencyMs!.maxMs);
      } else {
        assert.equal(c.latencyMs, null, 'an invalid run reports no latency');
      }
    }
    assert.ok(report.waits.samples > 100, `the sampler ran every ~25 ms (${report.waits.samples} samples)`);
    assert.ok(Array.isArray(report.waits.episodes) && Array.isArray(report.waits.kinds));
    assert.equal(report.waits.cleanup.batches, report.classes.find((c) => c.class === 'retention')!.served);
    assert.match(report.waits.cleanup.words, /cleanup batch\(es\) ran/);
    assert.ok(report.generator.cpu.execbenchCores > 0);
    assert.equal(report.generator.pool.size, DEFAULT_POOL, 'the default pool');
    assert.deepEqual(JSON.parse(readFileSync(path.join(tmp, 'run', 'load.json'), 'utf8')), report, 'the results file is the document');
  });

  it('writes summary.md, junit.xml (a case per validity gate and per promise) and index.html with the run\'s timeline, and names them', () => {
    const dir = path.join(tmp, 'run');
    assert.match(readFileSync(path.join(dir, 'summary.md'), 'utf8'), /^## execbench load: fixed rate \(20000\)/);
    const cases = allElements(parseXml(readFileSync(path.join(dir, 'junit.xml'), 'utf8')), 'testcase');
    assert.equal(cases.length, report.gates.length + report.classes.filter((c) => c.promise).length);
    assert.deepEqual(cases.filter((c) => c.attrs.classname !== 'execbench.load.validity').map((c) => c.attrs.classname), ['execbench.load.dashboard', 'execbench.load.pages']);
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    assert.match(html, /<figure id="timeline"><h3>The run on a time axis<\/h3><svg/);
    assert.doesNotMatch(html, /<script/);
    assert.match(stderr, /Results: .*load\.json; report .*index\.html \(also summary\.md, junit\.xml\)/);
  });

  it('the dataset was only read and the load copy is gone', async () => {
    const schemas = await query<{ nspname: string }>(db.connectionString, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'execbench%' ORDER BY 1`);
    assert.deepEqual(schemas.map((s) => s.nspname), ['execbench_20000']);
    const [counts] = await query<{ rows: string; marked: string }>(db.connectionString,
      'SELECT (SELECT count(*) FROM execbench_20000.executions) AS rows, (SELECT total_rows FROM execbench_20000.execbench_dataset) AS marked');
    assert.equal(counts!.rows, counts!.marked);
  });

  it('Ctrl-C stops the traffic, prints and saves what was measured so far, drops the copy, exits 130', async () => {
    const out = path.join(tmp, 'interrupted');
    const child = spawn(process.execPath, [...CLI, ...base(), '--duration', '30s', '--out', out], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
    let stdout = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
      if (/load 1\/30 s/.test(err) && !child.killed) child.kill('SIGINT');
    });
    const exit = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(exit, 130, err);
    assert.match(stdout, /Interrupted: Ctrl-C after \d+\.\d s; what was measured so far/);
    assert.match(stdout, /INVALID RUN: .*\n  - stopped by Ctrl-C after/);
    const saved = JSON.parse(readFileSync(path.join(out, 'load.json'), 'utf8')) as LoadReport;
    assert.ok(saved.interruptedAtMs! > 500 && saved.interruptedAtMs! < 30_000);
    assert.ok(saved.classes.find((c) => c.class === 'pages')!.count > 0);
    assert.match(stdout, /Results: .*load\.json \(and summary\.md, junit\.xml; no HTML after Ctrl-C\)/);
    assert.match(readFileSync(path.join(out, 'summary.md'), 'utf8'), /> Interrupted: Ctrl-C after/);
    assert.ok(allElements(parseXml(readFileSync(path.join(out, 'junit.xml'), 'utf8')), 'error').length >= 1, 'the run that did not finish is an error');
    assert.equal(existsSync(path.join(out, 'index.html')), false);
    assert.match(err, /dropped the load copy execbench_load_20000/);
    const left = await query(db.connectionString, `SELECT 1 FROM pg_namespace WHERE nspname = 'execbench_load_20000'`);
    assert.equal(left.length, 0);
  });

  it('bad input (a rate of 0, a run too short to judge, an empty pool) is one line and exit 3 before anything starts', () => {
    for (const [args, message] of [
      [['--rate', 'pages=0/s'], /Invalid --rate 'pages=0\/s': a rate must be above 0/],
      [['--rate', 'retention=0.5/s', '--duration', '6s'], /too short to judge retention/],
      [['--pool', '0'], /Invalid --pool '0': give a whole number >= 1/],
    ] as const) {
      const r = execbench(['load', '--database-url', 'postgres://nobody@127.0.0.1:1/none', ...args]);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    }
    assert.equal(existsSync(path.join(tmp, 'never')), false);
  });
});

describe('execbench load --search (a short capacity search)', () => {
  let report: CapacityReport;
  let code: number | null;
  let stderr: string;
  const out = () => path.join(tmp, 'search');

  before(() => {
    // pages with maintenance beside it, 2-3 s steps, at most 4: the search's machinery end to end, not a capacity.
    const r = execbench(['load', '--search', '--database-url', db.connectionString, '--yes', '--scale', '20000', '--promise', 'pages', '--maintenance', 'with',
      '--step', '2s', '--max-window', '3s', '--max-steps', '4', '--max-time', '30s', '--min-capacity', 'pages=1/s', '--json', '--out', out()]);
    code = r.code;
    stderr = r.stderr;
    report = JSON.parse(r.stdout) as CapacityReport;
  });

  it('ends with a documented exit code, progress per step on stderr, within --max-time', () => {
    assert.ok(code === 0 || code === 1 || code === 2, `exit ${code}: ${stderr}`);
    assert.match(stderr, /step 1: \d+(\.\d+)?\/s for \d\.\d s: /);
    assert.ok(report.durationMs <= 30_000 + 8_000, `${report.durationMs} ms`);
  });

  it('the JSON: per promise the bound or why there is none, with its confidence; every step with offered/achieved, p95 interval, verdict, validity', () => {
    assert.equal(report.kind, 'execbench-load-capacity');
    assert.equal(report.searches.length, 1);
    const s = report.searches[0]!;
    assert.deepEqual([s.promise, s.variant, s.maintenance, s.limitP95Ms], ['pages', 'spec', true, 500]);
    assert.ok(s.lowerBoundPerSecond === null || s.lowerBoundPerSecond > 0);
    assert.equal(s.lowerBoundPerSecond === null, !/capacity at least/.test(s.words), s.words);
    assert.match(s.confidence.words, /lower confidence bound, assuming latency is monotone in the offered rate: .*Bonferroni over at most 4 steps/);
    assert.ok(s.steps.length >= 1 && s.steps.length <= 4, `${s.steps.length} steps`);
    for (const step of s.steps) {
      for (const key of ['rate', 'windowMs', 'offeredPerSecond', 'achievedPerSecond', 'outcome', 'valid', 'problems', 'latency', 'samples'] as const) assert.ok(key in step, key);
      assert.ok(step.windowMs >= 1000 && step.windowMs <= 3000, `window ${step.windowMs}`);
      assert.equal(step.valid, step.problems.length === 0);
      if (step.latency) {
        assert.ok(step.verdict && step.latency.p95.estimateMs === step.verdict.estimateMs);
        assert.ok(step.latency.p50.estimateMs <= step.latency.p95.estimateMs && step.latency.p95.estimateMs <= step.latency.p99.estimateMs);
      } else {
        assert.ok(step.invalid || step.cut, 'a step without latency says why (invalid, or cut short because it could no longer pass)');
      }
      assert.ok(Math.abs(step.offeredPerSecond - step.rate) / step.rate < 0.35, `offered ${step.offeredPerSecond}/s at ${step.rate}/s`);
      assert.ok(step.achievedPerSecond <= step.offeredPerSecond + 1e-9);
      assert.ok(step.maintenance && step.maintenance.rowsDeleted === 1000 * step.maintenance.cleanupBatches, 'retention found full batches in every step: the table was put back');
    }
    assert.deepEqual(report.options.minCapacity, { pages: 1 });
    assert.equal(s.meetsMinimum, s.lowerBoundPerSecond !== null);
  });

  it('the steps are monotone in offered rate: it doubles from its start while steps pass, then bisects; every passed rate lies below every rate that did not pass', () => {
    const steps = report.searches[0]!.steps;
    const s0 = report.searches[0]!;
    assert.equal(steps[0]!.rate, s0.startRate);
    const passed = steps.filter((st) => st.outcome === 'passed').map((st) => st.rate);
    // An inconclusive step run again at the same rate (a longer window) is not a rate that did not pass.
    const not = steps.filter((st, i) => st.outcome === 'failed' || (st.outcome === 'inconclusive' && steps[i + 1]?.rate !== st.rate)).map((st) => st.rate);
    if (passed.length > 0 && not.length > 0) assert.ok(Math.max(...passed) < Math.min(...not), `passed ${passed}, not ${not}`);
    let low = 0;
    let high = Number.POSITIVE_INFINITY;
    for (const [i, st] of steps.entries()) {
      assert.ok(st.rate > low && st.rate < high, `step ${i + 1} at ${st.rate}/s outside the bracket (${low}, ${high})`);
      if (st.outcome === 'passed') low = st.rate;
      else if (st.outcome === 'failed') high = st.rate;
      else if (st.outcome === 'inconclusive' && steps[i + 1]?.rate !== st.rate) high = st.rate;
    }
    assert.equal(s0.lowerBoundPerSecond, passed.length > 0 ? Math.max(...passed) : null);
  });

  it('writes capacity.json (the document), summary.md, junit.xml (one case for the promise) and an HTML report with the charts', () => {
    assert.deepEqual(JSON.parse(readFileSync(path.join(out(), 'capacity.json'), 'utf8')), report);
    assert.match(readFileSync(path.join(out(), 'summary.md'), 'utf8'), /## execbench load: capacity per promise \(20000\)/);
    assert.equal((readFileSync(path.join(out(), 'junit.xml'), 'utf8').match(/<testcase /g) ?? []).length, 1);
    const html = readFileSync(path.join(out(), 'index.html'), 'utf8');
    assert.ok((html.match(/<svg/g) ?? []).length >= 1);
  });

  it('the dataset was only read and the load copy is gone', async () => {
    const schemas = await query<{ nspname: string }>(db.connectionString, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'execbench%' ORDER BY 1`);
    assert.deepEqual(schemas.map((x) => x.nspname), ['execbench_20000']);
  });

  it('bad input is one line and exit 3 before anything starts (the flags\' parsing: test/unit/load-search-options.test.ts)', () => {
    for (const [args, message] of [
      [['--search', '--rate', 'pages=1/s'], /--rate is for the fixed-rate mode/],
      [['--search', '--promise', 'ingest'], /Unknown promise 'ingest'/],
      [['--step', '2s'], /--step belongs to --search/],
    ] as const) {
      const r = execbench(['load', '--database-url', 'postgres://nobody@127.0.0.1:1/none', ...args]);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    }
  });
});

describe('restoreLoadTable', () => {
  it('puts back the rows retention deleted and removes what ingest inserted, so every step starts from the same table', async () => {
    const counts = async (schema: string) => (await query<{ n: string; ingested: string; oldest: string }>(db.connectionString,
      `SELECT count(*) AS n, count(*) FILTER (WHERE execution_id LIKE 'execbench-new-%') AS ingested, min(started_at)::text AS oldest FROM ${schema}.executions`))[0]!;
    // The dataset the runs above seeded (reused: same scale and seed), and a copy of it made as a search makes one.
    const dataset = await ensureDataset({ connectionString: db.connectionString, kind: 'url' }, { scale: parseScale('20000'), seed: SEED, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true } });
    const copy = await createLoadCopy(db.connectionString, dataset, () => {});
    try {
      const before = await counts(dataset.schema);
      const client = new pg.Client({ connectionString: db.connectionString });
      await client.connect();
      let pools;
      try {
        await client.query(`SET search_path TO ${copy.schema}`);
        pools = await loadParamPools(client, copy.dataset);
        // An ingest status update whose execution retention had already deleted: the upsert inserts it again under a
        // new id (it would collide with the dataset's row when that is put back).
        const oldest = (await client.query<{ environment_id: string; execution_id: string }>(`SELECT environment_id, execution_id FROM executions WHERE tenant_id = $1 AND started_at IS NOT NULL AND execution_id IS NOT NULL ORDER BY started_at LIMIT 1`, [pools.tenantId])).rows[0]!;
        await client.query(`DELETE FROM executions WHERE id IN (SELECT id FROM executions WHERE tenant_id = $1 AND started_at IS NOT NULL ORDER BY started_at LIMIT 2500)`, [pools.tenantId]);
        await client.query(`INSERT INTO executions (id, tenant_id, environment_id, workflow_id, workflow_name, execution_id, status, normalized_status, mode, started_at)
          SELECT gen_random_uuid(), tenant_id, $2, workflow_id, $4, $3, 'success', 'success', 'webhook', now() FROM executions WHERE tenant_id = $1 LIMIT 1`,
          [pools.tenantId, oldest.environment_id, oldest.execution_id, UPSERT_WORKFLOW_NAME]);
        await client.query(`INSERT INTO executions (id, tenant_id, environment_id, workflow_id, workflow_name, execution_id, status, normalized_status, mode, started_at)
          SELECT gen_random_uuid(), tenant_id, environment_id, workflow_id, workflow_name, 'execbench-new-' || row_number() OVER (), 'running', 'running', 'webhook', now()
          FROM (SELECT * FROM executions WHERE tenant_id = $1 LIMIT 3) e`, [pools.tenantId]);
      } finally {
        await client.end();
      }
      const damaged = await counts(copy.schema);
      assert.equal(Number(damaged.n), Number(before.n) - 2500 + 3 + 1);
      await restoreLoadTable(db.connectionString, copy.schema, dataset.schema, pools);
      assert.deepEqual(await counts(copy.schema), before);
    } finally {
      await copy.drop();
    }
  });
});

describe('reading replies without building rows (read-reply.ts)', () => {
  it('every statement of the dashboard and the pages gives the row count pg gives; an error still rejects and the connection stays usable', async () => {
    const dataset = await ensureDataset({ connectionString: db.connectionString, kind: 'url' }, { scale: parseScale('20000'), seed: SEED, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true } });
    const plain = new pg.Client({ connectionString: db.connectionString });
    const counting = new pg.Client({ connectionString: db.connectionString });
    await plain.connect();
    await counting.connect();
    try {
      for (const c of [plain, counting]) await c.query(`SET search_path TO ${dataset.schema}`);
      countRowsOnly(counting);
      const pools = await loadParamPools(plain, dataset);
      const traffic = buildTraffic(await loadScenarios());
      let statements = 0;
      for (const cls of [traffic.dashboard, traffic.pages]) {
        for (const kind of cls.kinds) {
          for (const statement of kind.statements) {
            for (const seq of [0, 7]) {
              const config = { text: statement.sql, values: statement.params(createParamPicker(pools, seq)) as unknown[] };
              const expected = (await plain.query(config)).rowCount;
              assert.ok((expected ?? 0) > 0, `${statement.scenarioId} returns rows on this dataset`);
              assert.equal(await sendAndCount(counting, config), expected, `${statement.scenarioId} (seq ${seq})`);
              statements += 1;
            }
          }
        }
      }
      assert.ok(statements >= 20);
      await assert.rejects(sendAndCount(counting, { text: 'SELECT no_such_column FROM executions' }), /no_such_column/);
      assert.equal(await sendAndCount(counting, { text: 'SELECT 1 UNION ALL SELECT 2' }), 2);
      countRowsOnly(counting);
      assert.equal(await sendAndCount(counting, { text: 'SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3' }), 3, 'a second swap is a no-op');
    } finally {
      await plain.end();
      await counting.end();
    }
  });
});
