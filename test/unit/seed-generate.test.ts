import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DATASET_SHAPE } from '../../src/seed/config.ts';
import { COPY_COLUMNS, apportion, focusFacts, generateCopyChunks } from '../../src/seed/generate.ts';
import { copyEscape } from '../../src/seed/pools.ts';

const DAY_MS = 86_400_000;
const FOCUS_ROWS = 50_000;
const ANCHOR_MS = Date.parse(DATASET_SHAPE.time.anchor);

type Row = Record<(typeof COPY_COLUMNS)[number], string | null>;

function generate(focusRows: number, seed: number, chunkBytes?: number) {
  const generated = generateCopyChunks({ scale: { focusRows }, seed, chunkBytes });
  const chunks = [...generated.chunks];
  return { ...generated, chunks };
}

function parseRows(chunks: Buffer[]): Row[] {
  const text = Buffer.concat(chunks).toString('utf8');
  assert.ok(text.endsWith('\n'));
  return text.slice(0, -1).split('\n').map((line) => {
    const fields = line.split('\t');
    assert.equal(fields.length, COPY_COLUMNS.length, `row has ${fields.length} fields: ${line}`);
    return Object.fromEntries(COPY_COLUMNS.map((c, i) => [c, fields[i] === '\\N' ? null : fields[i]!])) as Row;
  });
}

function sha256(chunks: Buffer[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

const ts = (value: string) => Date.parse(value.replace(' ', 'T').replace('+00', 'Z'));

const sample = generate(FOCUS_ROWS, 42);
const rows = parseRows(sample.chunks);
const focusId = sample.plan.tenants[0]!.id;
const focusRows = rows.filter((r) => r.tenant_id === focusId);

test('the same seed gives byte-identical chunks, whatever the chunk size', () => {
  const again = generate(FOCUS_ROWS, 42);
  assert.equal(sha256(again.chunks), sha256(sample.chunks));
  const small = generate(FOCUS_ROWS, 42, 16 * 1024);
  assert.ok(small.chunks.length > sample.chunks.length);
  assert.equal(sha256(small.chunks), sha256(sample.chunks));
});

test('a different seed gives different rows and different tenant ids', () => {
  const other = generate(FOCUS_ROWS, 43);
  assert.notEqual(sha256(other.chunks), sha256(sample.chunks));
  assert.notEqual(other.plan.tenants[0]!.id, focusId);
});

test('chunks are large and the tally matches what was produced', () => {
  assert.ok(sample.chunks.slice(0, -1).every((c) => c.length >= 256 * 1024));
  assert.equal(sample.tally.complete, true);
  assert.equal(sample.tally.rows, rows.length);
  assert.equal(sample.tally.bytes, sample.chunks.reduce((sum, c) => sum + c.length, 0));
});

test('the focus tenant has exactly the scale; 9 others add at least 30% more', () => {
  assert.equal(focusRows.length, FOCUS_ROWS);
  const tenants = new Set(rows.map((r) => r.tenant_id));
  assert.ok(tenants.size >= 10, `tenants ${tenants.size}`);
  assert.ok(rows.length - FOCUS_ROWS >= 0.3 * FOCUS_ROWS);
  assert.equal(sample.plan.totalRows, rows.length);
});

test('rows arrive in chronological order across tenants', () => {
  let previous = Number.NEGATIVE_INFINITY;
  const tenantsSeen = new Set<string>();
  for (const row of rows.slice(0, 2000)) tenantsSeen.add(row.tenant_id!);
  assert.ok(tenantsSeen.size >= 5, 'tenants interleave rather than arriving one after another');
  for (const row of rows) {
    // Never-started rows are ordered by their creation time.
    const t = row.started_at ? ts(row.started_at) : ts(row.created_at!);
    assert.ok(t >= previous, `row at ${row.started_at ?? row.created_at} after epoch ms ${previous}`);
    previous = t;
  }
});

test('started_at spans 90 days before the fixed anchor and the last 7 days hold about 10% of rows', () => {
  const started = focusRows.filter((r) => r.started_at).map((r) => ts(r.started_at!));
  const min = Math.min(...started);
  const max = Math.max(...started);
  assert.ok(min >= ANCHOR_MS - 90 * DAY_MS && min < ANCHOR_MS - 89 * DAY_MS, `oldest ${new Date(min).toISOString()}`);
  assert.ok(max < ANCHOR_MS && max > ANCHOR_MS - DAY_MS);
  const lastWeek = started.filter((t) => t >= ANCHOR_MS - 7 * DAY_MS).length / FOCUS_ROWS;
  assert.ok(lastWeek > 0.09 && lastWeek < 0.115, `last-7-days share ${lastWeek}`);
});

test('normalized_status is ~7% error, ~0.5% running, ~1% waiting among non-legacy rows', () => {
  const current = focusRows.filter((r) => r.normalized_status !== null && r.started_at !== null);
  const share = (status: string) => current.filter((r) => r.normalized_status === status).length / current.length;
  assert.ok(Math.abs(share('error') - 0.07) < 0.006, `error ${share('error')}`);
  assert.ok(Math.abs(share('running') - 0.005) < 0.002, `running ${share('running')}`);
  assert.ok(Math.abs(share('waiting') - 0.01) < 0.003, `waiting ${share('waiting')}`);
  assert.ok(share('success') > 0.9);
  assert.deepEqual(new Set(current.map((r) => r.normalized_status)), new Set(['success', 'error', 'running', 'waiting']));
});

test('legacy rows with NULL normalized_status are all older than 60 days and about half of those', () => {
  const legacy = focusRows.filter((r) => r.normalized_status === null);
  const cutoff = ANCHOR_MS - DATASET_SHAPE.legacy.olderThanDays * DAY_MS;
  assert.ok(legacy.length > 0);
  assert.ok(legacy.every((r) => ts(r.started_at ?? r.created_at!) < cutoff));
  const older = focusRows.filter((r) => ts(r.started_at ?? r.created_at!) < cutoff).length;
  assert.ok(Math.abs(legacy.length / older - DATASET_SHAPE.legacy.share) < 0.03, `legacy share ${legacy.length / older}`);
});

test('about 0.01% never started: status new, no started_at, finished_at or duration', () => {
  const never = focusRows.filter((r) => r.started_at === null);
  assert.equal(never.length, Math.round(FOCUS_ROWS * DATASET_SHAPE.neverStartedShare));
  for (const row of never) {
    assert.equal(row.status, 'new');
    assert.equal(row.finished_at, null);
    assert.equal(row.duration_ms, null);
    assert.ok(row.created_at);
  }
  // Every tenant has at least one, so idx_executions_null_started_at is never empty.
  assert.ok(generate(100, 1).chunks.toString().includes('\tnew\t'));
});

test('duration_ms is log-normal (median near 1.2 s, long tail) and NULL exactly when unfinished', () => {
  const durations: number[] = [];
  for (const row of focusRows) {
    const unfinished = row.started_at === null || row.status === 'running' || row.status === 'waiting';
    assert.equal(row.duration_ms === null, unfinished, `status ${row.status} duration ${row.duration_ms}`);
    assert.equal(row.finished_at === null, unfinished);
    if (!unfinished) {
      const d = Number(row.duration_ms);
      assert.equal(ts(row.finished_at!) - ts(row.started_at!), d);
      durations.push(d);
    }
  }
  durations.sort((a, b) => a - b);
  const median = durations[Math.floor(durations.length / 2)]!;
  const p99 = durations[Math.floor(durations.length * 0.99)]!;
  assert.ok(median > 1000 && median < 1400, `median ${median}`);
  assert.ok(p99 > 10 * median, `p99 ${p99} vs median ${median}`);
});

test('error rows carry an error message, other rows none', () => {
  for (const row of focusRows) {
    assert.equal(row.error_message !== null, row.status === 'error' || row.status === 'crashed' || row.status === 'canceled');
  }
});

test('each tenant has 2-5 environments with skewed traffic, the busiest taking most rows', () => {
  for (const tenant of sample.plan.tenants) {
    assert.ok(tenant.environments.length >= 2 && tenant.environments.length <= 5);
  }
  const byEnv = new Map<string, number>();
  for (const row of focusRows) byEnv.set(row.environment_id!, (byEnv.get(row.environment_id!) ?? 0) + 1);
  const counts = [...byEnv.values()].sort((a, b) => b - a);
  assert.equal(counts.length, sample.plan.tenants[0]!.environments.length);
  assert.ok(counts[0]! / FOCUS_ROWS > 0.5, `busiest environment share ${counts[0]! / FOCUS_ROWS}`);
  assert.ok(counts[0]! > 3 * counts[1]!);
});

test('each tenant has 10-50 workflows with Zipf-like popularity', () => {
  for (const tenant of sample.plan.tenants) {
    assert.ok(tenant.workflows.length >= 10 && tenant.workflows.length <= 50);
  }
  const byWorkflow = new Map<string, number>();
  for (const row of focusRows) byWorkflow.set(row.workflow_id!, (byWorkflow.get(row.workflow_id!) ?? 0) + 1);
  const counts = [...byWorkflow.values()].sort((a, b) => b - a);
  const median = counts[Math.floor(counts.length / 2)]!;
  assert.ok(counts[0]! > 5 * median, `top ${counts[0]} vs median ${median}`);
  assert.ok(counts[0]! / counts[1]! > 1.6 && counts[0]! / counts[1]! < 2.7, `rank1/rank2 ${counts[0]! / counts[1]!}`);
});

test('execution_id is unique per (tenant, environment) and NULL on about 1% of rows', () => {
  const seen = new Set<string>();
  let nulls = 0;
  for (const row of rows) {
    if (row.execution_id === null) {
      nulls++;
      continue;
    }
    const key = `${row.tenant_id}/${row.environment_id}/${row.execution_id}`;
    assert.ok(!seen.has(key), `duplicate ${key}`);
    seen.add(key);
  }
  assert.ok(Math.abs(nulls / rows.length - 0.01) < 0.002, `NULL execution_id share ${nulls / rows.length}`);
});

test('ids are unique v4 UUIDs and the payload is valid JSON', () => {
  const ids = new Set(rows.map((r) => r.id));
  assert.equal(ids.size, rows.length);
  for (const row of rows.slice(0, 1000)) {
    assert.match(row.id!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(typeof JSON.parse(row.data!), 'object');
    assert.ok(Object.keys(DATASET_SHAPE.modes).includes(row.mode!));
  }
});

test('focusFacts lists environments and workflows busiest first with the counts generated', () => {
  const facts = focusFacts(sample.plan, sample.tally);
  assert.equal(facts.tenantId, focusId);
  const envCounts = facts.environments.map((e) => e.rows);
  assert.deepEqual(envCounts, [...envCounts].sort((a, b) => b - a));
  assert.equal(envCounts.reduce((a, b) => a + b, 0), FOCUS_ROWS);
  const wf = facts.workflows;
  assert.equal(wf.reduce((a, b) => a + b.rows, 0), FOCUS_ROWS);
  const topWorkflowRows = focusRows.filter((r) => r.workflow_id === wf[0]!.id).length;
  assert.equal(topWorkflowRows, wf[0]!.rows);
  assert.ok(focusRows.some((r) => r.workflow_name === wf[0]!.name));
});

test('copyEscape escapes backslash, tab, newline and carriage return for COPY text format', () => {
  assert.equal(copyEscape('plain'), 'plain');
  assert.equal(copyEscape('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
});

test('apportion splits exactly, at least one each, in proportion', () => {
  const parts = apportion(1000, [0.5, 0.3, 0.2]);
  assert.deepEqual(parts, [500, 300, 200]);
  const tiny = apportion(9, [0.9, 0.05, 0.05, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(tiny, [1, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.throws(() => apportion(2, [0.5, 0.3, 0.2]));
});
