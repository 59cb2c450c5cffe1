// Runs each read scenario's forms as an application does: a prepared statement with bound parameters, once with
// a custom plan and once with plan_cache_mode = force_generic_plan (what PostgreSQL may switch to after five
// executions). Inside the caller's transaction; every statement in a savepoint that is rolled back.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { describePgError } from '../errors.ts';
import { analyzePlan } from '../plan/analyze.ts';
import { partitionMapFor, resolvePartitions } from '../plan/partitions.ts';
import type { ScenarioResult } from '../results.ts';
import { checkPlanContract, describeAccess } from '../runner/contract.ts';
import { createParamPicker, type ParamPools } from '../runner/params.ts';
import { bootstrapShift } from '../runner/statistics.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { RATIO_CONFIDENCE } from './ablation.ts';
import { explainGenericLoss, toApplicationForm } from './generic-plans.ts';
import type { GenericPlanRow, VariantIndex } from './types.ts';

const STATEMENT = 'execbench_generic';

/** An EXECUTE argument as a literal: EXPLAIN EXECUTE takes no bind parameters of its own. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  return pg.escapeLiteral(String(value));
}

export async function runGenericPlans(
  client: pg.ClientBase, scenarios: readonly LoadedScenario[], pools: ParamPools, results: readonly ScenarioResult[],
  indexes: readonly VariantIndex[], budgetMs: number,
): Promise<GenericPlanRow[]> {
  const rows: GenericPlanRow[] = [];
  for (const { id, definition } of scenarios.filter((s) => s.definition.kind === 'read')) {
    for (const formName of ['documented', 'corrected'] as const) {
      const form = definition[formName];
      if (!form) continue;
      const result = results.find((r) => r.scenarioId === id && r.form === formName);
      if (!result || result.outcome.status === 'skipped' || !result.plan) continue;
      const own = form.params(createParamPicker(pools, 0));
      const app = toApplicationForm(form.sql, own.length);
      // Nothing bound, nothing to generalise (the catalog queries): a generic plan is the custom plan.
      if (own.length + app.extraParams.length === 0) continue;
      const args = (i: number) => [...form.params(createParamPicker(pools, i)), ...app.extraParams].map(literal).join(', ');
      const base = { scenarioId: id, form: formName, sql: app.sql, boundLiterals: app.boundLiterals };
      await client.query('SAVEPOINT execbench_generic_plan');
      try {
        await client.query(`PREPARE ${STATEMENT} AS ${app.sql.replace(/;\s*$/, '')}`);
        const plan = async (mode: 'custom' | 'generic') => {
          await client.query(`SET LOCAL plan_cache_mode = force_${mode}_plan`);
          const { rows: out } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE ${STATEMENT}(${args(0)})`);
          return resolvePartitions(analyzePlan(out[0]?.['QUERY PLAN']), await partitionMapFor(client));
        };
        const custom = await plan('custom');
        const generic = await plan('generic');
        const custom_: number[] = [];
        const generic_: number[] = [];
        // At least 5 pairs (an interval from fewer is meaningless), within a hard stop of 5x the budget for slow plans.
        const started = performance.now();
        const more = () => performance.now() - started < (custom_.length < 5 ? 5 * budgetMs : budgetMs);
        for (let i = 0; more() && custom_.length < 500; i++) {
          for (const [mode, into] of (i % 2 === 0 ? [['custom', custom_], ['generic', generic_]] : [['generic', generic_], ['custom', custom_]]) as ['custom' | 'generic', number[]][]) {
            await client.query(`SET LOCAL plan_cache_mode = force_${mode}_plan`);
            const text = `EXECUTE ${STATEMENT}(${args(i)})`;
            const t0 = performance.now();
            await client.query(text);
            into.push(performance.now() - t0);
          }
        }
        const shift = custom_.length > 0 && generic_.length > 0
          ? bootstrapShift(custom_, generic_, { statistic: 'median', iterations: 2000, confidence: RATIO_CONFIDENCE, seed: 20261201 })
          : undefined;
        const customIdx = [...new Set(custom.indexes.map((u) => u.index))];
        const genericIdx = [...new Set(generic.indexes.map((u) => u.index))];
        const why = explainGenericLoss(customIdx, genericIdx, app.boundLiterals, indexes);
        const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
        rows.push({
          ...base,
          customAccess: describeAccess(custom), genericAccess: describeAccess(generic),
          customContractHolds: checkPlanContract(custom, definition.expect).length === 0,
          genericContractHolds: checkPlanContract(generic, definition.expect).length === 0,
          latencyRatio: shift ? { estimate: shift.estimateRatio, ciLow: shift.ciLow, ciHigh: shift.ciHigh, confidence: RATIO_CONFIDENCE } : null,
          customMedianMs: median(custom_), genericMedianMs: median(generic_), samples: Math.min(custom_.length, generic_.length),
          ...(why ? { why } : {}),
          ...(custom.partitions && generic.partitions ? { partitions: { custom: custom.partitions, generic: generic.partitions } } : {}),
        });
      } catch (error) {
        rows.push({ ...base, customAccess: '-', genericAccess: '-', customContractHolds: false, genericContractHolds: false, latencyRatio: null, customMedianMs: null, genericMedianMs: null, samples: 0, error: describePgError(error) });
      } finally {
        await client.query('ROLLBACK TO SAVEPOINT execbench_generic_plan; RELEASE SAVEPOINT execbench_generic_plan');
        await client.query(`DEALLOCATE ${STATEMENT}`).catch(() => undefined);
      }
    }
  }
  return rows;
}
