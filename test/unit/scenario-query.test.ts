// A team's own query (defineQuery, --queries): loaded and checked before any server starts, judged on the team's
// limit, and never reported as a finding about the document.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ScenarioError, UsageError } from '../../src/errors.ts';
import { PathError } from '../../src/paths.ts';
import { renderJunitXml } from '../../src/report/junit.ts';
import { renderMarkdownSummary } from '../../src/report/markdown.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderResultsTable, renderTeamQueries, renderWarnings } from '../../src/report/console.ts';
import { decideExit } from '../../src/gate/verdict.ts';
import type { RunResults, ScenarioResult } from '../../src/results.ts';
import { deriveFindings } from '../../src/runner/findings.ts';
import { thresholdFor } from '../../src/runner/thresholds.ts';
import { noRowsWarning } from '../../src/runner/warnings.ts';
import { checkExpectedIndexes, createDryPicker, PICKER_HELPERS } from '../../src/scenario/check.ts';
import { loadScenarios, loadScenarioSet, validateScenario } from '../../src/scenario/load.ts';
import { defineQuery } from '../../src/scenario/query.ts';
import { DATASET_SHAPE, mergeShape } from '../../src/seed/config.ts';
import { datasetFingerprint } from '../../src/seed/dataset.ts';
import { planDataset } from '../../src/seed/generate.ts';
import { indexNamesInSql, seededIndexNames } from '../../src/seed/schema-files.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INDEX = pathToFileURL(path.join(ROOT, 'src/index.ts')).href;
const EXAMPLE_DIR = path.join(ROOT, 'examples/app/execbench/queries');

const folders: string[] = [];
after(() => { for (const dir of folders) rmSync(dir, { recursive: true, force: true }); });

/** A fresh folder holding query files (an ES module package, as a team's app would be). */
function queryDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'execbench-queries-'));
  folders.push(dir);
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** A query file; `params` and `expect` are spliced in as source text, on lines 6 and 7. */
function queryFile(params: string, expect = "{ indexes: ['idx_executions_tenant_env_started'] }"): string {
  return [
    `import { defineQuery } from '${INDEX}';`,
    'export default defineQuery({',
    "  title: 'Recent runs',",
    "  kind: 'read',",
    "  sql: 'SELECT * FROM executions WHERE tenant_id = $1 AND started_at >= $2 LIMIT 10',",
    `  params: ${params},`,
    `  expect: ${expect},`,
    "  limits: { p95Ms: 50, clock: 'client' },",
    '});',
    '',
  ].join('\n');
}

const GOOD_PARAMS = '(pick) => [pick.tenant(), pick.daysBeforeAnchor(1)]';

describe('defineQuery: a team query is a kind of its own', () => {
  it('needs no spec or documented form; its limit is the team\'s, named with its file, never derived', () => {
    const s = validateScenario(defineQuery({
      title: 'Mine', kind: 'read', sql: 'SELECT 1', params: () => [], limits: { p95Ms: 50, clock: 'client' },
    }), 'queries/mine.ts', 'mine');
    assert.equal(s.origin, 'team');
    assert.equal(s.spec, 'your query, queries/mine.ts');
    assert.equal(s.documented.sql, 'SELECT 1');
    assert.deepEqual(s.expect, {});
    for (const scale of ['100k', '1m'] as const) {
      assert.deepEqual(s.thresholds![scale], { p95Ms: 50, clock: 'client', source: 'your limit, queries/mine.ts' });
    }
    // At a custom scale the team's single limit applies as written: not borrowed, not derived.
    const at20k = thresholdFor(s, { label: '20000', focusRows: 20_000 })!;
    assert.equal(at20k.derived, undefined);
    assert.equal(at20k.source, 'your limit, queries/mine.ts');
  });

  it('per-scale limits name their scale; at a custom scale the nearest applies, still the team\'s', () => {
    const s = validateScenario(defineQuery({
      title: 'Mine', kind: 'read', sql: 'SELECT 1', params: () => [],
      limits: { '100k': { p95Ms: 5, clock: 'server' }, '1m': { p95Ms: 20, clock: 'server' } },
    }), 'queries/mine.ts', 'mine');
    assert.equal(s.thresholds!['1m'].source, 'your limit for 1m, queries/mine.ts');
    const at20k = thresholdFor(s, { label: '20000', focusRows: 20_000 })!;
    assert.equal(at20k.p95Ms, 5);
    assert.notEqual(at20k.derived, true);
    assert.equal(at20k.source, 'your limit for 100k, queries/mine.ts, applied at 20000 rows (the nearest named scale)');
  });

  it('checks its own fields, naming the file and what was expected', () => {
    const base = { origin: 'team', title: 'Mine', kind: 'read', sql: 'SELECT 1', params: () => [], limits: { p95Ms: 5, clock: 'client' } };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, limits: undefined }, /^Invalid query 'q\/x\.ts': expected limits \(\{ p95Ms, clock \}, per scale .*or null\), received undefined$/],
      [{ ...base, kind: 'statement' }, /^Invalid query 'q\/x\.ts': expected kind \('read' \| 'write'\), received 'statement'$/],
      [{ ...base, limit: 5 }, /^Invalid query 'q\/x\.ts': unknown field 'limit'; a query has title, kind, sql, params, expect, limits/],
      [{ ...base, expect: { index: ['x'] } }, /^Invalid query 'q\/x\.ts': unknown field 'expect\.index'; expect has indexes, noSeqScanOn/],
      [{ ...base, limits: { p95Ms: 5 } }, /^Invalid query 'q\/x\.ts': expected limits\.clock \('client' or 'server'\), received undefined$/],
      [{ ...base, limits: { '100k': { p95Ms: 5, clock: 'client' } } }, /expected limits\['1m'\]\.p95Ms/],
      [{ ...base, limits: { '20k': { p95Ms: 5, clock: 'client' } } }, /expected limits keyed by '100k' and '1m'.*not '20k'/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => validateScenario(value, 'q/x.ts', 'x'), (e: unknown) => e instanceof ScenarioError && message.test(e.message) && e.exitCode === 3, JSON.stringify(Object.keys(value)));
    }
    const missing = { ...base } as Record<string, unknown>;
    delete missing.limits;
    assert.throws(() => validateScenario(missing, 'q/x.ts', 'x'), /expected limits \(\{ p95Ms, clock \}.*received undefined/);
  });
});

describe('loader checks, before any server starts', () => {
  it('a helper that does not exist -> file:line and the list of helpers', async () => {
    const dir = queryDir({ 'bad-helper.ts': queryFile('(pick) => [pick.tenant(), pick.hoursBeforeAnchor(24)]') });
    await assert.rejects(loadScenarios(dir), (e: unknown) => {
      assert.ok(e instanceof ScenarioError && e.exitCode === 3);
      const file = path.join(dir, 'bad-helper.ts');
      assert.equal(e.message, `${file}:6: pick.hoursBeforeAnchor is not a picker helper; the helpers are ${PICKER_HELPERS.join(', ')} (src/scenario/define.ts ParamPicker)`);
      return true;
    });
    assert.ok(PICKER_HELPERS.includes('tenant') && PICKER_HELPERS.includes('daysBeforeAnchor') && PICKER_HELPERS.length === 12);
  });

  it('a helper given a bad argument, or used without its parentheses, is named too', async () => {
    const typo = queryDir({ 'typo.ts': queryFile("(pick) => [pick.tenant(), pick.workflow('popualr' as 'popular')]") });
    await assert.rejects(loadScenarios(typo), /typo\.ts:6: pick\.workflow\("popualr"\): give 'popular' or 'rare'$/);
    const bare = queryDir({ 'bare.ts': queryFile('(pick) => [pick.tenant, pick.daysBeforeAnchor(1)] as unknown[]') });
    await assert.rejects(loadScenarios(bare), /bare\.ts: params returns a function as \$1: write pick\.tenant\(\), not pick\.tenant$/);
  });

  it('a file that does not compile, or throws while it loads, is named with its line', async () => {
    const broken = queryDir({ 'broken.ts': "export default {\n  title: 'x',\n  sql: 'SELECT 1'\n  kind: 'read',\n};\n" });
    await assert.rejects(loadScenarios(broken), (e: unknown) => e instanceof ScenarioError && e.exitCode === 3
      && e.message.startsWith(`Cannot load '${path.join(broken, 'broken.ts')}:4': `) && /Expected "}" but found "kind"/.test(e.message) && !e.message.includes('\n'));
    const throws = queryDir({ 'throws.ts': 'const x: any = undefined;\nexport default { title: x.y };\n' });
    await assert.rejects(loadScenarios(throws), /^ScenarioError: Cannot load '.*throws\.ts:2': Cannot read properties of undefined \(reading 'y'\)$/);
  });

  it('the dry picker gives the real helpers plausible values and refuses unknown ones', () => {
    const pick = createDryPicker();
    assert.equal(pick.anchor(), DATASET_SHAPE.time.anchor);
    assert.match(pick.tenant(), /^[0-9a-f-]{36}$/);
    assert.equal(pick.daysBeforeAnchor(1), '2026-10-31T00:00:00.000Z');
    assert.throws(() => (pick as unknown as Record<string, () => void>).yesterday!(), /pick\.yesterday is not a picker helper/);
  });

  it('every built-in scenario passes the dry picker and expects only indexes the seeded schema creates', async () => {
    const all = await loadScenarios();
    assert.ok(all.length >= 20);
    assert.doesNotThrow(() => checkExpectedIndexes(all, seededIndexNames(), 'the seeded schema'));
  });

  it('a typo in an expected index -> "no such index" naming it, its file and line, and the known names', async () => {
    const dir = queryDir({ 'typo-index.ts': queryFile(GOOD_PARAMS, "{ indexes: ['idx_executions_tenant_env_strated'] }") });
    const loaded = await loadScenarios(dir);
    const known = seededIndexNames();
    assert.throws(() => checkExpectedIndexes(loaded, known, 'the seeded schema (schema/*.sql, schema/optional/*.sql)'), (e: unknown) => {
      assert.ok(e instanceof ScenarioError && e.exitCode === 3);
      assert.equal(e.message, `${path.join(dir, 'typo-index.ts')}:7: expect.indexes names idx_executions_tenant_env_strated: no such index in the seeded schema (schema/*.sql, schema/optional/*.sql) `
        + `(did you mean idx_executions_tenant_env_started?). The indexes there: ${[...known].sort().join(', ')}.`);
      return true;
    });
    // Another engineer's caller: the names of a user's own table, and its name as `where`.
    assert.throws(() => checkExpectedIndexes(loaded, ['runs_pkey'], 'public.runs'), /no such index in public\.runs\. The indexes there: runs_pkey\.$/);
  });

  it('an id defined twice is refused naming both files', async () => {
    const dir = queryDir({ 'recent-failures.ts': queryFile(GOOD_PARAMS) });
    await assert.rejects(loadScenarioSet({ queryDirs: [dir] }), (e: unknown) => {
      assert.ok(e instanceof ScenarioError && e.exitCode === 3);
      assert.equal(e.message, `Scenario id 'recent-failures' is defined twice: scenarios/recent-failures.ts and ${path.join(dir, 'recent-failures.ts')}. The file name is the id: rename one of them.`);
      return true;
    });
  });

  it('--queries folders are checked like other paths: a missing one, a file, an empty one', async () => {
    const dir = queryDir({});
    await assert.rejects(loadScenarioSet({ queryDirs: [path.join(dir, 'nope')] }), (e: unknown) => e instanceof PathError && e.exitCode === 3 && /^--queries '.*nope' does not exist\. Give a folder of query files/.test(e.message));
    await assert.rejects(loadScenarioSet({ queryDirs: [path.join(dir, 'package.json')] }), /--queries '.*package\.json' is a file, not a folder/);
    await assert.rejects(loadScenarioSet({ queryDirs: [dir] }), (e: unknown) => e instanceof UsageError && /holds no query files/.test(e.message));
  });

  it('the worked example loads as a team query with its own limit and an index of the seeded schema', async () => {
    const all = await loadScenarioSet({ queryDirs: [EXAMPLE_DIR] });
    const example = all.filter((s) => s.definition.origin === 'team');
    assert.equal(example.length, 1);
    assert.equal(example[0]!.label, path.relative(process.cwd(), path.join(EXAMPLE_DIR, 'slowest-workflow-runs-24h.ts')));
    assert.doesNotThrow(() => checkExpectedIndexes(example, seededIndexNames(), 'the seeded schema'));
    assert.match(readFileSync(path.join(ROOT, 'docs/add-a-query.md'), 'utf8'), /examples\/app\/execbench\/queries\/slowest-workflow-runs-24h\.ts/, 'the guide points at the example');
  });
});

describe('index names of the schema files', () => {
  it('reads CREATE [UNIQUE] INDEX names and the indexes behind primary keys and unique constraints', () => {
    assert.deepEqual(indexNamesInSql(`CREATE TABLE runs (id int PRIMARY KEY, k text, CONSTRAINT runs_k_key UNIQUE (k));
      -- CREATE INDEX commented_out ON runs(k);
      CREATE UNIQUE INDEX IF NOT EXISTS "Runs By K" ON runs(k);
      create index concurrently runs_k on runs(k);`).sort(), ['Runs By K', 'runs_k', 'runs_k_key', 'runs_pkey']);
    assert.ok(seededIndexNames().includes('executions_pkey'));
    assert.ok(seededIndexNames().includes('idx_execution_stats_daily_tenant_date'), 'optional parts count');
  });
});

/** A team query's result at 20000, as the runner would produce it (the fixture's recent-failures row as a template). */
function teamResult(results: RunResults, over: Partial<ScenarioResult> = {}): ScenarioResult {
  const template = results.scenarios.find((s) => s.scenarioId === 'recent-failures' && s.latencyVerdict)!;
  return {
    ...structuredClone(template), scenarioId: 'slow-panel', origin: 'team', title: 'Slow panel', spec: 'your query, queries/slow-panel.ts',
    form: 'documented', gated: true, threshold: { p95Ms: 0.001, clock: 'server', derived: false, source: 'your limit, queries/slow-panel.ts' },
    outcome: { status: 'failed', violations: [{ kind: 'threshold', message: 'server p95 [0.050, 0.060] ms > 0.001 ms' }] },
    warnings: ["returned no rows at 100k: its parameters matched nothing in the data; the synthetic data's now is 2026-11-01T00:00:00.000Z (pick.anchor())"],
    ...over,
  };
}

const fixture = (): RunResults => JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/results/small.json'), 'utf8'));

describe('a team query in every output', () => {
  it('its failure is never a finding about the document, and the gate names it as your query', async () => {
    const results = fixture();
    const mine = teamResult(results);
    assert.deepEqual(deriveFindings([mine], await loadScenarios()), []);
    results.scenarios = [mine];
    const decision = decideExit(results, undefined, ['contracts', 'thresholds']);
    assert.equal(decision.exitCode, 1);
    assert.deepEqual(decision.reasons, ['slow-panel 100k your query: thresholds: threshold: server p95 [0.050, 0.060] ms > 0.001 ms']);
  });

  it('console: "yours" in the limit column, never starred; a Your queries block with the file; the warning listed', () => {
    const results = fixture();
    results.scenarios.push(teamResult(results));
    const table = renderResultsTable(results);
    const row = table.split('\n').find((l) => l.startsWith('slow-panel'))!;
    assert.match(row, /your query\s+FAIL: p95\s+server .* 0\.001 yours /);
    assert.doesNotMatch(row, /0\.001\*/);
    assert.match(table, /your query \/ yours: a query your team added \(--queries\), judged on your own limit/);
    const team = renderTeamQueries(results);
    assert.match(team, /^Your queries \(1, 1 failing; --queries, judged on your own limits, never spec findings\):\n- \[FAIL: p95\] slow-panel 100k: your limit p95 0\.001 ms server \(queries\/slow-panel\.ts\)\n {4}p95: server p95/);
    assert.match(team, /\n {4}warning: returned no rows at 100k: its parameters matched nothing in the data; the synthetic data's now is 2026-11-01T00:00:00\.000Z \(pick\.anchor\(\)\)$/);
    // The team query's warning is under it; the Warnings block lists the document's scenarios' warnings.
    assert.equal(renderWarnings(results), '');
    const builtIn = results.scenarios.find((s) => s.scenarioId === 'sparkline-7d' && s.scale === '100k')!;
    builtIn.warnings = ['returned no rows at 100k: x'];
    assert.equal(renderWarnings(results), `Warnings (1):\n- sparkline-7d 100k ${builtIn.form}: returned no rows at 100k: x`);
    assert.equal(renderTeamQueries(fixture()), '', 'no team query, no block');
  });

  it('Markdown, JUnit and HTML label the limit as the team\'s and never call it derived or documented', async () => {
    const results = fixture();
    results.datasets[0]!.anchor = '2026-11-01T00:00:00.000Z';
    results.scenarios.push(teamResult(results));
    const md = renderMarkdownSummary(results);
    const verdictRow = md.split('\n').find((l) => l.startsWith('| slow-panel |'))!;
    assert.match(verdictRow, /\| your query \| ❌ fail \|.*\| 0\.001 \(your limit\) \|/);
    assert.match(md, /### Your queries\n\nQueries your team added/);
    assert.match(md, /\| Slow panel \(`slow-panel`\) \| 100k \| ❌ fail \| 0\.001 server \|.*\| `queries\/slow-panel\.ts` \|/);
    assert.match(md, /### Warnings\n\n- ⚠️ slow-panel 100k your query: returned no rows/);
    assert.match(md, /synthetic data's now 2026-11-01T00:00:00\.000Z \(`pick\.anchor\(\)`\)/);

    const xml = renderJunitXml(results);
    const testcase = xml.slice(xml.indexOf('<testcase classname="slow-panel"'));
    assert.match(testcase, /^<testcase classname="slow-panel" name="100k your query"/);
    assert.match(testcase, /your limit: p95 0\.001 ms on the server clock \(your limit, queries\/slow-panel\.ts\)/);
    assert.match(testcase, /warning: returned no rows at 100k/);
    assert.doesNotMatch(testcase.slice(0, testcase.indexOf('</testcase>')), /derived|documented|spec finding/);

    const html = await renderHtmlReport(results);
    const section = html.slice(html.indexOf('<section id="your-queries">'), html.indexOf('</section>', html.indexOf('<section id="your-queries">')));
    assert.match(section, /<h2>Your queries<\/h2>/);
    assert.match(section, /≤ 0\.001 ms server<\/td>.*<code>queries\/slow-panel\.ts<\/code>/);
    const findings = html.slice(html.indexOf('<section id="findings">'), html.indexOf('</section>', html.indexOf('<section id="findings">')));
    assert.doesNotMatch(findings, /slow-panel/);
    const verdicts = html.slice(html.indexOf('data-scenario="slow-panel" data-scale'));
    assert.match(verdicts.slice(0, verdicts.indexOf('</tr>')), / · your limit<\/div>/);
    assert.match(html, /<h4>Your query <span class="tag">gated<\/span><\/h4>/);
    assert.match(html, /<p class="run-warning"><span class="badge warning">warning<\/span> returned no rows at 100k/);
    assert.match(html, /<code>2026-11-01T00:00:00\.000Z<\/code>/);
  });
});

describe('warnings', () => {
  it('a read with parameters that returned no rows in every execution seen is warned about; a write, a catalog read or a read with rows is not', () => {
    assert.equal(noRowsWarning({ kind: 'read', parameters: 2, rowsSeen: [0, 0] }, '20000', '2026-11-01T00:00:00.000Z'),
      "returned no rows at 20000: its parameters matched nothing in the data; the synthetic data's now is 2026-11-01T00:00:00.000Z (pick.anchor())");
    assert.equal(noRowsWarning({ kind: 'read', parameters: 2, rowsSeen: [0, 3] }, '20000', 'x'), undefined);
    assert.equal(noRowsWarning({ kind: 'write', parameters: 2, rowsSeen: [0, 0] }, '20000', 'x'), undefined);
    // The monitoring queries (no parameters) read the catalog: "no unused index" is an answer, not a miss.
    assert.equal(noRowsWarning({ kind: 'read', parameters: 0, rowsSeen: [0, 0] }, '20000', 'x'), undefined);
  });
});

describe('--data-shape: a partial shape merged over the default', () => {
  it('merges field by field, replaces arrays and the modes table, and validates the result', () => {
    const shape = mergeShape({ status: { error: 0.1 }, time: { anchor: '2025-06-01T00:00:00.000Z' }, modes: { webhook: 1 } }, 'shape.json');
    assert.equal(shape.status.error, 0.1);
    assert.equal(shape.status.running, DATASET_SHAPE.status.running, 'untouched fields keep the default');
    assert.equal(shape.time.days, 90);
    assert.equal(shape.time.anchor, '2025-06-01T00:00:00.000Z');
    assert.deepEqual(shape.modes, { webhook: 1 });
    assert.equal(DATASET_SHAPE.status.error, 0.07, 'the default is not changed');
  });

  it('an unknown field, a wrong type or an impossible value names the file and the field', () => {
    assert.throws(() => mergeShape({ tenants: 3 }, "--data-shape 's.json'"), (e: unknown) => e instanceof UsageError && /^--data-shape 's\.json': unknown field 'tenants'; the shape has otherTenants, environments/.test(e.message));
    const named = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);
    assert.throws(() => mergeShape({ status: { error: '7%' } }, 's.json'), named(/^s\.json: status\.error must be a number, got "7%"/));
    assert.throws(() => mergeShape({ status: { error: 0.6, running: 0.5 } }, 's.json'), named(/^s\.json: Invalid dataset shape: status is .* expected error \+ running \+ waiting < 1/));
    assert.throws(() => mergeShape({ time: { anchor: 'soon' } }, 's.json'), /time\.anchor is "soon", expected an ISO timestamp/);
  });

  it('the shape is part of the dataset request: a changed one changes the fingerprint and the generated rows\' window', () => {
    const request = { scale: { label: '20000', focusRows: 20_000 }, seed: 1, indexBuild: 'after' as const, fresh: false, optional: { coveringIndex: true, dailyStats: true } };
    const moved = mergeShape({ time: { anchor: '2025-06-01T00:00:00.000Z' } }, 's.json');
    assert.notEqual(datasetFingerprint({ ...request, shape: moved }, 'c'), datasetFingerprint(request, 'c'), 'a changed shape reseeds');
    assert.equal(datasetFingerprint({ ...request, shape: mergeShape({}, 's.json') }, 'c'), datasetFingerprint(request, 'c'), 'an empty shape file changes nothing');
    assert.equal(planDataset({ scale: { focusRows: 1000 }, seed: 1, shape: moved }).anchorMs, Date.parse('2025-06-01T00:00:00.000Z'));
  });
});
