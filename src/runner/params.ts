// Query parameters drawn deterministically from the seeded dataset. Pools are read once per
// dataset; each iteration rotates through them so one hot key does not flatter a query.
import type pg from 'pg';
import type { ParamPicker } from '../scenario/define.ts';
import type { DatasetInfo } from '../seed/types.ts';

const POOL_SIZE = 256;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What the picker rotates through; read from the dataset by loadParamPools(). */
export interface ParamPools {
  tenantId: string;
  environments: string[];
  popularWorkflow: string;
  rareWorkflow: string;
  executionIds: string[];
  engineExecutions: { environmentId: string; executionId: string }[];
  /** started_at of the focus tenant's oldest rows, ascending (retention cutoffs are taken from here). */
  oldestStartedAt: string[];
  /** Just after the newest created_at among never-started focus rows (or the anchor when there are none). */
  neverStartedCutoff: string;
  anchorMs: number;
}

/** Reads the pools from the dataset (search_path must point at the dataset schema). */
export async function loadParamPools(client: pg.ClientBase, dataset: DatasetInfo): Promise<ParamPools> {
  const tenantId = dataset.focus.tenantId;
  const workflows = dataset.focus.workflows.filter((w) => w.rows > 0);
  const ids = await client.query<{ id: string }>(
    'SELECT id FROM executions WHERE tenant_id = $1 ORDER BY id LIMIT $2', [tenantId, POOL_SIZE]);
  const engine = await client.query<{ environment_id: string; execution_id: string }>(
    `SELECT environment_id, execution_id FROM executions
     WHERE tenant_id = $1 AND execution_id IS NOT NULL ORDER BY id DESC LIMIT $2`, [tenantId, POOL_SIZE]);
  // Cutoffs between the 1500th and 5500th oldest row: every batch finds a full 1000 rows to delete.
  const oldest = await client.query<{ started_at: Date }>(
    `SELECT started_at FROM executions WHERE tenant_id = $1 AND started_at IS NOT NULL
     ORDER BY started_at ASC LIMIT 5500`, [tenantId]);
  const never = await client.query<{ cutoff: Date | null }>(
    `SELECT max(created_at) + interval '1 second' AS cutoff FROM executions
     WHERE tenant_id = $1 AND started_at IS NULL`, [tenantId]);
  const anchorMs = Date.parse(dataset.anchor);
  return {
    tenantId,
    environments: dataset.focus.environments.filter((e) => e.rows > 0).map((e) => e.id),
    popularWorkflow: workflows[0]?.id ?? '00000000-0000-0000-0000-000000000000',
    rareWorkflow: workflows[workflows.length - 1]?.id ?? '00000000-0000-0000-0000-000000000000',
    executionIds: ids.rows.map((r) => r.id),
    engineExecutions: engine.rows.map((r) => ({ environmentId: r.environment_id, executionId: r.execution_id })),
    oldestStartedAt: oldest.rows.map((r) => r.started_at.toISOString()),
    neverStartedCutoff: (never.rows[0]?.cutoff ?? new Date(anchorMs)).toISOString(),
    anchorMs,
  };
}

/**
 * Stand-in pools for calling params functions before any server starts (scenario/check.ts): plausible values of
 * the right types, no data behind them.
 */
export function dryParamPools(anchor: string): ParamPools {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const anchorMs = Date.parse(anchor);
  return {
    tenantId: id(1),
    environments: [id(2), id(3)],
    popularWorkflow: id(4),
    rareWorkflow: id(5),
    executionIds: [id(6)],
    engineExecutions: [{ environmentId: id(2), executionId: '1' }],
    oldestStartedAt: [new Date(anchorMs - 80 * DAY_MS).toISOString()],
    neverStartedCutoff: new Date(anchorMs - 30 * DAY_MS).toISOString(),
    anchorMs,
  };
}

/** A picker for one iteration. Pure given the pools: the same iteration gives the same parameters. */
export function createParamPicker(pools: ParamPools, iteration: number): ParamPicker {
  const rotate = <T>(list: T[], fallback: T): T => (list.length === 0 ? fallback : list[iteration % list.length]!);
  // Windows end within the last day before the anchor, shifting an hour per iteration.
  const anchorMs = pools.anchorMs - (iteration % 24) * HOUR_MS;
  let uuidCounter = 0;
  return {
    tenant: () => pools.tenantId,
    // The busiest environment, always: environments differ in size, so rotating them would make a listing's
    // latency multimodal (its median jumping between modes from run to run) and measure a mix, not the worst
    // case. Parameters that do not change the amount of work (ids, windows, cutoffs) rotate instead.
    environment: (rank?: number) => pools.environments[(rank ?? 0) % Math.max(1, pools.environments.length)] ?? '',
    workflow: (kind) => (kind === 'popular' ? pools.popularWorkflow : pools.rareWorkflow),
    executionId: () => rotate(pools.executionIds, '00000000-0000-0000-0000-000000000000'),
    existingEngineExecution: () => rotate(pools.engineExecutions, { environmentId: pools.environments[0] ?? '', executionId: 'none' }),
    newEngineExecutionId: () => `execbench-new-${iteration}`,
    newUuid: () => iterationUuid(iteration, uuidCounter++),
    anchor: () => new Date(anchorMs).toISOString(),
    daysBeforeAnchor: (days: number) => new Date(anchorMs - days * DAY_MS).toISOString(),
    retentionCutoff: () => {
      const list = pools.oldestStartedAt;
      if (list.length === 0) return new Date(pools.anchorMs - 60 * DAY_MS).toISOString();
      const lo = Math.min(1500, list.length - 1);
      const span = Math.max(1, list.length - lo);
      return list[lo + ((iteration * 397) % span)]!;
    },
    neverStartedCutoff: () => pools.neverStartedCutoff,
    iteration: () => iteration,
  };
}

/** A valid v4-shaped uuid that is unique per (iteration, counter) and never collides with seeded ids' prefix. */
function iterationUuid(iteration: number, counter: number): string {
  const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
  return `eb000000-${hex(counter, 4)}-4000-8000-${hex(iteration, 12)}`;
}
