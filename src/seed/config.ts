// The one place that states what the seeded data looks like (issue 2 §4). Every shape the
// generator draws is read from DATASET_SHAPE; the unit tests check the generated rows against it.
import { UsageError } from '../errors.ts';

/** Bumped whenever the generator's output for the same inputs changes: it invalidates cached datasets. */
export const GENERATOR_VERSION = 'execbench-seed-1';

/** The shapes of the synthetic executions table. Shares are fractions of rows (0..1). */
export interface DatasetShape {
  /** Other tenants besides the focus tenant, and the rows they add as a share of the focus tenant's. */
  otherTenants: { count: number; extraRowShare: number; zipfExponent: number };
  /** Environments per tenant (inclusive range) and their traffic weights, busiest first. */
  environments: { min: number; max: number; names: readonly string[]; weights: readonly number[] };
  /** Workflows per tenant (inclusive range) and the Zipf exponent of their popularity. */
  workflows: { min: number; max: number; zipfExponent: number };
  /** normalized_status shares among non-legacy rows; success takes the rest. */
  status: { error: number; running: number; waiting: number };
  /** Raw engine statuses behind normalized 'error'. */
  errorRawStatus: Readonly<Record<'error' | 'crashed' | 'canceled', number>>;
  /** Rows older than `olderThanDays` predate normalized_status: `share` of them keep it NULL. */
  legacy: { olderThanDays: number; share: number };
  /** Executions that never started: status 'new', started_at NULL (spec: 0.01%). At least one per tenant. */
  neverStartedShare: number;
  /** started_at spans `days` ending at `anchor`; traffic grows as exp(growth * t / days). */
  time: { anchor: string; days: number; growth: number; maxQueueDelayMs: number };
  /** duration_ms is log-normal: exp(N(ln(medianMs), sigma)), capped. */
  durationMs: { medianMs: number; sigma: number; maxMs: number };
  /** Share of rows without an engine execution_id. */
  nullExecutionIdShare: number;
  /** Trigger modes and their weights. */
  modes: Readonly<Record<string, number>>;
  /** Sizes of the faker-built pools drawn from per row. */
  pools: { workflowNames: number; errorMessages: number; nodeNames: number };
}

/**
 * The dataset, as one documented object.
 * - 9 other tenants add 40% on top of the focus tenant (>= 30% keeps tenant_id selective, issue 2 §4).
 * - growth 0.6 over 90 days puts (e^0.6 - e^(0.6*83/90)) / (e^0.6 - 1) = 10.1% of rows in the last 7 days:
 *   ~10k rows at 100k, the "Scans ~10k records" of the spec's sparkline row.
 * - error 7% sits inside the spec's "5-10%" of the failed-executions partial index.
 * - rows older than 60 days: half are legacy (NULL normalized_status), ~13% of all rows.
 * - anchor is fixed, not now(), so the same seed gives the same bytes on any day.
 */
export const DATASET_SHAPE: DatasetShape = {
  otherTenants: { count: 9, extraRowShare: 0.4, zipfExponent: 0.8 },
  environments: {
    min: 2,
    max: 5,
    names: ['production', 'staging', 'development', 'qa', 'sandbox'],
    weights: [0.68, 0.18, 0.08, 0.04, 0.02],
  },
  workflows: { min: 10, max: 50, zipfExponent: 1.1 },
  status: { error: 0.07, running: 0.005, waiting: 0.01 },
  errorRawStatus: { error: 0.8, crashed: 0.15, canceled: 0.05 },
  legacy: { olderThanDays: 60, share: 0.5 },
  neverStartedShare: 0.0001,
  time: { anchor: '2026-11-01T00:00:00.000Z', days: 90, growth: 0.6, maxQueueDelayMs: 1500 },
  durationMs: { medianMs: 1200, sigma: 1.4, maxMs: 6 * 3_600_000 },
  nullExecutionIdShare: 0.01,
  modes: { trigger: 0.45, webhook: 0.25, schedule: 0.2, manual: 0.07, retry: 0.03 },
  pools: { workflowNames: 400, errorMessages: 200, nodeNames: 60 },
};

/** Checks a shape for values the generator cannot honour; throws UsageError naming the field. */
export function validateShape(shape: DatasetShape): DatasetShape {
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new UsageError(`Invalid dataset shape: ${field} is ${JSON.stringify(value)}, expected ${expected}.`);
  };
  const share = (field: string, value: number) => {
    if (!(Number.isFinite(value) && value >= 0 && value <= 1)) fail(field, value, 'a share between 0 and 1');
  };
  const { otherTenants, environments, workflows, status, legacy, time, durationMs } = shape;
  if (!Number.isInteger(otherTenants.count) || otherTenants.count < 9) fail('otherTenants.count', otherTenants.count, 'an integer >= 9');
  if (!(otherTenants.extraRowShare >= 0.3)) fail('otherTenants.extraRowShare', otherTenants.extraRowShare, '>= 0.3');
  if (!(Number.isInteger(environments.min) && environments.min >= 1 && environments.min <= environments.max))
    fail('environments.min', environments.min, 'an integer between 1 and environments.max');
  if (environments.names.length < environments.max || environments.weights.length < environments.max)
    fail('environments.names', environments.names.length, `at least environments.max (${environments.max}) names and weights`);
  if (environments.weights.some((w) => !(w > 0))) fail('environments.weights', environments.weights, 'positive weights');
  if (!(Number.isInteger(workflows.min) && workflows.min >= 1 && workflows.min <= workflows.max))
    fail('workflows.min', workflows.min, 'an integer between 1 and workflows.max');
  if (shape.pools.workflowNames < workflows.max) fail('pools.workflowNames', shape.pools.workflowNames, `>= workflows.max (${workflows.max})`);
  share('status.error', status.error);
  share('status.running', status.running);
  share('status.waiting', status.waiting);
  if (status.error + status.running + status.waiting >= 1) fail('status', status, 'error + running + waiting < 1');
  share('legacy.share', legacy.share);
  share('neverStartedShare', shape.neverStartedShare);
  share('nullExecutionIdShare', shape.nullExecutionIdShare);
  if (!(legacy.olderThanDays > 0 && legacy.olderThanDays < time.days)) fail('legacy.olderThanDays', legacy.olderThanDays, `between 0 and time.days (${time.days})`);
  if (Number.isNaN(Date.parse(time.anchor))) fail('time.anchor', time.anchor, 'an ISO timestamp');
  if (!(time.days > 0)) fail('time.days', time.days, '> 0');
  if (!(time.growth > 0)) fail('time.growth', time.growth, '> 0 (traffic grows towards the anchor)');
  if (!(durationMs.medianMs > 0 && durationMs.sigma > 0 && durationMs.maxMs <= 2_147_483_647))
    fail('durationMs', durationMs, 'medianMs > 0, sigma > 0, maxMs within integer range');
  if (Object.values(shape.modes).some((w) => !(w > 0))) fail('modes', shape.modes, 'positive weights');
  return shape;
}

/**
 * A partial shape (a --data-shape file's JSON) merged over DATASET_SHAPE, then validated. Objects merge field by
 * field; arrays, and `modes` (whose keys are the modes themselves), replace the default whole. An unknown field, or a
 * value of another type than the default's, is a UsageError naming it and `source`.
 */
export function mergeShape(partial: unknown, source: string, base: DatasetShape = DATASET_SHAPE): DatasetShape {
  const fail = (message: string): never => {
    throw new UsageError(`${source}: ${message} (docs/data-shape.md lists the fields).`);
  };
  const merge = (over: unknown, into: unknown, path: string): unknown => {
    const label = path || 'the shape';
    if (Array.isArray(into)) {
      if (!Array.isArray(over) || over.some((v) => typeof v !== typeof into[0])) fail(`${label} must be an array of ${typeof into[0]}s, got ${JSON.stringify(over)}`);
      return over;
    }
    if (typeof into === 'object' && into !== null) {
      if (typeof over !== 'object' || over === null || Array.isArray(over)) return fail(`${label} must be an object, got ${JSON.stringify(over)}`);
      // The modes table's keys are the trigger modes themselves: a partial one replaces the default's.
      if (path === 'modes') {
        if (Object.values(over).some((w) => typeof w !== 'number')) fail(`modes must map each mode to a number (its weight), got ${JSON.stringify(over)}`);
        return over;
      }
      const out: Record<string, unknown> = { ...(into as Record<string, unknown>) };
      for (const [key, value] of Object.entries(over)) {
        if (!(key in out)) fail(`unknown field '${path ? `${path}.` : ''}${key}'; ${label} has ${Object.keys(out).join(', ')}`);
        out[key] = merge(value, out[key], path ? `${path}.${key}` : key);
      }
      return out;
    }
    if (typeof over !== typeof into) fail(`${label} must be a ${typeof into}, got ${JSON.stringify(over)}`);
    return over;
  };
  const merged = merge(partial, base, '') as DatasetShape;
  try {
    return validateShape(merged);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${source}: ${error.message}`);
    throw error;
  }
}

/** The synthetic data's "now" and window in one sentence, for the run log. */
export function describeDataNow(shape: DatasetShape = DATASET_SHAPE, shapeFile?: string): string {
  return `synthetic data: now is ${new Date(Date.parse(shape.time.anchor)).toISOString()} (pick.anchor()); started_at spans the ${shape.time.days} days before it; `
    + `shape ${shapeFile ? `${shapeFile} over the default` : 'the default'} (docs/data-shape.md)`;
}
