// The A/B gate's pure parts: the paired time judgement (false alarms per run, drift, sensitivity), the confirmation,
// round orders, and the form and run decisions, from synthetic samples of known truth.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAb, judgeAbForm, type AbFormFacts } from '../../src/ab/judge-form.ts';
import { AB_TIME_RULE, decideAbTime, judgeAbTime, minRoundsForBound, perComparisonConfidence, roundOrders, type AbRound } from '../../src/ab/judge-time.ts';
import type { AbTimeSamples } from '../../src/ab/measure-form.ts';
import type { PlanFacts } from '../../src/plan/types.ts';
import { mulberry32 } from '../../src/runner/statistics.ts';

/** Log-normal latencies around `medianMs`, with a per-round machine factor `drift(round)` applied to both sides. */
function rounds(random: () => number, count: number, perBlock: number, medianMs: number, headFactor: number, drift: (r: number) => number = () => 1, sigma = 0.25): AbRound[] {
  const normal = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
  const draw = (m: number) => Array.from({ length: perBlock }, () => m * Math.exp(sigma * normal()));
  return Array.from({ length: count }, (_, r) => ({ first: r % 2 === 0 ? 'base' : 'head', base: draw(medianMs * drift(r)), head: draw(medianMs * drift(r) * headFactor) }));
}

describe('judgeAbTime', () => {
  it('holds the false alarms of a whole run under 5%: 400 runs of 20 unchanged forms, each with noise and drift', () => {
    const random = mulberry32(7);
    let runsWithAlarm = 0;
    for (let run = 0; run < 400; run++) {
      const machine = 1 + random();
      const any = Array.from({ length: 20 }, () => judgeAbTime(rounds(random, 20, 5, 2, 1, (r) => machine * (1 + 0.05 * Math.sin(r))), 'client', 20).flagged).some(Boolean);
      if (any) runsWithAlarm++;
    }
    assert.ok(runsWithAlarm / 400 <= 0.05, `${runsWithAlarm} of 400 runs raised a false alarm`);
  });

  it('is blind to drift that hits both sides of a round: the machine tripling its latency over the run is no slowdown', () => {
    const random = mulberry32(11);
    const j = judgeAbTime(rounds(random, 20, 5, 2, 1, (r) => 1 + r / 10), 'client', 20);
    assert.equal(j.flagged, false, j.words);
    assert.ok(j.ratioLow! < 1.1 && j.ratioHigh! > 0.9, j.words);
  });

  it('catches x1.5 and x2 on the median in 20 rounds, and says by how much', () => {
    const random = mulberry32(3);
    for (const factor of [1.5, 2]) {
      const j = judgeAbTime(rounds(random, 20, 5, 2, factor), 'client', 20);
      assert.equal(j.flagged, true, j.words);
      assert.ok(Math.abs(j.ratio / factor - 1) < 0.15, `ratio ${j.ratio} for x${factor}`);
      assert.ok(j.ratioLow! > 1 && j.ratioLow! <= factor, j.words);
    }
  });

  it('does not fail a slowdown under the absolute floor (0.5 ms client) or under the minimum effect', () => {
    const random = mulberry32(5);
    const tiny = judgeAbTime(rounds(random, 20, 5, 0.2, 2), 'client', 20);
    assert.equal(tiny.flagged, false, tiny.words);
    assert.match(tiny.words, /by less than 0.5 ms/);
    const onServer = judgeAbTime(rounds(random, 20, 5, 0.2, 2), 'server', 20);
    assert.equal(onServer.flagged, true, 'the server clock\'s floor is 0.05 ms');
    const small = judgeAbTime(rounds(random, 20, 5, 5, 1.1, undefined, 0.05), 'client', 20);
    assert.equal(small.flagged, false, small.words);
    assert.ok(small.ratioLow! > 1, 'a clear +10% is seen, and not failed');
    assert.match(small.words, /by less than the 20% minimum effect/);
  });

  it('has no bound with too few rounds for the run\'s level, and says how many it needs', () => {
    assert.equal(minRoundsForBound(perComparisonConfidence(20)), 9);
    const j = judgeAbTime(rounds(mulberry32(1), 8, 5, 2, 3), 'client', 20);
    assert.equal(j.ratioLow, null);
    assert.equal(j.flagged, false);
    assert.match(j.words, /8 rounds give no bound at 99.75% \(needs 9\)/);
  });

  it('divides the run\'s level among its comparisons', () => {
    assert.equal(perComparisonConfidence(1), 0.95);
    assert.ok(Math.abs(perComparisonConfidence(20) - 0.9975) < 1e-12);
    assert.throws(() => perComparisonConfidence(0), /whole number >= 1/);
  });
});

describe('decideAbTime and roundOrders', () => {
  it('a flagged measurement fails only when a fresh one confirms it', () => {
    const random = mulberry32(9);
    const slow = judgeAbTime(rounds(random, 20, 5, 2, 2), 'client', 10);
    const same = judgeAbTime(rounds(random, 20, 5, 2, 1), 'client', 10);
    assert.equal(decideAbTime(same).status, 'passed');
    assert.equal(decideAbTime(slow, slow).status, 'regressed');
    const unconfirmed = decideAbTime(slow, same);
    assert.equal(unconfirmed.status, 'unconfirmed');
    assert.match(unconfirmed.words, /not confirmed/);
    assert.throws(() => decideAbTime(slow), /needs its confirmation/);
  });

  it('orders are balanced, shuffled and reproducible', () => {
    const a = roundOrders(20, mulberry32(1));
    assert.equal(a.filter((o) => o === 'base').length, 10);
    assert.deepEqual(roundOrders(20, mulberry32(1)), a);
    assert.notDeepEqual(roundOrders(20, mulberry32(2)), a);
    assert.notDeepEqual(a, [...Array(10).fill('base'), ...Array(10).fill('head')]);
    assert.equal(roundOrders(21, mulberry32(1)).filter((o) => o === 'base').length, 11);
  });
});

function plan(overrides: Partial<PlanFacts> = {}): PlanFacts {
  return {
    rootNodeType: 'Limit', nodeTypes: ['Limit', 'Index Scan'], shape: 'Limit\n  Index Scan using idx_a on executions',
    indexes: [{ index: 'idx_a', relation: 'executions', access: 'Index Scan', direction: 'Forward', path: ['Limit', 'Index Scan'] }],
    seqScans: [], tidScans: [], sorts: [],
    buffers: { sharedHit: 100, sharedRead: 0, sharedDirtied: 0, sharedWritten: 0, tempRead: 0, tempWritten: 0 },
    rowsReturned: 50, rowsRemovedByFilter: 0, planningMs: 0.1, executionMs: 1, jit: false, ...overrides,
  };
}

function samples(factor: number, seed: number): AbTimeSamples {
  const r = rounds(mulberry32(seed), 20, 5, 2, factor);
  return { client: r, server: r, serverMethod: { base: 'pg_stat_statements', head: 'pg_stat_statements' }, perBlock: 5 };
}

function facts(overrides: Partial<AbFormFacts> = {}): AbFormFacts {
  return {
    scenarioId: 'paginated-listing', form: 'corrected', title: 'Paginated listing', kind: 'read', gated: true,
    sql: { base: 'SELECT 1', head: 'SELECT 1' }, plans: { base: { plan: plan() }, head: { plan: plan() } }, thresholdClock: 'client',
    time: { first: samples(1, 1) }, ...overrides,
  };
}

describe('judgeAbForm and decideAb', () => {
  it('an unchanged form passes both halves; a lost index fails the plan half; a confirmed slowdown the time half', () => {
    assert.equal(judgeAbForm(facts(), 20).status, 'passed');
    const seq = plan({ shape: 'Limit\n  Seq Scan on executions', indexes: [], seqScans: [{ relation: 'executions', rowsRemovedByFilter: 9000, path: ['Limit', 'Seq Scan'] }], buffers: { ...plan().buffers, sharedHit: 5000 } });
    const lost = judgeAbForm(facts({ plans: { base: { plan: plan() }, head: { plan: seq } } }), 20);
    assert.equal(lost.status, 'regressed');
    assert.deepEqual([...new Set(lost.reasons.map((r) => r.half))], ['plan']);
    const slow = judgeAbForm(facts({ time: { first: samples(2, 2), confirmation: samples(2, 3) } }), 20);
    assert.equal(slow.status, 'regressed');
    assert.deepEqual(slow.reasons.map((r) => r.half), ['time']);
    assert.equal(slow.sqlChanged, false);
  });

  it('the head\'s statement failing is a plan regression; the base\'s failing, or both, is not', () => {
    assert.equal(judgeAbForm(facts({ plans: { base: { plan: plan() }, head: { error: 'column "x" does not exist' } }, time: undefined }), 20).status, 'regressed');
    assert.equal(judgeAbForm(facts({ plans: { base: { error: 'syntax error' }, head: { plan: plan() } }, time: undefined }), 20).status, 'passed');
    const both = judgeAbForm(facts({ plans: { base: { error: 'syntax error' }, head: { error: 'syntax error' } }, time: undefined }), 20);
    assert.equal(both.status, 'passed', 'failing before and after is no regression');
    assert.match(both.plan.words, /fails on both sides alike: syntax error/);
  });

  it('--fail-on plan keeps the plan half and reports the time half; a missing gated form fails unless allowed; nothing compared fails', () => {
    const slow = judgeAbForm(facts({ time: { first: samples(2, 2), confirmation: samples(2, 3) } }), 20);
    const planOnly = decideAb([slow], { failOn: ['plan'], allowMissing: false });
    assert.equal(planOnly.exitCode, 0);
    assert.match(planOnly.ignored[0]!, /paginated-listing \(corrected\): time: /);
    assert.equal(decideAb([slow], { failOn: ['plan', 'time'], allowMissing: false }).exitCode, 1);

    const missing = judgeAbForm(facts({ plans: { base: { plan: plan() } }, sql: { base: 'SELECT 1' }, time: undefined }), 20);
    assert.equal(missing.status, 'missing');
    const kept = judgeAbForm(facts({ scenarioId: 'other' }), 20);
    const refused = decideAb([kept, missing], { failOn: ['plan', 'time'], allowMissing: false });
    assert.equal(refused.exitCode, 1);
    assert.match(refused.reasons[0]!, /gated in the base, not measured in the head .* --allow-missing/);
    const allowed = decideAb([kept, missing], { failOn: ['plan', 'time'], allowMissing: true });
    assert.equal(allowed.exitCode, 0);
    assert.equal(allowed.warnings.length, 1);

    const fresh = judgeAbForm(facts({ plans: { head: { plan: plan() } }, sql: { head: 'SELECT 1' }, time: undefined }), 20);
    assert.equal(fresh.status, 'new');
    const onlyNew = decideAb([fresh], { failOn: ['plan', 'time'], allowMissing: false });
    assert.equal(onlyNew.exitCode, 1, 'no gated form on both sides: nothing was compared');
    assert.match(onlyNew.reasons.join('\n'), /nothing was compared/);
  });

  it('a form not gated never fails the run, whatever changed', () => {
    const seq = plan({ shape: 'Seq Scan on executions', indexes: [] });
    const v = judgeAbForm(facts({ gated: false, plans: { base: { plan: plan() }, head: { plan: seq } }, time: undefined }), 20);
    assert.equal(v.status, 'regressed');
    assert.equal(decideAb([v, judgeAbForm(facts({ scenarioId: 'x' }), 20)], { failOn: ['plan', 'time'], allowMissing: false }).exitCode, 0);
  });

  it('compares the server clock where the limit names it and both sides read it alike; else the client clock', () => {
    const v = judgeAbForm(facts({ thresholdClock: 'server' }), 20);
    assert.equal(v.time.clock, 'server');
    const mixed = facts({ thresholdClock: 'server', time: { first: { ...samples(1, 1), serverMethod: { base: 'pg_stat_statements', head: 'explain-timing-off' } } } });
    assert.equal(judgeAbForm(mixed, 20).time.clock, 'client');
    assert.equal(AB_TIME_RULE.rounds, 20);
  });
});

describe('A/B reports', () => {
  const doc = async (failOn: ('plan' | 'time')[]) => {
    const { AB_SCHEMA_VERSION, describeAbMethod } = await import('../../src/ab/document.ts');
    type Doc = import('../../src/ab/document.ts').AbDocument;
    const slow = judgeAbForm(facts({ time: { first: samples(2, 2), confirmation: samples(2, 3) } }), 2);
    const same = judgeAbForm(facts({ scenarioId: 'recent-failures' }), 2);
    const notGated = judgeAbForm(facts({ scenarioId: 'recent-failures', form: 'documented', gated: false, time: undefined }), 2);
    const forms = [slow, same, notGated];
    const d: Doc = {
      kind: 'execbench-ab' as const, schemaVersion: AB_SCHEMA_VERSION, runId: 'ab-test', startedAt: '2026-12-03T00:00:00Z', finishedAt: '2026-12-03T00:01:00Z', mode: 'interleaved' as const,
      base: { given: 'main', commit: 'a'.repeat(40), uncommitted: false }, head: { given: 'working tree', commit: 'a'.repeat(40), uncommitted: true },
      scale: '100k', dataset: {} as never, environment: { postgres: { version: '17.10' }, provider: { kind: 'embedded' } } as never,
      method: { rule: AB_TIME_RULE, comparisons: 2, perComparisonConfidence: perComparisonConfidence(2), budgetMs: 2000, words: '' },
      forms, gate: { ...decideAb(forms, { failOn, allowMissing: false }), failOn, allowMissing: false }, durationMs: 60_000,
    };
    d.method.words = describeAbMethod(d);
    return d;
  };

  it('console and Markdown lead with the decision, list the gated forms side by side, and the reason of a failure', async () => {
    const { renderAbConsole, renderAbMarkdown } = await import('../../src/report/ab-text.ts');
    const d = await doc(['plan', 'time']);
    const md = renderAbMarkdown(d);
    assert.match(md, /^## execbench ab: FAILED\n\nBase aaaaaaa \(main\) against head aaaaaaa \+ uncommitted changes \(working tree\)/);
    assert.match(md, /\| paginated-listing \(corrected\) \| idx_a \(Index Scan\) \| \d\.\d+ client \| \d\.\d+ client \| \+\d+% \[\+\d+%, \+\d+%\] \| REGRESSED \(time\) \|/);
    assert.match(md, /### Why\n\n- \*\*paginated-listing \(corrected\)\*\*: time: client median/);
    assert.doesNotMatch(md, /recent-failures \(documented\)/, 'forms that are not gated stay out of the gate\'s table');
    const text = renderAbConsole(d);
    assert.match(text, /Gate: FAILED \(exit 1\):\n  - paginated-listing \(corrected\): time: /);
    assert.match(text, /1 form\(s\) not gated/);
  });

  it('JUnit: a plan case and a time case per gated form; a half left out of --fail-on does not fail its case', async () => {
    const { renderAbJunit } = await import('../../src/report/ab-junit.ts');
    const { allElements, parseXml } = await import('../support/xml.ts');
    for (const [failOn, failures] of [[['plan', 'time'], 1], [['plan'], 0]] as const) {
      const cases = allElements(parseXml(renderAbJunit(await doc([...failOn]))), 'testcase');
      assert.deepEqual(cases.map((c) => c.attrs.classname), ['execbench.ab.plan', 'execbench.ab.time', 'execbench.ab.plan', 'execbench.ab.time']);
      assert.equal(cases.filter((c) => c.children.some((x) => x.name === 'failure')).length, failures, `--fail-on ${failOn.join(',')}`);
    }
  });

  it('the HTML draws the ratios against the minimum effect and names both sides', async () => {
    const { buildRatioChart, renderAbHtml } = await import('../../src/report/ab-html.ts');
    const d = await doc(['plan', 'time']);
    const chart = buildRatioChart(d) as unknown as { data: { values: { form: string; status: string }[] } };
    assert.deepEqual(chart.data.values.map((v) => [v.form, v.status]), [['paginated-listing (corrected)', 'regressed'], ['recent-failures (corrected)', 'passed']]);
    const html = await renderAbHtml(d);
    assert.match(html, /<h1>execbench ab: FAILED<\/h1>/);
    assert.match(html, /<svg/);
  });
});
