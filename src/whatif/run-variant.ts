// One schema variant at one scale, inside one transaction that is rolled back: apply the variant, run every
// scenario (documented and corrected), then generic plans, crossovers, the ablation of each index, and the write
// cost. The dataset is vacuumed before, so every variant starts from the same clean table.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { readIndexes } from '../audit/catalog.ts';
import { measureInsertSets } from '../audit/write-cost.ts';
import { describePgError } from '../errors.ts';
import type { ScenarioResult } from '../results.ts';
import { describeAccess } from '../runner/contract.ts';
import { createParamPicker, loadParamPools } from '../runner/params.ts';
import { runScenariosAtScale } from '../runner/run-scenarios.ts';
import { connectToDataset, prepareDatasetSession, withoutStatementTimeout } from '../runner/session.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import type { DatasetInfo } from '../seed/types.ts';
import { bootstrapShift } from '../runner/statistics.ts';
import { ablationRow, RATIO_CONFIDENCE } from './ablation.ts';
import { applyVariant } from './apply-variant.ts';
import { ensureTableVariant } from './table-variant.ts';
import { probeLayout, type LayoutProbe } from './layout-probe.ts';
import { findCrossovers } from './crossover.ts';
import { pairedDropSamples, scenariosNeedingIndex, withIndexDropped } from './drop-index.ts';
import { COVERING_INDEX, COVERING_SCENARIO } from './summarize.ts';
import { judgedLatency } from './judged-latency.ts';

/**
 * whatif runs every form once per variant and again per dropped index: a slow form may buy samples for its
 * verdict for 5 s here (20 s in run), so the 1M live aggregate ends inconclusive rather than taking minutes;
 * plans, buffers and the paired ablation ratios are what whatif compares.
 */
const WHATIF_MAX_FORM_MS = 5_000;
import { runCrossovers, tenantPools } from './run-crossover.ts';
import { runGenericPlans } from './run-generic.ts';
import type { SchemaVariant, VariantFormRow, VariantIndex, VariantRun, VariantWriteCost } from './types.ts';

export interface VariantRunOptions {
  connectionString: string;
  dataset: DatasetInfo;
  scenarios: LoadedScenario[];
  variant: SchemaVariant;
  /** Per scenario form, as run's --time-budget. */
  budgetMs: number;
  /** Per form re-run without an index, and per generic-plan form. */
  sideBudgetMs: number;
  parts: { ablation: boolean; generic: boolean; crossover: boolean; writeCost: boolean };
  /** Rows per write-cost batch (default 10 000) and repetitions (default 3). */
  writeRows?: number;
  writeRepetitions?: number;
  log: (line: string) => void;
}

/** One side-by-side row from a result. */
export function formRow(r: ScenarioResult): VariantFormRow {
  const violations = r.outcome.status === 'failed' ? r.outcome.violations : [];
  const contractOk = !violations.some((v) => v.kind === 'index-not-used' || v.kind === 'seq-scan' || v.kind === 'sql-error');
  return {
    scenarioId: r.scenarioId,
    form: r.form,
    status: r.outcome.status,
    reason: r.outcome.status === 'failed' ? violations.map((v) => v.message).join('; ') : r.outcome.status === 'skipped' ? r.outcome.reason : r.outcome.status === 'errored' ? r.outcome.error : '',
    judged: judgedLatency(r),
    access: r.plan ? describeAccess(r.plan) : '-',
    indexes: r.plan ? [...new Set(r.plan.indexes.map((u) => u.index))] : [],
    sharedBlocks: r.plan ? r.plan.buffers.sharedHit + r.plan.buffers.sharedRead : null,
    ...(r.plan?.partitions ? { partitions: r.plan.partitions } : {}),
    usesIndex: r.plan !== undefined && contractOk && (r.expectedIndexes.length === 0 ? r.plan.seqScans.every((s) => s.relation !== 'executions') : true),
  };
}

export async function runVariant(options: VariantRunOptions): Promise<{ run: VariantRun; results: ScenarioResult[] }> {
  const t0 = performance.now();
  const { dataset, variant, log } = options;
  const scale = dataset.request.scale.label;
  // A table variant is measured on its partitioned copy (built once, committed, vacuumed); index variants on the dataset.
  const copy = variant.mode === 'table' ? await ensureTableVariant(options.connectionString, dataset, variant, log) : undefined;
  const client = await connectToDataset(options.connectionString, dataset.schema);
  // The copy's executions first; the dataset's functions and materialized view second.
  if (copy) await client.query(`SET search_path TO ${pg.escapeIdentifier(copy.schema)}, ${pg.escapeIdentifier(dataset.schema)}`);
  const phasesMs: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => { const now = performance.now(); phasesMs[name] = Math.round(now - mark); mark = now; };
  try {
    await prepareDatasetSession(client, dataset.schema);
    await client.query('BEGIN');
    try {
      if (!copy) {
        await withoutStatementTimeout(client, async () => {
          await applyVariant(client, variant);
          // Every index freshly built, so sizes compare index sets, not the bloat earlier rolled-back writes (an
          // earlier variant's write cost, run's audit) left in the committed dataset; rolled back with the rest.
          // (A partitioned table cannot be reindexed in a transaction; its copy was built once and only vacuumed since.)
          await client.query('REINDEX TABLE executions');
        });
      }
      const catalog = await readIndexes(client, copy?.schema ?? dataset.schema, 'executions');
      phase('apply');
      let probe: { probe?: LayoutProbe; probeError?: string } = {};
      if (copy) {
        probe = await probeLayout(client, copy.partitionColumn).then((p) => ({ probe: p }), (error: unknown) => ({ probeError: describePgError(error) }));
      }
      const indexes: VariantIndex[] = catalog.map((c) => ({ name: c.row.name, definition: c.row.definition, sizeBytes: c.sizeBytes, isPrimary: c.row.isPrimary }));
      log(`[${scale}/${variant.name}] ${indexes.length} indexes, ${(indexes.reduce((s, i) => s + i.sizeBytes, 0) / 2 ** 20).toFixed(1)} MiB; scenarios`);
      const { results } = await runScenariosAtScale({
        connectionString: options.connectionString, dataset, scenarios: options.scenarios, budgetMs: options.budgetMs, log: () => {}, inTransactionOn: client,
        maxFormMs: WHATIF_MAX_FORM_MS,
      });
      const pools = await loadParamPools(client, dataset);
      phase('scenarios');

      let generic: VariantRun['generic'] = [];
      if (options.parts.generic) {
        log(`[${scale}/${variant.name}] generic plans`);
        generic = await runGenericPlans(client, options.scenarios, pools, results, indexes, options.sideBudgetMs);
        phase('generic');
      }
      let ladders: VariantRun['ladders'] = [];
      if (options.parts.crossover) {
        log(`[${scale}/${variant.name}] plan crossovers across tenant sizes`);
        ladders = await runCrossovers(client, options.scenarios, await tenantPools(client, pools));
        phase('crossover');
      }
      // The write cost comes after the ablation: its rows are rolled back, but their dead tuples stay in the heap
      // and the indexes until VACUUM and would inflate the ablation's buffers.
      const ablated: { index: VariantIndex; withIt: ScenarioResult[]; without: ScenarioResult[] }[] = [];
      if (options.parts.ablation) {
        for (const { row } of catalog) {
          const subset = scenariosNeedingIndex(options.scenarios, results, row.name);
          const index = indexes.find((i) => i.name === row.name)!;
          if (subset.length === 0) {
            ablated.push({ index, withIt: [], without: [] });
            continue;
          }
          log(`[${scale}/${variant.name}] without ${row.name}: ${subset.length} scenario(s)`);
          const rerun = async () => (await runScenariosAtScale({
            connectionString: options.connectionString, dataset, scenarios: subset, budgetMs: options.sideBudgetMs, log: () => {}, inTransactionOn: client,
            maxFormMs: WHATIF_MAX_FORM_MS,
          })).results;
          // Paired: the same forms with the index, measured right before, with the same budget. A shared machine's
          // load drifts over minutes; comparing with the main run's samples would measure the drift too.
          const withIt = await rerun();
          const without = await withIndexDropped(client, row, true, rerun);
          ablated.push({ index, withIt, without });
        }
        phase('ablation');
      }
      // The spec's covering-index rule needs a ratio a loaded machine cannot fake: paired, alternating samples.
      let coveringPaired: VariantRun['coveringPaired'];
      const coveringScenario = options.scenarios.find((s) => s.id === COVERING_SCENARIO);
      const coveringIndex = catalog.find((c) => c.row.name === COVERING_INDEX);
      if (options.parts.ablation && coveringScenario && coveringIndex) {
        const form = coveringScenario.definition.documented;
        const run = async (i: number) => {
          const t0 = performance.now();
          await client.query(form.sql, form.params(createParamPicker(pools, i)));
          return performance.now() - t0;
        };
        const plans = ablated.find((a) => a.index.name === COVERING_INDEX)?.without.find((r) => r.scenarioId === COVERING_SCENARIO);
        const before = results.find((r) => r.scenarioId === COVERING_SCENARIO && r.form === 'documented');
        coveringPaired = {
          ...(await pairedDropSamples(client, coveringIndex.row, run, 30, Math.max(options.sideBudgetMs * 8, 1000))),
          plans: `${before?.plan ? describeAccess(before.plan) : '?'} with it, ${plans?.plan ? describeAccess(plans.plan) : '?'} without`,
        };
        phase('covering');
      }
      let writeCost: VariantWriteCost | null = null;
      let writeCostError: string | undefined;
      if (options.parts.writeCost) {
        log(`[${scale}/${variant.name}] write cost`);
        try {
          writeCost = await measureVariantWriteCost(client, copy?.schema ?? dataset.schema, indexes, options.writeRows ?? 10_000, options.writeRepetitions ?? 5);
        } catch (error) {
          writeCostError = `Write cost not measured: ${describePgError(error)}`;
        }
        phase('writeCost');
      }
      const ablation = ablated.map(({ index, withIt, without }) => ablationRow(index, withIt, without, writeCost));
      const run: VariantRun = {
        variant: variant.name, scale, indexes, totalIndexBytes: indexes.reduce((s, i) => s + i.sizeBytes, 0),
        writeCost, ...(writeCostError ? { writeCostError } : {}),
        ...(copy ? { layout: { schema: copy.schema, partitionColumn: copy.partitionColumn, every: copy.every, partitions: copy.partitions, reused: copy.reused, buildMs: copy.phasesMs, ...probe } } : {}),
        rows: results.map(formRow), ablation, generic, ...(coveringPaired ? { coveringPaired } : {}), ladders, crossovers: ladders.flatMap(findCrossovers),
        durationMs: Math.round(performance.now() - t0), phasesMs,
      };
      return { run, results };
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    // Rolled-back inserts and upserts leave dead tuples: clean up for whatever runs next.
    await client.query('VACUUM executions').catch(() => undefined);
    await client.end();
  }
}

/** All indexes vs the primary key only, and the primary key plus each index alone: its marginal ingest cost. */
async function measureVariantWriteCost(client: pg.ClientBase, schema: string, indexes: VariantIndex[], rows: number, repetitions: number): Promise<VariantWriteCost> {
  const droppable = indexes.filter((i) => !i.isPrimary).map((i) => i.name);
  const sets: Record<string, string[]> = { all: [], pk: droppable };
  for (const name of droppable) sets[`+${name}`] = droppable.filter((n) => n !== name);
  const samples = await measureInsertSets(client, schema, 'executions', sets, { rows, repetitions, nested: true });
  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = Math.floor(s.length / 2); return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
  const all = median(samples.all!);
  const pk = median(samples.pk!);
  const total = Math.max(1e-9, all - pk);
  const shift = bootstrapShift(samples.pk!, samples.all!, { statistic: 'median', iterations: 2000, confidence: RATIO_CONFIDENCE, seed: 20261201, blockLength: 1 });
  return {
    rows, repetitions, allIndexesMedianMs: all, primaryKeyOnlyMedianMs: pk, ratio: all / pk,
    ratioInterval: { low: shift.ciLow, high: shift.ciHigh, confidence: RATIO_CONFIDENCE },
    perIndex: droppable.map((name) => {
      const marginalMs = median(samples[`+${name}`]!) - pk;
      return { index: name, marginalMs, share: marginalMs / total };
    }),
    method: `A batch of ${rows} rows copied from existing rows (new id and execution_id) was inserted ${repetitions} times (after one warm-up) ` +
      `with every index of the variant, with the primary key only, and with the primary key plus each index alone, each in a savepoint ` +
      `that was rolled back, rotating the order; the INSERT alone was timed on the client. An index's share is its median marginal time ` +
      `(pk + it - pk only) over (all - pk only); the shares need not sum to 100% (index maintenance is not exactly additive, and the medians are noisy).`,
  };
}
