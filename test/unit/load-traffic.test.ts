// Traffic as typed data (pure): the classes are the scenarios' own corrected SQL and ParamPicker, --rate parses or
// says exactly what is wrong, and a run too short to judge is refused before anything starts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildTraffic, checkJudgeable, DEFAULT_RATES, formatRates, IngestLedger, parseRates, type TrafficClass, type LoadClass } from '../../src/load/traffic.ts';
import { createParamPicker, type ParamPools } from '../../src/runner/params.ts';
import { loadScenarios, type LoadedScenario } from '../../src/scenario/load.ts';

const pools: ParamPools = {
  tenantId: 't', environments: ['e1', 'e2'], popularWorkflow: 'wp', rareWorkflow: 'wr',
  executionIds: ['a', 'b'], engineExecutions: [{ environmentId: 'e2', executionId: 'seeded-1' }],
  oldestStartedAt: ['2026-08-01T00:00:00.000Z'], neverStartedCutoff: '2026-10-01T00:00:00.000Z', anchorMs: Date.UTC(2026, 10, 1),
};

let scenarios: LoadedScenario[];
let traffic: Record<LoadClass, TrafficClass>;
before(async () => {
  scenarios = await loadScenarios();
  traffic = buildTraffic(scenarios);
});

describe('buildTraffic', () => {
  it("every statement is its scenario's corrected SQL where there is one, verbatim (nothing retyped)", () => {
    for (const cls of Object.values(traffic)) {
      for (const kind of cls.kinds) {
        for (const statement of kind.statements) {
          const scenario = scenarios.find((s) => s.id === statement.scenarioId)!;
          assert.equal(statement.sql, (scenario.definition.corrected ?? scenario.definition.documented).sql, `${cls.name}/${kind.name}`);
        }
      }
    }
    assert.match(traffic.retention.kinds[0]!.statements[0]!.sql, /WHERE id IN \(/);
    assert.match(traffic.ingest.kinds[0]!.statements[0]!.sql, /WHERE execution_id IS NOT NULL/);
  });

  it("the dashboard sends the ObservabilityPage group's four widgets in page order, on one connection", () => {
    assert.deepEqual(traffic.dashboard.kinds.map((k) => k.statements.map((s) => s.scenarioId)),
      [['sparkline-7d', 'covering-percentiles', 'recent-failures', 'daily-stats-view']]);
    const group = scenarios.filter((s) => s.definition.groups?.includes('observability-page')).map((s) => s.id).sort();
    assert.deepEqual([...traffic.dashboard.kinds[0]!.statements.map((s) => s.scenarioId)].sort(), group);
  });

  it('each class\'s shares sum to 1; the promises are the Overview\'s (dashboard 2 s, pages 500 ms)', () => {
    for (const cls of Object.values(traffic)) assert.ok(Math.abs(cls.kinds.reduce((s, k) => s + k.share, 0) - 1) < 1e-9, cls.name);
    assert.equal(traffic.dashboard.promise?.p95Ms, 2000);
    assert.equal(traffic.pages.promise?.p95Ms, 500);
    assert.equal(traffic.ingest.promise, undefined);
    assert.equal(traffic.retention.arrivals, 'periodic');
    assert.equal(traffic.pages.arrivals, 'poisson');
  });

  it('retention deletes rows older than 30 days before the anchor, for the focus tenant', () => {
    const params = traffic.retention.kinds[0]!.statements[0]!.params(createParamPicker(pools, 0));
    assert.deepEqual(params, ['t', new Date(pools.anchorMs - 30 * 86_400_000).toISOString()]);
  });
});

describe('the ingest ledger', () => {
  it('a status update goes to an execution this run inserted (once it committed), else to a seeded one', () => {
    const ledger = new IngestLedger();
    const [insert, update] = traffic.ingest.kinds;
    const before = ledger.forRequest(createParamPicker(pools, 0));
    assert.deepEqual(update!.statements[0]!.params(before.pick).slice(2, 6), ['e2', 'wp', 'Upserted by execbench', 'seeded-1']);
    const inserting = ledger.forRequest(createParamPicker(pools, 7));
    const values = insert!.statements[0]!.params(inserting.pick);
    assert.equal(values[5], 'execbench-new-7');
    assert.equal(ledger.running, 0, 'not before it committed');
    inserting.committed?.();
    assert.equal(ledger.running, 1);
    const after = ledger.forRequest(createParamPicker(pools, 8));
    const updated = update!.statements[0]!.params(after.pick);
    assert.deepEqual([updated[2], updated[5]], ['e1', 'execbench-new-7']);
    assert.equal(ledger.running, 0);
  });
});

describe('parseRates', () => {
  it('reads class=rate pairs with /s, /min or none, repeated or comma-separated', () => {
    assert.deepEqual(parseRates(['pages=40/s,ingest=10', 'dashboard=120/min']), { pages: 40, ingest: 10, dashboard: 2 });
    assert.deepEqual(parseRates(undefined), { ...DEFAULT_RATES });
    assert.equal(formatRates({ retention: 0.5, pages: 40 }), 'pages=40/s,retention=0.5/s');
  });

  it('refuses, naming the part: a rate of 0 or below, an unknown class, a class twice, a malformed pair, nothing', () => {
    assert.throws(() => parseRates('pages=0/s'), /Invalid --rate 'pages=0\/s': a rate must be above 0/);
    assert.throws(() => parseRates('pages=-3'), /must be above 0/);
    assert.throws(() => parseRates('page=4/s'), /Unknown class 'page' in --rate: the classes are dashboard, pages, ingest, retention/);
    assert.throws(() => parseRates('pages=4,pages=5'), /names 'pages' twice/);
    assert.throws(() => parseRates('pages:4'), /Invalid --rate 'pages:4': write class=rate/);
    assert.throws(() => parseRates(['']), /was given no value/);
  });
});

describe('checkJudgeable', () => {
  it('refuses a run in which a class expects fewer than 5 requests, saying the duration that would do', () => {
    assert.throws(() => checkJudgeable({ retention: 0.5 }, 8000), /too short to judge retention at 0\.5\/s: about 4\.0 requests.*--duration 10s/);
    assert.deepEqual(checkJudgeable({ retention: 0.5 }, 10_000), []);
  });

  it('warns when a promise can fail but not pass in the run (under 99 requests)', () => {
    const warnings = checkJudgeable({ dashboard: 2, pages: 40 }, 20_000);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /dashboard: about 40 requests in 20 s.*--duration 50s/);
  });
});
