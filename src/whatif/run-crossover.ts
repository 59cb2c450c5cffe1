// Runs each read scenario's plan (EXPLAIN, no execution) for every tenant of the dataset, smallest to largest:
// the differently sized tenants a dataset holds are the ladder. Rungs next to a flip are then measured once with
// EXPLAIN ANALYZE. Inside the caller's transaction; every statement in a savepoint.
import type pg from 'pg';
import { analyzePlan } from '../plan/analyze.ts';
import { createParamPicker, type ParamPools } from '../runner/params.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { planLabel, rungsNextToFlips } from './crossover.ts';
import type { CrossoverLadder } from './types.ts';

/** Each tenant's parameter pools: its own busiest environment and most/least used workflow. */
export async function tenantPools(client: pg.ClientBase, focus: ParamPools): Promise<{ tenantRows: number; pools: ParamPools }[]> {
  const { rows } = await client.query<{ tenant_id: string; n: string }>(
    'SELECT tenant_id, count(*) AS n FROM executions GROUP BY tenant_id ORDER BY count(*)');
  const out: { tenantRows: number; pools: ParamPools }[] = [];
  for (const { tenant_id: tenantId, n } of rows) {
    const envs = await client.query<{ id: string }>(
      'SELECT environment_id AS id FROM executions WHERE tenant_id = $1 GROUP BY 1 ORDER BY count(*) DESC', [tenantId]);
    const wfs = await client.query<{ id: string }>(
      'SELECT workflow_id AS id FROM executions WHERE tenant_id = $1 GROUP BY 1 ORDER BY count(*) DESC, 1', [tenantId]);
    const ids = await client.query<{ id: string }>('SELECT id FROM executions WHERE tenant_id = $1 ORDER BY id LIMIT 16', [tenantId]);
    out.push({
      tenantRows: Number(n),
      pools: {
        ...focus, tenantId,
        environments: envs.rows.map((r) => r.id),
        popularWorkflow: wfs.rows[0]?.id ?? focus.popularWorkflow,
        rareWorkflow: wfs.rows[wfs.rows.length - 1]?.id ?? focus.rareWorkflow,
        executionIds: ids.rows.map((r) => r.id),
      },
    });
  }
  return out;
}

async function inSavepoint<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T | undefined> {
  await client.query('SAVEPOINT execbench_crossover');
  try {
    return await fn();
  } catch {
    return undefined;
  } finally {
    await client.query('ROLLBACK TO SAVEPOINT execbench_crossover; RELEASE SAVEPOINT execbench_crossover');
  }
}

export async function runCrossovers(
  client: pg.ClientBase, scenarios: readonly LoadedScenario[], tenants: { tenantRows: number; pools: ParamPools }[],
): Promise<CrossoverLadder[]> {
  const ladders: CrossoverLadder[] = [];
  for (const { id, definition } of scenarios.filter((s) => s.definition.kind === 'read')) {
    for (const formName of ['documented', 'corrected'] as const) {
      const form = definition[formName];
      if (!form) continue;
      // Only queries whose work depends on the tenant: the catalog queries and the id lookup do not.
      const probe = form.params(createParamPicker(tenants[0]!.pools, 0));
      if (!probe.includes(tenants[0]!.pools.tenantId)) continue;
      const ladder: CrossoverLadder = { scenarioId: id, form: formName, rungs: [] };
      for (const { tenantRows, pools } of tenants) {
        const params = form.params(createParamPicker(pools, 0));
        const explained = await inSavepoint(client, async () => (await client.query({ text: `EXPLAIN (FORMAT JSON) ${form.sql}`, values: params })).rows[0]?.['QUERY PLAN']);
        if (explained === undefined) continue;
        const { label, totalCost, rows } = planLabel(explained);
        ladder.rungs.push({ tenantRows, tenantId: pools.tenantId, plan: label, estimatedCost: totalCost, estimatedRows: rows });
      }
      for (const rung of rungsNextToFlips(ladder)) {
        const pools = tenants.find((t) => t.pools.tenantId === rung.tenantId)!.pools;
        const params = form.params(createParamPicker(pools, 0));
        const measured = await inSavepoint(client, async () =>
          analyzePlan((await client.query({ text: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${form.sql}`, values: params })).rows[0]?.['QUERY PLAN']).executionMs);
        if (measured !== undefined) rung.measuredMs = measured;
      }
      if (ladder.rungs.length > 0) ladders.push(ladder);
    }
  }
  return ladders;
}

