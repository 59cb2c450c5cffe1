import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, stat, writeFile, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { PathError } from '../../src/paths.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults } from '../../src/results.ts';
import { runReportCommand } from '../../src/commands/report.ts';
import { buildTrendEntries } from '../../src/report/trend.ts';
import { writeReports } from '../../src/report/write-reports.ts';

const FIXTURE = new URL('../fixtures/results/small.json', import.meta.url);
const fixture = async (): Promise<RunResults> => JSON.parse(await readFile(FIXTURE, 'utf8'));

let dir: string;
before(async () => { dir = await mkdtemp(path.join(tmpdir(), 'execbench-report-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

describe('writeReports', () => {
  it('writes the five files and returns their paths', async () => {
    const out = path.join(dir, 'run-a');
    const written = await writeReports(await fixture(), out, { env: {} });
    assert.deepEqual(written.map((p) => path.basename(p)), ['results.json', 'index.html', 'summary.md', 'junit.xml', 'trend.json']);
    assert.deepEqual((await readdir(out)).sort(), ['index.html', 'junit.xml', 'results.json', 'summary.md', 'trend.json']);
    assert.deepEqual(JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')), await fixture());
  });

  it('appends the Markdown summary to $GITHUB_STEP_SUMMARY when set, keeping what was there', async () => {
    const summary = path.join(dir, 'step-summary.md');
    await writeFile(summary, 'earlier step\n');
    await writeReports(await fixture(), path.join(dir, 'run-b'), { env: { GITHUB_STEP_SUMMARY: summary } });
    const text = await readFile(summary, 'utf8');
    assert.ok(text.startsWith('earlier step\n## execbench: '));
    assert.equal(text.slice('earlier step\n'.length), `${await readFile(path.join(dir, 'run-b', 'summary.md'), 'utf8')}\n`);
  });
});

describe('trend export', () => {
  it('has one customSmallerIsBetter entry per gated form with latency: client p95 in ms', async () => {
    const results = await fixture();
    const entries = buildTrendEntries(results);
    const gated = results.scenarios.filter((s) => s.gated && s.latency);
    assert.equal(entries.length, gated.length);
    assert.equal(new Set(entries.map((e) => e.name)).size, entries.length, 'names must be unique');
    const recent = entries.find((e) => e.name === 'recent-failures 1m client p95')!;
    assert.equal(recent.unit, 'ms');
    assert.equal(recent.value, gated.find((s) => s.scenarioId === 'recent-failures' && s.scale === '1m')!.latency!.client.p95Ms);
    // The value stays the client p95 (a stable trend line); the judged verdict rides along in extra.
    assert.match(recent.extra!, /; verdict: server p95 [\d.]+ \[[\d.]+, [\d.]+\] ms \(98\.75% per look, 95% overall\), n=\d+, limit 15 ms: passed$/);
  });
});

describe('runReportCommand', () => {
  it('rebuilds the reports next to results.json without rewriting it', async () => {
    const out = path.join(dir, 'saved');
    await writeReports(await fixture(), out, { env: {} });
    const input = path.join(out, 'results.json');
    await writeFile(input, JSON.stringify(await fixture())); // compact: a rewrite would change it
    const before = await readFile(input, 'utf8');
    await rm(path.join(out, 'index.html'));
    const lines: string[] = [];
    assert.equal(await runReportCommand(input, undefined, { env: {}, log: (l) => lines.push(l) }), 0);
    assert.equal(await readFile(input, 'utf8'), before);
    assert.ok((await stat(path.join(out, 'index.html'))).size > 10_000);
    assert.match(lines.join('\n'), /index\.html/);
  });

  it('writes into --out with a copy of the results', async () => {
    const out = path.join(dir, 'elsewhere');
    assert.equal(await runReportCommand(new URL(FIXTURE).pathname, out, { env: {}, log: () => {} }), 0);
    assert.deepEqual((await readdir(out)).sort(), ['index.html', 'junit.xml', 'results.json', 'summary.md', 'trend.json']);
  });

  it('a missing file -> one-line UsageError naming the path, nothing written', async () => {
    const out = path.join(dir, 'never');
    const missing = path.join(dir, 'nope', 'results.json');
    await assert.rejects(runReportCommand(missing, out, { env: {}, log: () => {} }), (error: Error) => {
      assert.ok(error instanceof PathError && error.exitCode === 3);
      assert.equal(error.message, `Results file '${missing}' does not exist. Pass the results.json a run wrote, e.g. reports/<run-id>/results.json.`);
      return true;
    });
    await assert.rejects(stat(out));
  });

  it('a corrupt file -> one-line UsageError saying it is not valid JSON', async () => {
    const bad = path.join(dir, 'corrupt.json');
    await copyFile(FIXTURE, bad);
    await writeFile(bad, (await readFile(bad, 'utf8')).slice(0, 500));
    await assert.rejects(runReportCommand(bad, path.join(dir, 'never2'), { env: {}, log: () => {} }), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /^Results file '.*corrupt\.json' is not valid JSON \(.+\)\. Re-run execbench to produce it again\.$/);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  });

  it('valid JSON of another shape -> UsageError naming what was expected', async () => {
    const other = path.join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ schemaVersion: RESULTS_SCHEMA_VERSION, runId: 'x', scenarios: 'nope' }));
    await assert.rejects(runReportCommand(other, path.join(dir, 'never3'), { env: {}, log: () => {} }),
      /is not an execbench results document: expected scenarios to be an array, found string\.$/);
    await writeFile(other, JSON.stringify([1, 2]));
    await assert.rejects(runReportCommand(other, path.join(dir, 'never3'), { env: {}, log: () => {} }), /expected a JSON object, found an array/);
  });
});
