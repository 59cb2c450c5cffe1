// The pure row generator: (scale, seed, shape) -> COPY text chunks, byte-for-byte deterministic.
// Rows are produced in started_at order across all tenants (a k-way merge of per-tenant streams),
// as real ingestion appends them, so the heap's physical order correlates with time like production.
import { DATASET_SHAPE, validateShape, type DatasetShape } from './config.ts';
import { buildValuePools, type ValuePools } from './pools.ts';
import {
  createPrng, logNormalSampler, randomUuid, shuffle, uniformInt, weightedTable, zipfTable,
  type Prng, type WeightedTable,
} from './prng.ts';
import type { DatasetInfo, ScaleSpec } from './types.ts';

/** Column order of every COPY chunk. */
export const COPY_COLUMNS = [
  'id', 'tenant_id', 'environment_id', 'workflow_id', 'workflow_name', 'execution_id', 'status',
  'normalized_status', 'mode', 'started_at', 'finished_at', 'duration_ms', 'created_at', 'updated_at',
  'error_message', 'data',
] as const;

const DAY_MS = 86_400_000;
/** 256 KiB: large enough that per-chunk overhead vanishes, small enough to keep memory flat. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** Headroom past chunkBytes so a row never has to be split; a row is ~450 bytes. */
const MAX_ROW_BYTES = 16 * 1024;

/** One tenant's fixed facts: ids, row count, environment and workflow tables. */
export interface TenantPlan {
  id: string;
  rows: number;
  environments: { id: string; name: string }[];
  environmentTable: WeightedTable;
  /** Most popular first (Zipf rank order). */
  workflows: { id: string; name: string; nameCopy: string }[];
  workflowTable: WeightedTable;
  /** Row indexes (0..rows-1, ascending) of executions that never started. */
  neverStarted: number[];
}

/** Everything decided before the first row: the tenants and the time window. */
export interface DatasetPlan {
  seed: number;
  focusRows: number;
  totalRows: number;
  /** Focus tenant first. */
  tenants: TenantPlan[];
  anchorMs: number;
  windowStartMs: number;
  shape: DatasetShape;
  pools: ValuePools;
}

/** Counts kept while generating; complete once the chunk iterable is exhausted. */
export interface GenerationTally {
  rows: number;
  bytes: number;
  complete: boolean;
  /** Rows per tenant, in plan order (focus first). */
  tenantRows: number[];
  /** Focus tenant: rows per environment and per workflow, in plan order. */
  focusEnvironmentRows: number[];
  focusWorkflowRows: number[];
}

/** What generateCopyChunks needs: the scale and the seed (the shape defaults to DATASET_SHAPE). */
export interface GenerationRequest {
  scale: Pick<ScaleSpec, 'focusRows'>;
  seed: number;
  shape?: DatasetShape;
  chunkBytes?: number;
}

/** Decides tenants, environments, workflows and row counts for a request. */
export function planDataset(request: GenerationRequest): DatasetPlan {
  const shape = validateShape(request.shape ?? DATASET_SHAPE);
  const rng = createPrng(request.seed, 1);
  const pools = buildValuePools(request.seed, shape);
  const focusRows = request.scale.focusRows;
  const others = shape.otherTenants.count;
  const otherTotal = Math.max(others, Math.ceil(focusRows * shape.otherTenants.extraRowShare));
  const otherRows = apportion(otherTotal, zipfTable(others, shape.otherTenants.zipfExponent).probabilities);

  const tenants: TenantPlan[] = [focusRows, ...otherRows].map((rows) => {
    const id = randomUuid(rng);
    const envCount = uniformInt(rng, shape.environments.min, shape.environments.max);
    const environments = shape.environments.names.slice(0, envCount).map((name) => ({ id: randomUuid(rng), name }));
    const workflowCount = uniformInt(rng, shape.workflows.min, shape.workflows.max);
    const nameIndexes = shuffle(rng, pools.workflowNames.map((_, i) => i)).slice(0, workflowCount);
    const workflows = nameIndexes.map((i) => ({
      id: randomUuid(rng),
      name: unescapeCopy(pools.workflowNames[i]!),
      nameCopy: pools.workflowNames[i]!,
    }));
    // Spread never-started rows evenly over the tenant's timeline; at least one so its index is never empty.
    const neverCount = Math.min(rows, Math.max(1, Math.round(rows * shape.neverStartedShare)));
    const neverStarted = Array.from({ length: neverCount }, (_, k) => Math.floor(((k + rng.next()) / neverCount) * rows));
    return {
      id,
      rows,
      environments,
      environmentTable: weightedTable(shape.environments.weights.slice(0, envCount)),
      workflows,
      workflowTable: zipfTable(workflowCount, shape.workflows.zipfExponent),
      neverStarted: [...new Set(neverStarted)],
    };
  });

  const anchorMs = Date.parse(shape.time.anchor);
  return {
    seed: request.seed,
    focusRows,
    totalRows: focusRows + otherTotal,
    tenants,
    anchorMs,
    windowStartMs: anchorMs - shape.time.days * DAY_MS,
    shape,
    pools,
  };
}

/** The generated COPY stream: chunks to send, the plan behind them and the live tally. */
export interface GeneratedDataset {
  plan: DatasetPlan;
  tally: GenerationTally;
  chunks: Iterable<Buffer>;
}

/** Pure generator: same request -> identical bytes. Chunks are COPY text rows in COPY_COLUMNS order. */
export function generateCopyChunks(request: GenerationRequest): GeneratedDataset {
  const plan = planDataset(request);
  const focus = plan.tenants[0]!;
  const tally: GenerationTally = {
    rows: 0,
    bytes: 0,
    complete: false,
    tenantRows: plan.tenants.map(() => 0),
    focusEnvironmentRows: focus.environments.map(() => 0),
    focusWorkflowRows: focus.workflows.map(() => 0),
  };
  return { plan, tally, chunks: chunkIterator(plan, tally, request.chunkBytes ?? DEFAULT_CHUNK_BYTES) };
}

function* chunkIterator(plan: DatasetPlan, tally: GenerationTally, chunkBytes: number): Generator<Buffer> {
  const { shape, pools, tenants, anchorMs, windowStartMs } = plan;
  const rng = createPrng(plan.seed, 2);
  const durationMs = logNormalSampler(rng, shape.durationMs.medianMs, shape.durationMs.sigma);
  const statusTable = weightedTable([
    1 - shape.status.error - shape.status.running - shape.status.waiting,
    shape.status.error, shape.status.running, shape.status.waiting,
  ]);
  const errorRaw = Object.keys(shape.errorRawStatus);
  const errorRawTable = weightedTable(Object.values(shape.errorRawStatus));
  const modes = Object.keys(shape.modes);
  const modeTable = weightedTable(Object.values(shape.modes));
  const legacyBeforeMs = anchorMs - shape.legacy.olderThanDays * DAY_MS;
  const nodeCount = pools.nodeNamesJson.length;
  const errorCount = pools.errorMessages.length;

  // Per-tenant stream state. Times follow F(t) = (e^(g t/T) - 1) / (e^g - 1) over the window;
  // row j of n takes u = (j + U) / n (stratified), so counts are exact and each stream is sorted.
  const spanMs = anchorMs - windowStartMs;
  const growth = shape.time.growth;
  const expGrowthMinus1 = Math.expm1(growth);
  const timeAt = (u: number) => windowStartMs + (spanMs / growth) * Math.log1p(u * expGrowthMinus1);
  const streams = tenants.map((tenant) => ({
    tenant,
    next: 0,
    nextTime: 0,
    neverIndex: 0,
    // Engine ids start at an arbitrary offset per environment, as a real engine's counters would.
    executionCounters: tenant.environments.map(() => uniformInt(rng, 1, 50_000)),
    envIdsCopy: tenant.environments.map((e) => e.id),
    envNamesJson: tenant.environments.map((e) => JSON.stringify(e.name)),
  }));
  const advance = (s: (typeof streams)[number]) => {
    s.nextTime = s.next < s.tenant.rows ? Math.floor(timeAt((s.next + rng.next()) / s.tenant.rows)) : Number.POSITIVE_INFINITY;
  };
  streams.forEach(advance);

  const started = new TimestampFormatter();
  const finished = new TimestampFormatter();
  const created = new TimestampFormatter();
  const updated = new TimestampFormatter();
  // Rows are written straight into a chunk buffer: cheaper than growing a string and re-encoding it.
  let chunk = Buffer.allocUnsafe(chunkBytes + MAX_ROW_BYTES);
  let offset = 0;
  let remaining = plan.totalRows;

  while (remaining > 0) {
    let si = 0;
    for (let k = 1; k < streams.length; k++) if (streams[k]!.nextTime < streams[si]!.nextTime) si = k;
    const s = streams[si]!;
    const tenant = s.tenant;
    const rowIndex = s.next;
    const t = s.nextTime;
    s.next++;
    advance(s);
    remaining--;

    const env = tenant.environmentTable.pick(rng);
    const wf = tenant.workflowTable.pick(rng);
    const workflow = tenant.workflows[wf]!;
    const mode = modes[modeTable.pick(rng)]!;
    const legacy = t < legacyBeforeMs && rng.next() < shape.legacy.share;
    const neverStarted = tenant.neverStarted[s.neverIndex] === rowIndex;
    if (neverStarted) s.neverIndex++;
    let executionId = '\\N';
    if (rng.next() >= shape.nullExecutionIdShare) executionId = String(s.executionCounters[env]!++);

    let status: string;
    let normalized: string;
    let startedText = '\\N';
    let finishedText = '\\N';
    let durationText = '\\N';
    let errorText = '\\N';
    let createdMs = t;
    let updatedMs = t;
    if (neverStarted) {
      status = 'new';
      normalized = 'waiting';
    } else {
      const kind = statusTable.pick(rng);
      createdMs = t - Math.floor(rng.next() * shape.time.maxQueueDelayMs);
      startedText = started.format(t);
      if (kind === 0 || kind === 1) {
        const duration = Math.min(shape.durationMs.maxMs, Math.max(1, Math.round(durationMs())));
        if (t + duration < anchorMs) {
          status = kind === 0 ? 'success' : errorRaw[errorRawTable.pick(rng)]!;
          normalized = kind === 0 ? 'success' : 'error';
          updatedMs = t + duration;
          finishedText = finished.format(updatedMs);
          durationText = String(duration);
          if (kind === 1) errorText = pools.errorMessages[Math.floor(rng.next() * errorCount)]!;
        } else {
          // Still in flight at the anchor (the dataset's "now"): a running execution has no end yet.
          status = 'running';
          normalized = 'running';
        }
      } else {
        status = kind === 2 ? 'running' : 'waiting';
        normalized = status;
      }
    }
    if (legacy) normalized = '\\N';

    const node = pools.nodeNamesJson[Math.floor(rng.next() * nodeCount)]!;
    const nodes = 2 + Math.floor(rng.next() * 30);
    const worker = Math.floor(rng.next() * 16);
    const data = `{"nodes": ${nodes}, "lastNode": ${node}, "workerId": "worker-${worker}", "environment": ${s.envNamesJson[env]}}`;

    const row = `${randomUuid(rng)}\t${tenant.id}\t${s.envIdsCopy[env]}\t${workflow.id}\t${workflow.nameCopy}\t${executionId}\t${status}\t${normalized}\t${mode}\t${startedText}\t${finishedText}\t${durationText}\t${created.format(createdMs)}\t${updated.format(updatedMs)}\t${errorText}\t${data}\n`;
    // utf8 needs at most 3 bytes per UTF-16 unit; flush before a row could overflow the buffer.
    if (offset + row.length * 3 > chunk.length) {
      yield flush();
    }
    offset += chunk.write(row, offset, 'utf8');

    tally.rows++;
    tally.tenantRows[si]!++;
    if (si === 0) {
      tally.focusEnvironmentRows[env]!++;
      tally.focusWorkflowRows[wf]!++;
    }
    if (offset >= chunkBytes) yield flush();
  }
  if (offset > 0) yield flush();
  tally.complete = true;

  function flush(): Buffer {
    const full = chunk.subarray(0, offset);
    tally.bytes += offset;
    chunk = Buffer.allocUnsafe(chunkBytes + MAX_ROW_BYTES);
    offset = 0;
    return full;
  }
}

/** The focus-tenant facts DatasetInfo.focus needs, from a completed tally. */
export function focusFacts(plan: DatasetPlan, tally: GenerationTally): DatasetInfo['focus'] {
  const focus = plan.tenants[0]!;
  const byRowsDesc = <T extends { rows: number; order: number }>(a: T, b: T) => b.rows - a.rows || a.order - b.order;
  return {
    tenantId: focus.id,
    environments: focus.environments
      .map((e, order) => ({ id: e.id, name: e.name, rows: tally.focusEnvironmentRows[order] ?? 0, order }))
      .sort(byRowsDesc)
      .map(({ id, name, rows }) => ({ id, name, rows })),
    workflows: focus.workflows
      .map((w, order) => ({ id: w.id, name: w.name, rows: tally.focusWorkflowRows[order] ?? 0, order }))
      .sort(byRowsDesc)
      .map(({ id, name, rows }) => ({ id, name, rows })),
  };
}

/** Splits `total` into integer parts proportional to `shares`, each at least 1 (largest remainder). */
export function apportion(total: number, shares: readonly number[]): number[] {
  const n = shares.length;
  if (total < n) throw new Error(`apportion: ${total} rows cannot give ${n} parts at least one each`);
  const spare = total - n;
  const raw = shares.map((s) => s * spare);
  const parts = raw.map((r) => 1 + Math.floor(r));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % n, left--) parts[order[k]!.i]!++;
  return parts;
}

function unescapeCopy(value: string): string {
  return value.replace(/\\([\\tnr])/g, (_, ch: string) => (ch === 't' ? '\t' : ch === 'n' ? '\n' : ch === 'r' ? '\r' : '\\'));
}

const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Formats epoch ms as 'YYYY-MM-DD HH:MM:SS.mmm+00'; caches the date part (rows come in time order). */
class TimestampFormatter {
  private day = Number.NaN;
  private prefix = '';
  format(ms: number): string {
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.prefix = `${new Date(day * DAY_MS).toISOString().slice(0, 10)} `;
    }
    let rest = ms - day * DAY_MS;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const sec = Math.floor(rest / 1000);
    return `${this.prefix}${PAD2[h]}:${PAD2[m]}:${PAD2[sec]}.${PAD3[rest - sec * 1000]}+00`;
  }
}

export type { Prng };
