// The baseline gate: compareRuns, the guardrails, decideExit, readResultsFile and the compare command.
// RunResults are built by hand below (src/results.ts is the contract); plans are real, from test/fixtures/plans.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCompareCommand } from '../../src/commands/compare.ts';
import { BaselineError, EXIT, UsageError } from '../../src/errors.ts';
import { comparePlanFacts, compareRuns, DEFAULT_COMPARE_OPTIONS, readsOnlyCatalog, type ScenarioComparison, type SignalCheck } from '../../src/gate/compare.ts';
import { checkComparable, tableStateWarnings } from '../../src/gate/guardrails.ts';
import { readResultsFile } from '../../src/gate/results-file.ts';
import { decideExit } from '../../src/gate/verdict.ts';
import { analyzePlan } from '../../src/plan/analyze.ts';
import type { PlanFacts } from '../../src/plan/types.ts';
import { RESULTS_SCHEMA_VERSION, type Outcome, type RunResults, type ScenarioResult, type TableState } from '../../src/results.ts';
import { mulberry32, summarize } from '../../src/runner/statistics.ts';

// ---------- builders ----------

const planFixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/plans/${name}.json`, import.meta.url), 'utf8'));
const planOf = (name: string): PlanFacts => analyzePlan(planFixture(name));

/** Seeded log-normal latencies (ms). */
function lognormal(seed: number, n: number, medianMs: number, sigma = 0.3): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(random() || Number.MIN_VALUE)) * Math.cos(2 * Math.PI * random());
    return medianMs * Math.exp(sigma * z);
  });
}

interface ScenarioSpec {
  id?: string;
  scale?: string;
  form?: 'documented' | 'corrected';
  gated?: boolean;
  plan?: PlanFacts | undefined;
  samples?: number[];
  outcome?: Outcome;
}

function scenario(spec: ScenarioSpec = {}): ScenarioResult {
  const samples = spec.samples ?? lognormal(1, 100, 2);
  const plan = 'plan' in spec ? spec.plan : planOf('pagination-corrected');
  const result: ScenarioResult = {
    scenarioId: spec.id ?? 'paginated-listing',
    title: 'Paginated listing',
    spec: '§2 idx_executions_tenant_env_started',
    kind: 'read',
    scale: spec.scale ?? '100k',
    form: spec.form ?? 'corrected',
    gated: spec.gated ?? true,
    sql: 'SELECT * FROM executions WHERE tenant_id = $1 AND environment_id = $2 AND started_at IS NOT NULL ORDER BY started_at DESC LIMIT 50',
    params: ['t', 'e'],
    expectedIndexes: ['idx_executions_tenant_env_started'],
    outcome: spec.outcome ?? { status: 'passed' },
    durationMs: 10,
  };
  if (plan) result.plan = plan;
  if (samples.length > 0) {
    result.latency = {
      client: summarize(samples),
      clientSamplesMs: samples,
      server: summarize(samples),
      serverSamplesMs: samples,
      serverMethod: 'explain-timing-off',
      protocol: 'unnamed',
      explainOverhead: { timingOnMs: 1, timingOffMs: 1 },
      breakdown: { serverMs: 1, wireMs: 0, decodeMs: 0, rows: 50 },
    };
  }
  return result;
}

interface RunSpec {
  runId?: string;
  scenarios?: ScenarioResult[];
  versionNum?: number;
  version?: string;
  scales?: string[];
  fingerprint?: string;
  settings?: Record<string, string>;
  cpus?: number;
  strictSpec?: boolean;
  /** The executions table as the run measured it, at every scale. */
  tableState?: TableState;
}

function run(spec: RunSpec = {}): RunResults {
  const scales = spec.scales ?? ['100k'];
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: spec.runId ?? 'run-a',
    startedAt: '2026-11-24T05:00:00.000Z',
    finishedAt: '2026-11-24T05:01:00.000Z',
    options: { scales, scenarios: [], timeBudgetMs: 120_000, strictSpec: spec.strictSpec ?? false },
    environment: {
      provider: { kind: 'url', reason: 'test' },
      postgres: {
        version: spec.version ?? '17.10',
        versionNum: spec.versionNum ?? 170010,
        settings: spec.settings ?? { random_page_cost: '4', work_mem: '4MB', shared_buffers: '128MB' },
      },
      machine: { cpus: spec.cpus ?? 2, cpuModel: 'Test CPU', memoryBytes: 8 * 1024 ** 3, platform: 'linux', node: 'v20.19.0' },
      execbenchVersion: '0.1.0',
    },
    datasets: scales.map((scale) => ({
      scale, schema: `execbench_${scale}`, fingerprint: spec.fingerprint ?? `fp-${scale}`, seed: 1, focusRows: 100_000,
      totalRows: 120_000, tenants: 5, indexBuild: 'after', reused: true, phasesMs: {},
      ...(spec.tableState ? { tableState: spec.tableState } : {}),
    })),
    scenarios: spec.scenarios ?? [scenario()],
    findings: [],
    headline: [],
    timings: {},
  };
}

function only(comparisons: ScenarioComparison[]): ScenarioComparison {
  assert.equal(comparisons.length, 1);
  return comparisons[0]!;
}

function check(c: ScenarioComparison, signal: SignalCheck['signal'], statistic?: string): SignalCheck {
  assert.notEqual(c.status, 'not-compared');
  if (c.status === 'not-compared') throw new Error('unreachable');
  const found = c.checks.find((k) => k.signal === signal && (!statistic || ('statistic' in k && k.statistic === statistic)));
  assert.ok(found, `no ${signal} check`);
  return found;
}

function withBuffers(plan: PlanFacts, factor: number): PlanFacts {
  return { ...plan, buffers: { ...plan.buffers, sharedHit: Math.round(plan.buffers.sharedHit * factor) } };
}

// ---------- compareRuns ----------

describe('compareRuns', () => {
  test('two runs of the same plan and latency distribution -> every comparison passes', () => {
    const c = only(compareRuns(run(), run({ runId: 'run-b', scenarios: [scenario({ samples: lognormal(2, 100, 2) })] })).comparisons);
    assert.equal(c.status, 'passed');
  });

  test('the documented index replaced by a Seq Scan -> regressed, naming the old index and the new access', () => {
    const current = run({ scenarios: [scenario({ plan: planOf('seq-scan-with-sort') })] });
    const c = only(compareRuns(run(), current).comparisons);
    assert.equal(c.status, 'regressed');
    const index = check(c, 'index');
    assert.equal(index.passed, false);
    assert.equal(index.message, 'index changed: was idx_executions_tenant_env_started (Index Scan), now no index (Seq Scan on executions)');
    assert.equal(check(c, 'plan-shape').passed, false);
    assert.ok(c.status === 'regressed' && c.reasons.some((r) => r.includes('idx_executions_tenant_env_started')));
  });

  test('one index swapped for another -> the message names both', () => {
    const current = run({ scenarios: [scenario({ plan: planOf('index-scan') })] });
    const index = check(only(compareRuns(run(), current).comparisons), 'index');
    assert.match(index.message, /was idx_executions_tenant_env_started \(Index Scan\), now idx_executions_tenant_env_failed_started \(Index Scan\)/);
  });

  test('the same index scanned backward instead of forward -> an index change', () => {
    const backward = planOf('backward-index-scan');
    const forward: PlanFacts = { ...backward, indexes: backward.indexes.map((i) => ({ ...i, direction: 'Forward' as const })), shape: backward.shape.replace(' Backward', '') };
    const c = only(compareRuns(run({ scenarios: [scenario({ plan: forward })] }), run({ scenarios: [scenario({ plan: backward })] })).comparisons);
    assert.match(check(c, 'index').message, /was idx_executions_retention_cleanup \(Index Scan\), now idx_executions_retention_cleanup \(Index Scan Backward\)/);
  });

  test('a join strategy change with the same indexes -> only the plan-shape check fails, naming the node', () => {
    const base = planOf('delete-subselect');
    const changed: PlanFacts = { ...base, shape: base.shape.replace('Nested Loop [Inner]', 'Hash Join [Inner]') };
    const c = only(compareRuns(run({ scenarios: [scenario({ plan: base })] }), run({ scenarios: [scenario({ plan: changed })] })).comparisons);
    assert.equal(c.status, 'regressed');
    assert.equal(check(c, 'index').passed, true);
    assert.match(check(c, 'plan-shape').message, /node 2: was 'Nested Loop \[Inner\]', now 'Hash Join \[Inner\]'/);
  });

  test('shared buffers +5% pass, +30% fail with both numbers', () => {
    const plan = planOf('seq-scan-with-sort');
    const base = run({ scenarios: [scenario({ plan })] });
    assert.equal(check(only(compareRuns(base, run({ scenarios: [scenario({ plan: withBuffers(plan, 1.05) })] })).comparisons), 'buffers').passed, true);
    const worse = check(only(compareRuns(base, run({ scenarios: [scenario({ plan: withBuffers(plan, 1.3) })] })).comparisons), 'buffers');
    assert.equal(worse.passed, false);
    assert.match(worse.message, /shared buffers hit\+read 9165 -> 11915 \(\+30\.0%; beyond 10% \+ 2\)/);
  });

  test('a tiny plan moving by two blocks is within the absolute slack', () => {
    const plan = planOf('index-scan'); // 12 blocks
    const plus2: PlanFacts = { ...plan, buffers: { ...plan.buffers, sharedHit: 14 } };
    const c = only(compareRuns(run({ scenarios: [scenario({ plan })] }), run({ scenarios: [scenario({ plan: plus2 })] })).comparisons);
    assert.equal(check(c, 'buffers').passed, true);
  });

  test('rows touched beyond the tolerance fail; the tolerance option is honoured', () => {
    const plan = planOf('bitmap-index-scan');
    const more: PlanFacts = { ...plan, rowsScanned: (plan.rowsScanned ?? 0) * 1.5 };
    const base = run({ scenarios: [scenario({ plan })] });
    const cur = run({ scenarios: [scenario({ plan: more })] });
    assert.equal(check(only(compareRuns(base, cur).comparisons), 'rows').passed, false);
    assert.equal(check(only(compareRuns(base, cur, { rowsTolerance: 0.6 }).comparisons), 'rows').passed, true);
  });

  test('a 60% slowdown -> time regressed, reported with its estimate and confidence interval', () => {
    const cur = run({ scenarios: [scenario({ samples: lognormal(7, 100, 3.2) })] });
    const c = only(compareRuns(run(), cur).comparisons);
    const median = check(c, 'time', 'median');
    assert.equal(median.passed, false);
    assert.ok(median.signal === 'time' && !('skipped' in median) && median.ciLow > 1 && median.estimateRatio > 1.4);
    assert.match(median.message, /^client time median \+\d+\.\d% \(99% CI \+\d+\.\d% \.\. \+\d+\.\d%\): slower beyond the 20% and 0\.5 ms minimum effect$/);
  });

  test('a write scenario 60% slower is reported but not gated by default; gateWriteTime gates it', () => {
    const write = (seed: number, median: number): ScenarioResult => ({ ...scenario({ samples: lognormal(seed, 300, median) }), kind: 'write' });
    const base = run({ scenarios: [write(21, 3)] });
    const cur = run({ scenarios: [write(22, 4.8)] });
    const lenient = only(compareRuns(base, cur).comparisons);
    assert.equal(lenient.status, 'passed');
    assert.match(check(lenient, 'time', 'median').message, /reported, not gated/);
    assert.equal(only(compareRuns(base, cur, { gateWriteTime: true }).comparisons).status, 'regressed');
  });

  test('a clear 30% slowdown of a sub-millisecond query (0.3 -> 0.39 ms) passes: below the 0.5 ms absolute floor', () => {
    const base = run({ scenarios: [scenario({ samples: lognormal(11, 400, 0.3, 0.1) })] });
    const cur = run({ scenarios: [scenario({ samples: lognormal(12, 400, 0.39, 0.1) })] });
    const median = check(only(compareRuns(base, cur).comparisons), 'time', 'median');
    assert.equal(median.passed, true);
    assert.match(median.message, /slower, but by less than 0\.5 ms/);
    const strict = check(only(compareRuns(base, cur, { minAbsoluteMs: 0 }).comparisons), 'time', 'median');
    assert.equal(strict.passed, false, 'with the floor at 0 the same shift fails');
  });

  test('a clear but small slowdown (10%) -> passes, said to be below the minimum effect', () => {
    const base = run({ scenarios: [scenario({ samples: lognormal(8, 400, 2, 0.1) })] });
    const cur = run({ scenarios: [scenario({ samples: lognormal(9, 400, 2.2, 0.1) })] });
    const median = check(only(compareRuns(base, cur).comparisons), 'time', 'median');
    assert.equal(median.passed, true);
    assert.match(median.message, /slower, but below the 20% minimum effect/);
  });

  test('fewer retained samples than minSamples -> the time check is skipped with the counts', () => {
    const c = only(compareRuns(run(), run({ scenarios: [scenario({ samples: [1, 2, 3] })] })).comparisons);
    const time = check(c, 'time', 'median');
    assert.ok('skipped' in time);
    assert.match(time.message, /100 baseline and 3 current samples \(need 10 each\)/);
    assert.equal(c.status, 'passed');
  });

  test('the p95 is compared from 99 samples on each side (the fewest a passing verdict has), not from 98', () => {
    const base = run({ scenarios: [scenario({ samples: lognormal(11, 99, 2) })] });
    const slowed = (n: number) => run({ runId: 'run-b', scenarios: [scenario({ samples: lognormal(12, n, 4) })] });
    const at99 = check(only(compareRuns(base, slowed(99)).comparisons), 'time', 'p95');
    assert.ok(!('skipped' in at99), at99.message);
    assert.equal(at99.passed, false, at99.message);
    const at98 = check(only(compareRuns(base, slowed(98)).comparisons), 'time', 'p95');
    assert.ok('skipped' in at98);
    assert.match(at98.message, /99 baseline and 98 current samples \(need 99 each\)/);
  });

  test('a gated scenario missing on one side, or errored, or skipped -> not-compared with the reason, the fix and what it means for the gate', () => {
    const base = run({ scenarios: [scenario({ id: 'old' }), scenario({ id: 'both' }), scenario({ id: 'broken' })] });
    const cur = run({
      scenarios: [
        scenario({ id: 'both', outcome: { status: 'skipped', reason: 'needs covering-index' } }),
        scenario({ id: 'broken', outcome: { status: 'errored', error: 'connection lost' } }),
        scenario({ id: 'new' }),
      ],
    });
    const found = Object.fromEntries(compareRuns(base, cur).comparisons.map((c) => [c.scenarioId, c.status === 'not-compared' ? [c.cause, c.gate, c.reason] : c.status]));
    assert.deepEqual(found, {
      both: ['skipped', 'plan', 'skipped in the current run: needs covering-index; gated, so the gate cannot judge it: measure it in this run as the baseline did, or accept it with --allow-missing'],
      // The harness error already fails the run (exit 2): not a second failure of the plan half.
      broken: ['errored', 'none', 'errored in the current run: connection lost'],
      new: ['new', 'warning', 'new in this run, not in the baseline: a new query cannot regress (a warning); it is compared once the baseline has it'],
      old: ['missing', 'plan', 'gated in the baseline, not measured in this run (removed, renamed or filtered out): run the same scenarios as the baseline, or accept it with --allow-missing'],
    });
  });

  test('forms the gate does not count (documented, not gated) missing or new on one side -> not-compared, neither failing nor warning', () => {
    const documented = (id: string): ScenarioResult => scenario({ id, form: 'documented', gated: false });
    const comparison = compareRuns(run({ scenarios: [scenario(), documented('old')] }), run({ scenarios: [scenario(), documented('new')] }));
    const found = Object.fromEntries(comparison.comparisons.map((c) => [c.scenarioId, c.status === 'not-compared' ? [c.gate, c.reason] : c.status]));
    assert.deepEqual(found, {
      'paginated-listing': 'passed',
      old: ['none', 'in the baseline but not in the current run (filtered out or removed)'],
      new: ['none', 'not in the baseline (a new scenario or form)'],
    });
    assert.deepEqual(comparison.warnings, []);
  });

  test('a form whose SQL fails has no plan -> not-compared, quoting the SQL error, failing the plan half', () => {
    const failing = scenario({ plan: undefined, samples: [], outcome: { status: 'failed', violations: [{ kind: 'sql-error', message: 'no matching ON CONFLICT arbiter' }] } });
    const c = compareRuns(run(), run({ scenarios: [failing] })).comparisons[0]!;
    assert.equal(c.status, 'not-compared');
    assert.ok(c.status === 'not-compared');
    assert.equal(c.gate, 'plan');
    assert.match(c.reason, /^no plan in the current run \(no matching ON CONFLICT arbiter\); gated, so the gate cannot judge it: .*--allow-missing$/);
  });

  // The gate's false-alarm rate with its defaults (99% CI, 20% minimum effect): 200 pairs of runs whose samples
  // come from the same distribution. Expected rate of a "clearly slower" verdict per statistic is at most 0.5%
  // (one side of a 99% interval), i.e. 1 of 200; the minimum effect only lowers it.
  test('no more false time regressions than the expected 0.5% rate across 200 seeds of unchanged runs', () => {
    let regressions = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const base = run({ scenarios: [scenario({ samples: lognormal(seed * 104729, 60, 2, 0.4) })] });
      const cur = run({ scenarios: [scenario({ samples: lognormal(seed * 104729 + 1, 60, 2, 0.4) })] });
      const c = only(compareRuns(base, cur, { seed, iterations: 1000 }).comparisons);
      if (c.status === 'regressed') regressions++;
    }
    assert.ok(regressions <= 200 * 0.005, `${regressions} of 200 unchanged runs flagged`);
  });

  // Power depends on the sample count. The gate asks that the whole interval lie beyond +20%, so with the
  // 60 samples above a 50% slowdown is caught only about half the time; with the ~300 samples a default
  // 750 ms budget gives a 2 ms query, almost always. Both are asserted, so the trade-off stays visible.
  const power = (n: number): number => {
    let caught = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const base = run({ scenarios: [scenario({ samples: lognormal(seed * 104729, n, 2, 0.4) })] });
      const cur = run({ scenarios: [scenario({ samples: lognormal(seed * 104729 + 1, n, 3, 0.4) })] });
      if (only(compareRuns(base, cur, { seed, iterations: 1000 }).comparisons).status === 'regressed') caught++;
    }
    return caught;
  };

  test('a real 50% slowdown is caught almost always with 300 samples a side (the false-alarm test is not vacuous)', () => {
    const caught = power(300);
    assert.ok(caught >= 180, `caught ${caught} of 200`);
  });

  test('with only 60 samples a side the same slowdown is caught far less often (the strict interval rule costs power)', () => {
    const caught = power(60);
    assert.ok(caught > 40 && caught < 180, `caught ${caught} of 200`);
  });
});

// ---------- guardrails ----------

describe('guardrails', () => {
  const refused = (baseline: RunResults, current: RunResults, pattern: RegExp): void => {
    assert.throws(() => compareRuns(baseline, current), (error: unknown) => {
      assert.ok(error instanceof BaselineError);
      assert.equal(error.exitCode, EXIT.baseline);
      assert.match(error.message, pattern);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  };

  test('another Postgres major version -> refused, naming both', () => {
    refused(run(), run({ versionNum: 160004, version: '16.4' }), /Postgres 17 in the baseline, 16 now/);
  });

  test('another scale set -> refused, naming both and the flag to use', () => {
    refused(run({ scales: ['100k', '1m'] }), run({ scales: ['100k'] }), /scales 100k,1m in the baseline, 100k now\. Run with --scale 100k,1m/);
  });

  test('another dataset fingerprint at the same scale -> refused, naming both and the seed', () => {
    refused(run(), run({ fingerprint: 'other' }), /fingerprint at 100k is fp-100k in the baseline, other now .* seed \(1\)/);
  });

  test('same setup -> no warnings', () => {
    assert.deepEqual(checkComparable(run(), run({ runId: 'b' })).warnings, []);
  });

  test('plan-shaping settings, Postgres minor and machine differences -> warnings, not refusals', () => {
    const cur = run({ version: '17.2', versionNum: 170002, cpus: 4, settings: { random_page_cost: '1.1', work_mem: '4MB', shared_buffers: '1GB', enable_seqscan: 'off' } });
    const { warnings } = checkComparable(run(), cur);
    assert.equal(warnings.length, 3);
    assert.match(warnings[0]!, /17\.10 in the baseline, 17\.2 now/);
    // shared_buffers does not shape plans; enable_* and random_page_cost do.
    assert.match(warnings[1]!, /Plan-shaping settings differ \(baseline -> now\): enable_seqscan \(unset\) -> off, random_page_cost 4 -> 1\.1\./);
    assert.match(warnings[2]!, /Machine differs .*cpus 2 -> 4/);
    assert.deepEqual(compareRuns(run(), cur).warnings, warnings);
  });
});

// ---------- decideExit ----------

describe('decideExit', () => {
  const violated = (kind: 'index-not-used' | 'threshold' | 'lock', extra: ScenarioSpec = {}): ScenarioResult =>
    scenario({ ...extra, outcome: { status: 'failed', violations: [{ kind, message: `${kind} broken` }] } });
  const all = ['contracts', 'thresholds', 'baseline'] as const;

  test('--spec drift fails only with drift in failOn; a statement no scenario runs never does', () => {
    const results = run();
    results.findings = [
      { id: 'document-drift-threshold-differs-paginated-listing-100k-line-244', severity: 'warning', spec: 'Results', title: 'Row moved', detail: '' },
      { id: 'document-drift-statement-uncovered-line-272', severity: 'warning', spec: '§1', title: 'VACUUM', detail: '' },
    ];
    assert.deepEqual(decideExit(results, undefined, ['contracts', 'drift']), { exitCode: EXIT.gate, reasons: ['document: drift: Row moved'], ignored: [] });
    assert.deepEqual(decideExit(results, undefined, ['contracts']), { exitCode: EXIT.ok, reasons: [], ignored: ['document: drift: Row moved'] });
  });

  test('all passed -> exit 0 with no reasons', () => {
    assert.deepEqual(decideExit(run(), undefined, [...all]), { exitCode: EXIT.ok, reasons: [], ignored: [] });
  });

  test('a contract violation fails with contracts in failOn, and is only noted without', () => {
    const results = run({ scenarios: [violated('index-not-used')] });
    const strict = decideExit(results, undefined, ['contracts']);
    assert.equal(strict.exitCode, EXIT.gate);
    assert.deepEqual(strict.reasons, ['paginated-listing 100k corrected: contracts: index-not-used: index-not-used broken']);
    const lenient = decideExit(results, undefined, ['thresholds']);
    assert.equal(lenient.exitCode, EXIT.ok);
    assert.equal(lenient.ignored.length, 1);
  });

  test('a lock violation counts as a contract, a threshold breach as a threshold', () => {
    assert.equal(decideExit(run({ scenarios: [violated('lock')] }), undefined, ['contracts']).exitCode, EXIT.gate);
    assert.equal(decideExit(run({ scenarios: [violated('threshold')] }), undefined, ['contracts']).exitCode, EXIT.ok);
    assert.equal(decideExit(run({ scenarios: [violated('threshold')] }), undefined, ['thresholds']).exitCode, EXIT.gate);
  });

  test('a failing documented form that is not gated does not count, unless strictSpec', () => {
    const scenarios = [violated('index-not-used', { form: 'documented', gated: false }), scenario({ form: 'corrected', gated: true })];
    assert.equal(decideExit(run({ scenarios }), undefined, [...all]).exitCode, EXIT.ok);
    assert.equal(decideExit(run({ scenarios, strictSpec: true }), undefined, [...all]).exitCode, EXIT.gate);
  });

  test('a baseline regression fails only with baseline in failOn', () => {
    const current = run({ scenarios: [scenario({ plan: planOf('seq-scan-with-sort') })] });
    const comparison = compareRuns(run(), current);
    const decision = decideExit(current, comparison, ['baseline']);
    assert.equal(decision.exitCode, EXIT.gate);
    assert.match(decision.reasons[0]!, /^paginated-listing 100k corrected: baseline plan: index changed: was idx_executions_tenant_env_started/);
    assert.equal(decideExit(current, comparison, ['contracts', 'thresholds']).exitCode, EXIT.ok);
  });

  test('an errored gated scenario -> harness exit, whatever failOn says', () => {
    const results = run({ scenarios: [scenario({ outcome: { status: 'errored', error: 'connection lost' } })] });
    const decision = decideExit(results, undefined, []);
    assert.equal(decision.exitCode, EXIT.harness);
    assert.match(decision.reasons[0]!, /errored: connection lost/);
  });
});

// ---------- readResultsFile and the compare command ----------

describe('readResultsFile and runCompareCommand', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'execbench-gate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: unknown): string => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };

  test('a valid results.json is read back as written', async () => {
    const results = run();
    assert.deepEqual(await readResultsFile(write('ok.json', results)), results);
  });

  for (const [label, name, content, pattern] of [
    ['a missing file', undefined, undefined, /Cannot read baseline file '.*nope\.json': no such file\. Point to a results\.json/],
    ['text that is not JSON', 'corrupt.json', '{"schemaVersion": 1,', /Cannot read baseline file '.*corrupt\.json': not JSON/],
    ['another schemaVersion', 'v0.json', { ...run(), schemaVersion: 0 }, new RegExp(`schemaVersion 0, this execbench reads ${RESULTS_SCHEMA_VERSION}\\. Re-create it`)],
    ['a JSON document of another kind', 'other.json', { schemaVersion: 1, hello: 'world' }, /missing or malformed runId, scenarios, datasets/],
  ] as const) {
    test(`${label} -> BaselineError (exit 4) naming the file and the fix, in one line`, async () => {
      const file = name ? write(name, content) : path.join(dir, 'nope.json');
      await assert.rejects(readResultsFile(file, 'baseline'), (error: unknown) => {
        assert.ok(error instanceof BaselineError);
        assert.equal(error.exitCode, EXIT.baseline);
        assert.match(error.message, pattern);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    });
  }

  test('compare command: a dropped index -> exit 1, the table and the reason name the scenario and the index', async () => {
    const baselinePath = write('base.json', run());
    const currentPath = write('cur.json', run({ runId: 'run-b', scenarios: [scenario({ plan: planOf('seq-scan-with-sort') })] }));
    const lines: string[] = [];
    const code = await runCompareCommand({ baselinePath, currentPath, print: (t) => lines.push(t) });
    assert.equal(code, EXIT.gate);
    const text = lines.join('\n');
    assert.match(text, /paginated-listing\s+100k\s+corrected\s+yes\s+CHANGED/);
    assert.match(text, /FAIL paginated-listing 100k corrected: baseline plan: index changed: was idx_executions_tenant_env_started \(Index Scan\), now no index \(Seq Scan on executions\)/);
    assert.match(text, /REGRESSED plan: index, plan-shape, buffers, rows/);
    assert.match(text, /Gate: failed \(exit 1\)\./);
  });

  test('compare command: unchanged runs -> exit 0, times shown as ratio with CI', async () => {
    const baselinePath = write('base2.json', run());
    const currentPath = write('cur2.json', run({ runId: 'run-b', scenarios: [scenario({ samples: lognormal(3, 100, 2) })] }));
    const lines: string[] = [];
    assert.equal(await runCompareCommand({ baselinePath, currentPath, print: (t) => lines.push(t) }), EXIT.ok);
    assert.match(lines.join('\n'), /[+-]\d+% \[[+-]\d+%,[+-]\d+%\]\s+[+-]\d+% \[[+-]\d+%,[+-]\d+%\]\s+pass/);
  });

  test('compare command: a baseline from another scale is refused with BaselineError and nothing is written', async () => {
    const baselinePath = write('base3.json', run({ scales: ['1m'], scenarios: [scenario({ scale: '1m' })] }));
    const currentPath = write('cur3.json', run());
    const before = readFileSync(baselinePath, 'utf8');
    await assert.rejects(runCompareCommand({ baselinePath, currentPath, print: () => {} }), BaselineError);
    assert.equal(readFileSync(baselinePath, 'utf8'), before);
  });

  test('compare command: a negative minimum effect is a UsageError naming the flag', async () => {
    await assert.rejects(runCompareCommand({ baselinePath: 'a', currentPath: 'b', minEffect: -1, print: () => {} }), (error: unknown) =>
      error instanceof UsageError && /--min-effect must be a number >= 0, got -1/.test(error.message));
  });
});

describe('results documents of schema 1 (before the two clocks)', () => {
  test('are read as schema 2: thresholds judged the client clock, EXPLAIN was the server clock; a comparison with a new run uses the client clock', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'execbench-v1-'));
    try {
      const v2 = JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8')) as RunResults;
      const v1 = JSON.parse(JSON.stringify(v2)) as Record<string, unknown> & RunResults;
      (v1 as { schemaVersion: number }).schemaVersion = 1;
      for (const r of v1.scenarios) {
        delete (r as Partial<ScenarioResult>).latencyVerdict;
        if (r.threshold) delete (r.threshold as Partial<NonNullable<ScenarioResult['threshold']>>).clock;
        if (r.latency) for (const k of ['serverMethod', 'protocol', 'breakdown'] as const) delete (r.latency as Partial<NonNullable<ScenarioResult['latency']>>)[k];
      }
      const file = path.join(dir, 'v1.json');
      writeFileSync(file, JSON.stringify(v1));
      const read = await readResultsFile(file, 'baseline');
      assert.equal(read.schemaVersion, RESULTS_SCHEMA_VERSION);
      const withThreshold = read.scenarios.find((r) => r.threshold && r.latency)!;
      assert.equal(withThreshold.threshold!.clock, 'client');
      assert.equal(withThreshold.latency!.serverMethod, 'explain-analyze');
      assert.ok(withThreshold.latency!.breakdown.serverMs >= 0);
      const time = compareRuns(read, v2).comparisons.flatMap((c) => (c.status === 'not-compared' ? [] : c.checks))
        .filter((c): c is Extract<SignalCheck, { clock: unknown }> => c.signal === 'time' && 'clock' in c);
      assert.ok(time.length > 0 && time.every((c) => c.clock === 'client'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an empty file, a JSON object that is not a results document and one from a newer execbench are each named as such (exit 4)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'execbench-bad-'));
    try {
      const cases: [string, string, RegExp][] = [
        ['empty.json', '', /: the file is empty\. Point to a results\.json/],
        ['other.json', '{"foo":1}', /: not an execbench results document \(it has no schemaVersion\)\./],
        ['newer.json', '{"schemaVersion":99}', /: it is a results document of schema 99, from a newer execbench; this one reads \d+\./],
      ];
      for (const [name, text, message] of cases) {
        const file = path.join(dir, name);
        writeFileSync(file, text);
        await assert.rejects(readResultsFile(file, 'baseline'), (e: unknown) => (e as { exitCode?: number }).exitCode === 4 && message.test((e as Error).message));
        assert.equal(readFileSync(file, 'utf8'), text, 'the file is untouched');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------- issue 22: the stored-baseline mode ----------

describe('--fail-on plan and time: the two halves of the baseline gate apart', () => {
  // The paginated listing lost its index (plan half) and is 60% slower (time half).
  const baseline = run();
  const current = run({ runId: 'run-b', scenarios: [scenario({ plan: planOf('seq-scan-with-sort'), samples: lognormal(7, 100, 3.2) })] });
  const comparison = compareRuns(baseline, current);

  test('a form regressed in both halves -> one reason line per half, each naming its half', () => {
    const decision = decideExit(current, comparison, ['baseline']);
    assert.equal(decision.exitCode, EXIT.gate);
    assert.equal(decision.reasons.length, 2);
    assert.match(decision.reasons[0]!, /^paginated-listing 100k corrected: baseline plan: index changed: .*; shared buffers hit\+read 31 -> 9165/);
    assert.doesNotMatch(decision.reasons[0]!, /time median/);
    assert.match(decision.reasons[1]!, /^paginated-listing 100k corrected: baseline time: client time median \+\d+\.\d%/);
  });

  test('--fail-on contracts,thresholds,plan (a noisy runner) -> fails on the plan half; the time half is ignored, named as such', () => {
    const decision = decideExit(current, comparison, ['contracts', 'thresholds', 'plan']);
    assert.equal(decision.exitCode, EXIT.gate);
    assert.deepEqual(decision.reasons.map((r) => r.split(': ')[1]), ['baseline plan']);
    assert.equal(decision.ignored.length, 1);
    assert.match(decision.ignored[0]!, /^paginated-listing 100k corrected: baseline time: /);
  });

  test('--fail-on time -> the plan half is ignored, named as such', () => {
    const decision = decideExit(current, comparison, ['time']);
    assert.equal(decision.exitCode, EXIT.gate);
    assert.match(decision.reasons[0]!, / baseline time: /);
    assert.match(decision.ignored[0]!, / baseline plan: index changed/);
  });

  test('only a time regression and --fail-on plan -> exit 0, the slowdown listed as ignored', () => {
    const slower = run({ runId: 'run-b', scenarios: [scenario({ samples: lognormal(7, 100, 3.2) })] });
    const decision = decideExit(slower, compareRuns(baseline, slower), ['contracts', 'thresholds', 'plan']);
    assert.deepEqual({ exitCode: decision.exitCode, reasons: decision.reasons }, { exitCode: EXIT.ok, reasons: [] });
    assert.match(decision.ignored[0]!, / baseline time: client time median/);
  });

  test('baseline violations stored in a results document (run --baseline) count by their half without a comparison, and not twice with one', () => {
    const stored = run({
      scenarios: [scenario({
        outcome: { status: 'failed', violations: [
          { kind: 'baseline', half: 'plan', message: 'vs baseline run-0: index changed' },
          { kind: 'baseline', half: 'time', message: 'vs baseline run-0: client time median +60%' },
        ] },
      })],
    });
    const planOnly = decideExit(stored, undefined, ['plan']);
    assert.deepEqual(planOnly.reasons, ['paginated-listing 100k corrected: baseline plan: vs baseline run-0: index changed']);
    assert.deepEqual(planOnly.ignored, ['paginated-listing 100k corrected: baseline time: vs baseline run-0: client time median +60%']);
    assert.equal(decideExit(stored, undefined, ['baseline']).reasons.length, 2);
    // Compared again (compare A.json B.json): the comparison decides, the stored violations are not counted again.
    assert.deepEqual(decideExit(stored, compareRuns(run(), stored), ['baseline']), { exitCode: EXIT.ok, reasons: [], ignored: [] });
  });
});

describe('no silent pass: forms the comparison could not judge', () => {
  test('no scenario in common -> every gated baseline form fails the plan half, and nothing was compared fails too', () => {
    const baseline = run({ scenarios: [scenario({ id: 'recent-failures' }), scenario({ id: 'single-execution-lookup' })] });
    const current = run({ runId: 'run-b', scenarios: [scenario({ id: 'sparkline-7d' })] });
    const comparison = compareRuns(baseline, current);
    assert.match(comparison.nothingCompared ?? '', /^nothing was compared: of the baseline's 2 gated form\(s\) and this run's 1, none has a plan on both sides.*--allow-missing$/);
    const decision = decideExit(current, comparison, ['contracts', 'thresholds', 'plan']);
    assert.equal(decision.exitCode, EXIT.gate);
    assert.deepEqual(decision.reasons.map((r) => r.replace(/: gated in the baseline.*|: nothing was compared.*/, '')), [
      'recent-failures 100k corrected: baseline plan',
      'single-execution-lookup 100k corrected: baseline plan',
      'baseline plan',
    ]);
    assert.match(decision.reasons[0]!, /gated in the baseline, not measured in this run \(removed, renamed or filtered out\): run the same scenarios as the baseline, or accept it with --allow-missing$/);
    assert.match(comparison.warnings.join('\n'), /1 gated form\(s\) new in this run, not in the baseline \(a new query cannot regress.*\): sparkline-7d 100k corrected\./);
  });

  test('compare A.json B.json with no scenario in common -> Gate: failed, naming the missing forms and the flag that accepts them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'execbench-missing-'));
    try {
      const baselinePath = path.join(dir, 'a.json');
      const currentPath = path.join(dir, 'b.json');
      writeFileSync(baselinePath, JSON.stringify(run({ scenarios: [scenario({ id: 'recent-failures' }), scenario({ id: 'single-execution-lookup' })] })));
      writeFileSync(currentPath, JSON.stringify(run({ runId: 'run-b', scenarios: [scenario({ id: 'sparkline-7d' })] })));
      const lines: string[] = [];
      assert.equal(await runCompareCommand({ baselinePath, currentPath, print: (t) => lines.push(t) }), EXIT.gate);
      const text = lines.join('\n');
      assert.match(text, /recent-failures\s+100k\s+corrected\s+yes\s+-\s+-\s+-\s+-\s+-\s+NOT COMPARED \(fails plan\): gated in the baseline/);
      assert.match(text, /sparkline-7d\s+100k\s+corrected\s+yes\s+-\s+-\s+-\s+-\s+-\s+not compared \(warning\): new in this run/);
      assert.match(text, /3 comparisons: 0 passed, 0 regressed, 3 not compared \(2 failing the plan half, 1 warning\(s\)\)\./);
      assert.match(text, /FAIL baseline plan: nothing was compared/);
      assert.doesNotMatch(text, /Gate: passed/);
      lines.length = 0;
      assert.equal(await runCompareCommand({ baselinePath, currentPath, allowMissing: true, print: (t) => lines.push(t) }), EXIT.ok);
      assert.match(lines.join('\n'), /warning: nothing was compared: .* \(accepted with --allow-missing\)\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a gated form filtered out of this run fails the plan half; --allow-missing makes it a warning that names it', () => {
    const baseline = run({ scenarios: [scenario(), scenario({ id: 'recent-failures' })] });
    const current = run({ runId: 'run-b', scenarios: [scenario({ samples: lognormal(2, 100, 2) })] });
    const strict = decideExit(current, compareRuns(baseline, current), ['baseline']);
    assert.equal(strict.exitCode, EXIT.gate);
    assert.deepEqual(strict.reasons, ['recent-failures 100k corrected: baseline plan: gated in the baseline, not measured in this run (removed, renamed or filtered out): run the same scenarios as the baseline, or accept it with --allow-missing']);
    const accepting = compareRuns(baseline, current, { allowMissing: true });
    assert.deepEqual(decideExit(current, accepting, ['baseline']), { exitCode: EXIT.ok, reasons: [], ignored: [] });
    assert.deepEqual(accepting.warnings, ['1 gated form(s) not compared, accepted with --allow-missing: recent-failures 100k corrected (missing).']);
  });

  test('a new gated form is a warning, never a failure', () => {
    const current = run({ runId: 'run-b', scenarios: [scenario(), scenario({ id: 'my-new-query' })] });
    const comparison = compareRuns(run(), current);
    assert.equal(decideExit(current, comparison, ['baseline']).exitCode, EXIT.ok);
    assert.deepEqual(comparison.warnings, ['1 gated form(s) new in this run, not in the baseline (a new query cannot regress; it is compared once the baseline has it): my-new-query 100k corrected.']);
  });

  test('a gated form skipped in the baseline stays visible as not compared and fails the plan half (ignored with --fail-on time)', () => {
    const baseline = run({ scenarios: [scenario(), scenario({ id: 'covering-percentiles', outcome: { status: 'skipped', reason: 'needs the optional schema part(s) covering-index' } })] });
    const current = run({ runId: 'run-b', scenarios: [scenario(), scenario({ id: 'covering-percentiles' })] });
    const comparison = compareRuns(baseline, current);
    const c = comparison.comparisons.find((x) => x.scenarioId === 'covering-percentiles')!;
    assert.ok(c.status === 'not-compared' && c.cause === 'skipped' && c.gate === 'plan');
    assert.match(c.reason, /^skipped in the baseline run: .*: compare with a baseline in which it was measured, or accept it with --allow-missing$/);
    assert.equal(decideExit(current, comparison, ['plan']).exitCode, EXIT.gate);
    const timeOnly = decideExit(current, comparison, ['time']);
    assert.equal(timeOnly.exitCode, EXIT.ok);
    assert.match(timeOnly.ignored[0]!, /^covering-percentiles 100k corrected: baseline plan: skipped in the baseline run/);
  });

  test('a gated form skipped on both sides alike (both runs without the optional schema) -> not compared, not a failure', () => {
    const skipped = (): ScenarioResult => scenario({ id: 'covering-percentiles', outcome: { status: 'skipped', reason: 'needs the optional schema part(s) covering-index; run without --no-optional' } });
    const current = run({ runId: 'run-b', scenarios: [scenario(), skipped()] });
    const comparison = compareRuns(run({ scenarios: [scenario(), skipped()] }), current);
    const c = comparison.comparisons.find((x) => x.scenarioId === 'covering-percentiles')!;
    assert.ok(c.status === 'not-compared' && c.gate === 'none');
    assert.match(c.reason, /^skipped in both runs \(skipped in the current run: needs the optional schema/);
    assert.equal(decideExit(current, comparison, ['baseline']).exitCode, EXIT.ok);
  });

  test('a gated form that errored in this run -> harness exit, not also a failure of the plan half', () => {
    const current = run({ runId: 'run-b', scenarios: [scenario({ outcome: { status: 'errored', error: 'connection lost' } })] });
    const decision = decideExit(current, compareRuns(run(), current), ['baseline']);
    assert.equal(decision.exitCode, EXIT.harness);
    assert.deepEqual(decision.reasons.filter((r) => / baseline plan: .*errored/.test(r)), []);
  });

  test('--strict-spec: a documented form missing from this run counts as the gate counts it', () => {
    const baseline = run({ scenarios: [scenario(), scenario({ form: 'documented', gated: false })] });
    const current = run({ runId: 'run-b', strictSpec: true, scenarios: [scenario()] });
    const c = compareRuns(baseline, current).comparisons.find((x) => x.form === 'documented')!;
    assert.ok(c.status === 'not-compared' && c.gate === 'plan');
  });
});

describe('catalog queries are not table reads', () => {
  const catalog = planOf('catalog-index-bloat');
  const opts = DEFAULT_COMPARE_OPTIONS;

  test('analyzePlan records every relation a plan names; a plan of pg_stat_user_indexes reads only catalog relations', () => {
    assert.deepEqual(catalog.relations, ['pg_index', 'pg_class', 'pg_namespace']);
    assert.equal(readsOnlyCatalog(catalog), true);
    assert.deepEqual(planOf('delete-subselect').relations, ['executions']);
    assert.equal(readsOnlyCatalog(planOf('index-scan')), false);
    assert.equal(readsOnlyCatalog(planOf('bitmap-index-scan')), false);
  });

  test('a plan analysed before relations were recorded (older results) is judged from its scans', () => {
    const { relations: _catalog, ...oldCatalog } = catalog;
    const { relations: _insert, ...oldInsert } = planOf('insert-on-conflict');
    assert.equal(readsOnlyCatalog(oldCatalog), true);
    assert.equal(readsOnlyCatalog(oldInsert), false, 'ModifyTable on executions is a user relation');
  });

  test('a plan that names no relation at all (SELECT 1) is not a catalog read', () => {
    assert.equal(readsOnlyCatalog({ ...planOf('index-scan'), relations: [], indexes: [], seqScans: [], tidScans: [], shape: 'Result' }), false);
  });

  test('catalog plan: buffers x4.6 and rows x7 (more datasets in the database) are reported, not gated, saying why', () => {
    const grown: PlanFacts = { ...catalog, buffers: { ...catalog.buffers, sharedHit: 1087 }, rowsScanned: (catalog.rowsScanned ?? 0) * 7 };
    const checks = comparePlanFacts(catalog, grown, opts);
    assert.deepEqual(checks.map((c) => c.signal), ['index', 'plan-shape', 'buffers', 'rows']);
    assert.ok(checks.every((c) => c.passed));
    const buffers = checks[2]!;
    assert.ok(buffers.signal === 'buffers');
    assert.match(buffers.notGated ?? '', /reads only catalog relations \(pg_index, pg_class, pg_namespace\)/);
    assert.match(buffers.message, /^shared buffers hit\+read 234 -> 1087 .*reported, not gated: .*not the executions table\)$/);
    // The same growth on a plan of executions fails.
    const table = planOf('index-scan');
    const tableChecks = comparePlanFacts(table, withBuffers(table, 4.6), opts);
    assert.equal(tableChecks.find((c) => c.signal === 'buffers')!.passed, false);
  });

  test('catalog plan: a changed plan shape and index use are still gated (a real capture with another dataset in the database)', () => {
    const checks = comparePlanFacts(catalog, planOf('catalog-index-bloat-more-relations'), opts);
    assert.equal(checks.find((c) => c.signal === 'plan-shape')!.passed, false);
    assert.equal(checks.find((c) => c.signal === 'index')!.passed, false);
    assert.equal(checks.find((c) => c.signal === 'buffers')!.passed, true);
  });

  test('compareRuns uses the same rule: a catalog scenario with grown buffers passes', () => {
    const grown: PlanFacts = { ...catalog, buffers: { ...catalog.buffers, sharedHit: 1087 } };
    const c = only(compareRuns(run({ scenarios: [scenario({ plan: catalog })] }), run({ scenarios: [scenario({ plan: grown })] })).comparisons);
    assert.equal(c.status, 'passed');
  });
});

describe('the table state each side measured', () => {
  const state: TableState = { rows: 120_000, deadTuples: 0, relpages: 4000, catalogRelations: 439 };

  test('dead tuples and relpages that differ -> a warning naming both values, and that buffers and rows compare only like for like', () => {
    const current = run({ tableState: { ...state, deadTuples: 5400, relpages: 4400 } });
    const warnings = compareRuns(run({ tableState: state }), current).warnings;
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^Table state at 100k differs \(baseline -> now\): dead tuples 0 -> 5400, relpages 4000 -> 4400\. Buffers and rows compare only like for like/);
  });

  test('more relations in pg_class (another dataset in the database) -> the warning says catalog queries are reported, not gated', () => {
    const [warning] = tableStateWarnings(run({ tableState: state }), run({ tableState: { ...state, catalogRelations: 480 } }));
    assert.match(warning!, /relations in pg_class 439 -> 480\..*catalog queries \(pg_stat_user_indexes\) read the whole catalog/);
  });

  test('differences within the tolerance, or a side without a recorded state (older results) -> no warning', () => {
    assert.deepEqual(tableStateWarnings(run({ tableState: state }), run({ tableState: { ...state, deadTuples: 40, relpages: 4020, catalogRelations: 441 } })), []);
    assert.deepEqual(tableStateWarnings(run(), run({ tableState: { ...state, deadTuples: 9000 } })), []);
  });

  test('a different dataset fingerprint is still refused, not warned about', () => {
    assert.throws(() => compareRuns(run({ tableState: state }), run({ fingerprint: 'other', tableState: state })), BaselineError);
  });
});
