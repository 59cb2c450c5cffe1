// `npm run bench:gate`: proof that the regression gate works, on a real dataset.
//  1. False alarms: the suite runs twice on unchanged code and data; the comparison should fail nothing.
//  2. Sensitivity: each documented index is dropped (inside a transaction that is rolled back), the
//     scenarios that used or expect it run again, and the comparison with the first run must catch it.
//     An index whose identical twin takes over may rightly go unnoticed: the script says so.
// Prints a table and, last, one JSON line with the counts. Usage: tsx src/bench/gate-proof.ts [scale] [budget]
import { benchResults, exitOnHelp } from './common.ts';
import pg from 'pg';
import { readIndexes } from '../audit/catalog.ts';
import { findDuplicateIndexes } from '../audit/compare-indexes.ts';
import { parseBudget } from '../cli-args.ts';
import { resolveProviderOptions } from '../config.ts';
import { withClient } from '../db/client.ts';
import { readServerSettings } from '../db/settings.ts';
import { withDatabase } from '../db/with-database.ts';
import { EXIT, ExecbenchError } from '../errors.ts';
import { scenariosNeedingIndex, withIndexDropped } from '../whatif/drop-index.ts';
import { compareRuns, type RunComparison } from '../gate/compare.ts';
import type { RunResults } from '../results.ts';
import { textTable } from '../report/console.ts';
import { runScenariosAtScale } from '../runner/run-scenarios.ts';
import { connectToDataset } from '../runner/session.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { GATE_FIGURES_DIR } from './gate-ab.ts';
import type { StoredGateResult } from './gate-stored.ts';
import { saveFigure } from './load-figures.ts';

exitOnHelp(`
npm run bench:gate [-- scale [budget]]
npm run bench:gate -- ab-aa [runs [scale]]
npm run bench:gate -- ab-sensitivity [runs [scale]]
npm run bench:gate -- figures

Proof that the regression gate works: the suite twice on unchanged data (false alarms), then with each documented
index dropped inside a rolled-back transaction (sensitivity). Last line: one JSON object.
  scale    100k (default), 1m or a whole number of focus-tenant rows
  budget   per-form time budget, e.g. 750ms (default) or 2s

The A/B gate (execbench ab), each run as a user runs it in a scratch repository of this checkout's scenarios/ and schema/:
  ab-aa            both sides the same commit, 20 runs (default): runs that failed the gate (target: at most 1 in 20)
  ab-sensitivity   a head whose paginated listing does more work per row (same plan), calibrated to x1.5 and x2:
                   runs caught of 10 each (targets: x2 10 of 10, x1.5 at least 9 of 10)
  figures          write docs/gate-measured.md from the results the stored-baseline proof and the two A/B modes
                   saved (reports/bench-gate/)

Example: npm run bench:gate -- 100k 1s
Example: npm run bench:gate -- ab-aa 20 100k
`);


const log = (line: string) => process.stderr.write(`${line}\n`);

{
  // The A/B modes, each its own proof; any other first argument is the stored-baseline proof below.
  const { gateAbMode } = await import('./gate-ab.ts');
  const exit = await gateAbMode(process.argv.slice(2)).catch((error: unknown) => {
    log(`bench:gate failed: ${String((error as Error)?.message ?? error).replace(/\s*\n\s*/g, ' ')}`);
    return error instanceof ExecbenchError ? error.exitCode : EXIT.harness;
  });
  if (exit !== undefined) process.exit(exit);
}
/** The arguments, or one line naming the bad one and exit 3 (before anything starts). */
function parseArgs(): { scale: ReturnType<typeof parseScale>; budgetMs: number } {
  try {
    return { scale: parseScale(process.argv[2] ?? '100k'), budgetMs: parseBudget(process.argv[3] ?? '750ms') };
  } catch (error) {
    log(`bench:gate: ${(error as Error).message}`);
    process.exit(error instanceof ExecbenchError ? error.exitCode : EXIT.usage);
  }
}
const { scale, budgetMs } = parseArgs();

interface DropOutcome {
  index: string;
  reasons: string[];
  scenarios: number;
  caughtByBaseline: string[];
  caughtByContract: string[];
  note: string;
}


const regressedGated = (c: RunComparison) =>
  c.comparisons.filter((x) => x.status === 'regressed' && x.gated).map((x) => `${x.scenarioId}/${x.form}`);
const regressionReasons = (c: RunComparison, base?: RunResults, cur?: RunResults) =>
  c.comparisons.flatMap((x) => {
    if (x.status !== 'regressed' || !x.gated) return [];
    // The server clock (EXPLAIN) beside the client one tells a slower query from a busier client or machine.
    const find = (r?: RunResults) => r?.scenarios.find((s) => s.scenarioId === x.scenarioId && s.form === x.form)?.latency;
    const [a, b] = [find(base), find(cur)];
    const server = a && b ? ` [server median ${a.server.p50Ms.toFixed(2)} -> ${b.server.p50Ms.toFixed(2)} ms]` : '';
    return [`  ${x.scenarioId}/${x.form}: ${x.reasons.join('; ')}${server}`];
  });

const startedAt = Date.now();
await withDatabase(resolveProviderOptions({}, process.env, log), async (db) => {
  log(`bench:gate: ${db.kind} Postgres ${db.serverVersion}; scale ${scale.label}; budget ${budgetMs} ms per form`);
  const dataset = await ensureDataset(db, {
    scale, seed: 20261124, indexBuild: 'after', fresh: false, optional: { coveringIndex: true, dailyStats: true },
  }, createProgress(`seed ${scale.label}`));
  const scenarios = await loadScenarios();
  const settings = await withClient(db.connectionString, readServerSettings);
  const run = async (label: string, subset = scenarios, inTransactionOn?: pg.Client) => {
    const { results } = await runScenariosAtScale({
      connectionString: db.connectionString, dataset, scenarios: subset, budgetMs, log: () => {},
      createStatementsExtension: db.kind !== 'url',
      ...(inTransactionOn ? { inTransactionOn } : {}),
    });
    return benchResults(db, settings, dataset, subset, results, label, budgetMs);
  };

  log('bench:gate: baseline run');
  const baseline = await run('baseline');
  log('bench:gate: second run on unchanged code and data');
  const again = await run('unchanged');
  const unchanged = compareRuns(baseline, again);
  const falseAlarms = regressedGated(unchanged);

  const client = await connectToDataset(db.connectionString, dataset.schema);
  const catalog = await readIndexes(client, dataset.schema, 'executions');
  const twins = findDuplicateIndexes(catalog.map((c) => c.row));
  const drops: DropOutcome[] = [];
  try {
    for (const { row } of catalog) {
      const index = row.name;
      const subset = scenariosNeedingIndex(scenarios, baseline.scenarios, index);
      if (subset.length === 0) {
        drops.push({ index, reasons: [], scenarios: 0, caughtByBaseline: [], caughtByContract: [], note: 'no scenario uses or expects it' });
        continue;
      }
      log(`bench:gate: dropping ${index} (rolled back), ${subset.length} scenario(s)`);
      // Each drop starts from a clean table, as every top-level run does (run-scenarios VACUUMs first).
      await client.query('VACUUM (ANALYZE, INDEX_CLEANUP ON) executions');
      const current = await withIndexDropped(client, row, false, () => run(`drop-${index}`, subset, client));
      const comparison = compareRuns(baseline, current);
      const caughtByBaseline = regressedGated(comparison);
      const caughtByContract = current.scenarios
        .filter((r) => r.gated && r.outcome.status === 'failed' && r.outcome.violations.some((v) => v.kind !== 'threshold'))
        .map((r) => `${r.scenarioId}/${r.form}`);
      const twin = twins.find((g) => g.indexes.includes(index))?.indexes.filter((n) => n !== index);
      const caught = caughtByBaseline.length + caughtByContract.length > 0;
      drops.push({
        index, reasons: regressionReasons(comparison), scenarios: subset.length, caughtByBaseline, caughtByContract,
        note: caught ? 'caught' : twin?.length ? `not caught: its identical twin ${twin.join(', ')} serves the same queries, so nothing regresses (rightly)` : 'NOT CAUGHT',
      });
    }
  } finally {
    await client.end();
  }

  const rows = drops.map((d) => [
    d.index, String(d.scenarios), d.caughtByBaseline.length ? d.caughtByBaseline.join(', ').slice(0, 70) : '-',
    d.caughtByContract.length ? String(d.caughtByContract.length) : '-', d.note,
  ]);
  process.stdout.write(`\nFalse alarms (same code, same data, two runs): ${falseAlarms.length} of ${unchanged.comparisons.filter((c) => c.status !== 'not-compared' && c.gated).length} gated comparisons` +
    `${falseAlarms.length ? `:\n${regressionReasons(unchanged, baseline, again).join('\n')}` : ''} (reference: 0)\n\n`);
  process.stdout.write(textTable(['dropped index', 'scenarios', 'regressions vs baseline (gated forms)', 'contract fails', 'verdict'], rows) + '\n\n');
  // Where an identical twin exists, show why anything regressed: the twin may serve the query with another plan.
  for (const d of drops.filter((x) => twins.some((g) => g.indexes.includes(x.index)) && x.reasons.length > 0)) {
    process.stdout.write(`Why dropping ${d.index} (which has an identical twin) was caught:\n${d.reasons.join('\n')}\n\n`);
  }
  const missed = drops.filter((d) => d.note === 'NOT CAUGHT').map((d) => d.index);
  const rightlyMissed = drops.filter((d) => d.note.startsWith('not caught') || d.scenarios === 0).map((d) => d.index);
  const unchangedComparisons = unchanged.comparisons.filter((c) => c.status !== 'not-compared' && c.gated).length;
  const result: StoredGateResult = {
    scale: scale.label, budgetMs, totalMs: Date.now() - startedAt, unchangedComparisons, falseAlarms: regressionReasons(unchanged, baseline, again),
    drops: drops.map(({ reasons: _, ...d }) => d), caught: drops.length - missed.length - rightlyMissed.length, rightlyMissed, missed,
  };
  log(`bench:gate: saved ${saveFigure('stored', result, db.serverVersion, GATE_FIGURES_DIR)} (npm run bench:gate -- figures writes docs/gate-measured.md)`);
  process.stdout.write(JSON.stringify({
    scale: scale.label, budgetMs, falseAlarms: falseAlarms.length,
    unchangedComparisons: unchanged.comparisons.filter((c) => c.status !== 'not-compared' && c.gated).length,
    drops: drops.length, caught: drops.length - missed.length - rightlyMissed.length, rightlyMissed, missed,
  }) + '\n');
  if (falseAlarms.length > 0 || missed.length > 0) process.exitCode = 1;
}).catch((error: unknown) => {
  // One line, as execbench itself prints failures; the stack only with EXECBENCH_DEBUG.
  log(`bench:gate failed: ${String((error as Error)?.message ?? error).replace(/\s*\n\s*/g, ' ')}`);
  if (process.env.EXECBENCH_DEBUG) console.error(error);
  process.exitCode = error instanceof ExecbenchError ? error.exitCode : EXIT.harness;
});
