// The pgbench reference's pure parts: parameters become literals that mean what the bound parameters meant, the pages
// kinds become weighted scripts within pgbench's 128, pgbench's log and summary parse (fixtures in its documented
// format), and the two targets are judged on the figures the issue names.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  buildPgbenchScripts, generatorLimit, judgeAgreement, judgeCeiling, latencyFigures, parsePgbenchLog, parsePgbenchSummary,
  pgbenchFigures, pgbenchWindowMs, PGBENCH_MAX_SCRIPTS, sameOfferedRate, scriptStatement, sqlLiteral, substituteParams, type CeilingStep, type SideFigures,
} from '../../src/bench/load-pgbench.ts';
import type { LoadReport } from '../../src/load/summary.ts';
import { buildTraffic, type TrafficClass } from '../../src/load/traffic.ts';
import { createParamPicker, type ParamPools } from '../../src/runner/params.ts';
import { loadScenarios } from '../../src/scenario/load.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const pools: ParamPools = {
  tenantId: id(1), environments: [id(2), id(3)], popularWorkflow: id(4), rareWorkflow: id(5),
  executionIds: Array.from({ length: 256 }, (_, i) => id(1000 + i)), engineExecutions: [{ environmentId: id(2), executionId: 'x' }],
  oldestStartedAt: ['2026-08-01T00:00:00.000Z'], neverStartedCutoff: '2026-10-01T00:00:00.000Z', anchorMs: Date.UTC(2026, 10, 1),
};

let pages: TrafficClass;
before(async () => {
  pages = buildTraffic(await loadScenarios()).pages;
});

describe('sqlLiteral: a value as the literal its untyped parameter meant', () => {
  it('strings, numbers and booleans become quoted text the server types from context, as it types $n', () => {
    assert.equal(sqlLiteral(id(1)), `'${id(1)}'`);
    assert.equal(sqlLiteral(4950), "'4950'");
    assert.equal(sqlLiteral(true), "'true'");
    assert.equal(sqlLiteral("it's"), "'it''s'");
    assert.equal(sqlLiteral(null), 'NULL');
    assert.equal(sqlLiteral(undefined), 'NULL');
  });

  it("a backslash gets an E'' literal, a Buffer bytea's hex form", () => {
    assert.equal(sqlLiteral('a\\b'), "E'a\\\\b'");
    assert.equal(sqlLiteral(Buffer.from([1, 255])), "'\\x01ff'");
  });

  it("arrays are node-pg's array literal; a Date its text, its colons escaped so pgbench reads no :variable", () => {
    assert.equal(sqlLiteral(['a', 'b"c']), "E'{\"a\",\"b\\\\\"c\"}'");
    const date = sqlLiteral(new Date(Date.UTC(2026, 10, 1, 10, 30)));
    assert.match(date, /^U&'2026-11-01T10\\003A30\\003A00\.000\+00\\003A00'$/, 'TZ is UTC in this test run');
    assert.ok(!date.includes(':'));
  });

  it("a colon not before a name character is left alone (':' before a space or a slash is no variable)", () => {
    assert.equal(sqlLiteral('a: b'), "'a: b'");
    assert.equal(sqlLiteral('http://x'), "'http://x'");
    assert.equal(sqlLiteral("x:y'z\\"), "U&'x\\003Ay''z\\\\'");
  });
});

describe('substituteParams', () => {
  it('replaces $1 and $10 each with its own value in one pass', () => {
    const values = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
    assert.equal(substituteParams('SELECT $1, $10, $2', values), "SELECT 'v1', 'v10', 'v2'");
  });

  it('leaves $n inside string literals, quoted identifiers, comments and dollar quotes alone', () => {
    const sql = `SELECT '$1', "$1", E'\\'$1', $$ $1 $$, $f$ $1 $f$, $1 -- $1\n/* $1 */ FROM t`;
    assert.equal(substituteParams(sql, ['x']), `SELECT '$1', "$1", E'\\'$1', $$ $1 $$, $f$ $1 $f$, 'x' -- $1\n/* $1 */ FROM t`);
  });

  it('a placeholder without a value is an error naming it', () => {
    assert.throws(() => substituteParams('SELECT $1, $3', ['a', 'b']), /\$3 has no value \(2 given\) in: SELECT \$1, \$3/);
  });
});

describe('scriptStatement', () => {
  it("the deep page's SQL with its picker's values: literals in place, one semicolon, no placeholder left", () => {
    const kind = pages.kinds.find((k) => k.name === 'page 100')!;
    const statement = kind.statements[0]!;
    const text = scriptStatement(statement.sql, statement.params(createParamPicker(pools, 7)));
    assert.equal(text, `SELECT * FROM executions\nWHERE tenant_id = '${id(1)}' AND environment_id = '${id(2)}' AND started_at IS NOT NULL\nORDER BY started_at DESC\nLIMIT 50 OFFSET '4950';`);
  });

  it('a :name in the SQL itself (which pgbench would substitute) is refused; :: casts are not variables', () => {
    assert.throws(() => scriptStatement('SELECT a[1:n] FROM t WHERE x = $1', [1]), /pgbench would read ':n' as a variable/);
    assert.equal(scriptStatement('SELECT $1::int;', [1]), "SELECT '1'::int;");
  });
});

describe('buildPgbenchScripts on the pages class', () => {
  it("within pgbench's 128 scripts: one per fixed kind, the rest to 'open by id' (256 ids); weights give the shares", () => {
    const plan = buildPgbenchScripts(pages.kinds, (i) => createParamPicker(pools, i));
    assert.ok(plan.scripts.length <= PGBENCH_MAX_SCRIPTS);
    assert.equal(plan.scripts.length, PGBENCH_MAX_SCRIPTS);
    const byId = plan.kinds.find((k) => k.kind === 'open by id')!;
    assert.deepEqual({ scripts: byId.scripts, parameterSets: byId.parameterSets }, { scripts: 120, parameterSets: 256 });
    for (const k of plan.kinds) {
      if (k.kind !== 'open by id') assert.deepEqual([k.kind, k.scripts, k.parameterSets], [k.kind, 1, 1]);
      assert.ok(Math.abs(k.weightedShare - k.share) < 1e-9, `${k.kind}: ${k.weightedShare} vs ${k.share}`);
    }
    const total = plan.scripts.reduce((s, x) => s + x.weight, 0);
    const page1 = plan.scripts.filter((s) => s.kindName === 'page 1');
    assert.equal(page1.length, 1);
    assert.equal(page1[0]!.weight / total, 0.45);
  });

  it("every script is its kind's SQL with literals: distinct ids for 'open by id', no placeholder left", () => {
    const plan = buildPgbenchScripts(pages.kinds, (i) => createParamPicker(pools, i));
    const ids = plan.scripts.filter((s) => s.kindName === 'open by id').map((s) => /id = '([^']+)'/.exec(s.text)?.[1]);
    assert.equal(new Set(ids).size, 120);
    assert.equal(ids[0], id(1000));
    for (const s of plan.scripts) {
      assert.doesNotMatch(s.text, /\$\d/);
      assert.match(s.text, /^SELECT \* FROM executions[\s\S]*;\n$/);
    }
  });

  it('a smaller budget is shared by share among the kinds that rotate; more kinds than scripts is refused', () => {
    const statements = (column: string) => [{ scenarioId: 's', sql: `SELECT ${column} FROM t WHERE id = $1`, params: (pick: ReturnType<typeof createParamPicker>) => [pick.executionId()] }];
    const kinds = [
      { name: 'a', share: 0.75, statements: statements('a') },
      { name: 'b', share: 0.25, statements: statements('b') },
    ];
    const plan = buildPgbenchScripts(kinds, (i) => createParamPicker(pools, i), { maxScripts: 10 });
    assert.deepEqual(plan.kinds.map((k) => k.scripts), [7, 3]);
    assert.ok(plan.kinds.every((k) => Math.abs(k.weightedShare - k.share) < 1e-5));
    assert.throws(() => buildPgbenchScripts(kinds, (i) => createParamPicker(pools, i), { maxScripts: 1 }), /2 kinds of request, and pgbench runs at most 1 scripts/);
  });
});

// pgbench's documented per-transaction log (the -R example of the pgbench reference page), one line failed.
const RATED_LOG = `0 81 4621 0 1412881037 912698 3005
0 82 6173 0 1412881037 914578 4304
0 83 skipped 0 1412881037 914578 5217
1 83 failed 1 1412881037 914578 0
0 84 4142 2 1412881037 918023 2333
`;

describe('parsePgbenchLog', () => {
  it("with -R: 'time' is the latency from the scheduled start, schedule_lag the start delay, both in µs", () => {
    const t = parsePgbenchLog(RATED_LOG);
    assert.equal(t.length, 5);
    assert.deepEqual(t[0], { client: 0, script: 0, status: 'ok', latencyMs: 4.621, lagMs: 3.005, endUnixMs: 1412881037912.698 });
    assert.deepEqual(t.map((x) => x.status), ['ok', 'ok', 'skipped', 'failed', 'ok']);
    assert.equal(t[2]!.latencyMs, undefined);
    assert.equal(t[4]!.script, 2);
  });

  it('without -R there is no lag field; a line that is not a transaction is an error naming it', () => {
    assert.deepEqual(parsePgbenchLog('0 199 2241 0 1175850568 995598\n'), [{ client: 0, script: 0, status: 'ok', latencyMs: 2.241, endUnixMs: 1175850568995.598 }]);
    assert.throws(() => parsePgbenchLog('0 199 2241 0\n'), /Line 1 of the pgbench log is not a transaction: '0 199 2241 0'/);
    assert.throws(() => parsePgbenchLog('0 1 12 0 1 2 3\nclient 0 aborted\n'), /Line 2 of the pgbench log/);
  });
});

describe('parsePgbenchSummary', () => {
  it("reads pgbench 15's count, failures and tps without the initial connection time", () => {
    const stdout = `pgbench (15.20 (Debian 15.20-0+deb12u1), server 17.6)
transaction type: multiple scripts
scaling factor: 1
query mode: extended
number of clients: 10
number of threads: 1
maximum number of tries: 1
duration: 8 s
number of transactions actually processed: 14512
number of failed transactions: 0 (0.000%)
latency average = 5.497 ms
latency stddev = 4.010 ms
initial connection time = 24.917 ms
tps = 1814.313640 (without initial connection time)
SQL script 1: /tmp/x/script-000.sql
 - weight: 450000 (targets 45.0% of total)
 - 6530 transactions (45.0% of total, tps = 816.372148)
`;
    assert.deepEqual(parsePgbenchSummary(stdout), { processed: 14512, failed: 0, tps: 1814.31364 });
    assert.throws(() => parsePgbenchSummary('number of transactions actually processed: 5\n'), /no tps line/);
  });
});

describe('latencyFigures and pgbenchFigures', () => {
  it('one estimator for both tools: mean, p50, p95, p99, max', () => {
    assert.deepEqual(latencyFigures([4, 1, 3, 2, 5]), { count: 5, meanMs: 3, p50Ms: 3, p95Ms: 4.8, p99Ms: 4.96, maxMs: 5 });
    assert.equal(latencyFigures([]), null);
  });

  it("pgbench's window is -T less its connection time (processed / tps); its served share is of rate x that window", () => {
    assert.equal(pgbenchWindowMs({ processed: 3320, failed: 0, tps: 587.799027 }).toFixed(0), '5648');
    const f = pgbenchFigures(parsePgbenchLog(RATED_LOG), 2, 2000);
    assert.equal(f.achievedPerSecond, 1.5);
    assert.equal(f.servedShare, 0.75);
    assert.equal(f.latencyMs?.count, 3);
    assert.equal(f.latencyMs?.maxMs, 6.173);
    assert.equal(f.startLagMs?.p50Ms, 3.005);
    // From the send: time - schedule_lag (4.621 - 3.005, 6.173 - 4.304, 4.142 - 2.333).
    assert.equal(f.serviceMs?.p50Ms.toFixed(3), '1.809');
  });
});

const side = (over: Partial<SideFigures> & { mean?: number; p50?: number; p99?: number } = {}): SideFigures => ({
  offeredPerSecond: 500, achievedPerSecond: over.achievedPerSecond ?? 500, servedShare: over.servedShare ?? 1,
  latencyMs: { count: 4000, meanMs: over.mean ?? 2, p50Ms: over.p50 ?? 1.5, p95Ms: 5, p99Ms: over.p99 ?? 9, maxMs: 30 },
  startLagMs: null, serviceMs: null,
});
const valid = { valid: true, problems: [] as string[] };

describe('judgeAgreement: the same offered rate, the 15% on the achieved rate, the mean and the median', () => {
  it('within 15% on those three is met, however far apart the p99s are (shown, not judged)', () => {
    const a = judgeAgreement(side(), { ...side({ mean: 2.2, p50: 1.7, p99: 18 }), ...valid });
    assert.equal(a.met, true);
    assert.ok(Math.abs(a.ratios.meanMs - 1.1) < 1e-12);
    assert.equal(a.ratios.p99Ms, 2);
    assert.deepEqual(a.problems, []);
  });

  it('a mean 20% higher fails, naming the figure and the ratio', () => {
    const a = judgeAgreement(side(), { ...side({ mean: 2.4 }), ...valid });
    assert.equal(a.met, false);
    assert.deepEqual(a.problems, ["mean latency from schedule: execbench's is 1.20x pgbench's (beyond 15.0%)"]);
  });

  it('not below saturation, or an execbench run its own gates call invalid, is not agreement', () => {
    const saturated = judgeAgreement(side({ servedShare: 0.9 }), { ...side(), ...valid });
    assert.equal(saturated.met, false);
    assert.match(saturated.problems[0]!, /^pgbench served 90\.0% of its schedule at 500\.0\/s \(under 95\.0%\): not below saturation/);
    const invalid = judgeAgreement(side(), { ...side(), valid: false, problems: ['the pool of 10 was exhausted'] });
    assert.deepEqual(invalid.problems, ["execbench's run is invalid by its own gates (the pool of 10 was exhausted)"]);
  });
});

const step = (factor: number, achievedPerSecond: number, generatorLimit: string | null = null): CeilingStep => ({
  factor, offeredPerSecond: 2000 * factor, achievedPerSecond, execbenchCores: 0.5, generatorLimit,
});

describe('judgeCeiling: 80% of pgbench\'s ceiling before execbench limits itself', () => {
  it('met at the first step that reaches 80% with execbench not its own limit', () => {
    const j = judgeCeiling(2000, [step(0.8, 1580), step(1, 1700), step(1.2, 1750, 'its own CPU: 0.85 of one core')]);
    assert.equal(j.met, true);
    assert.equal(j.reachedAt, 1);
    assert.equal(j.bestUnlimitedPerSecond, 1700);
    assert.match(j.words, /^met: at 1x pgbench's ceiling execbench achieved 1700\/s \(85% of pgbench's 2000\/s\)/);
  });

  it('a step that reaches 80% only while execbench limited itself does not count', () => {
    const j = judgeCeiling(2000, [step(0.8, 1500), step(1, 1650, 'its own CPU: 0.91 of one core'), step(1.2, 1640, 'schedule lag')]);
    assert.equal(j.met, false);
    assert.equal(j.bestUnlimitedPerSecond, 1500);
    assert.match(j.words, /^NOT met: execbench achieved at most 1500\/s \(75%\) where it was not its own limit/);
  });

  it('says where execbench limited itself below 80%', () => {
    const j = judgeCeiling(2000, [step(0.8, 1400, 'its own CPU: 0.92 of one core'), step(1, 1420, 'its own CPU: 0.95 of one core'), step(1.2, 1410, 'x')]);
    assert.match(j.words, /^NOT met: at 0\.8x execbench limited itself \(its own CPU: 0\.92 of one core\) at 1400\/s \(70%\)/);
  });
});

describe('sameOfferedRate', () => {
  it("half the lower ceiling, so both tools run below saturation (half of pgbench's 5662/s is over execbench's 1500/s)", () => {
    assert.equal(sameOfferedRate(5662, 1500), 750);
    assert.equal(sameOfferedRate(900, 1500), 450);
    assert.equal(sameOfferedRate(1, 0.5), 1);
  });
});

describe('generatorLimit', () => {
  const report = (cores: number, gates: LoadReport['gates']) => ({ gates, generator: { cpu: { execbenchCores: cores, machineCores: 2 } } }) as unknown as LoadReport;
  it("its own CPU at 0.8 of a core, or a failed gate whose cause is execbench; the server's gates are not its", () => {
    assert.equal(generatorLimit(report(0.5, [{ gate: 'pool', ok: false, cause: 'overload', words: 'pool exhausted' }])), null);
    assert.equal(generatorLimit(report(0.85, [])), 'its own CPU: 0.85 of one core (the bound is 0.8)');
    assert.equal(generatorLimit(report(0.3, [{ gate: 'schedule-lag', ok: false, cause: 'execbench', words: 'late by 40 ms' }])), 'late by 40 ms');
  });
});
