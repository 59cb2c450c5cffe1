// `npm run bench:sensitivity [scale] [runs]`: do the verdict rules see a real slowdown? The local server's CPU is
// limited with a cgroup (a real slowdown that leaves plans and buffers unchanged), and the same rules the run uses
// judge it:
//  - thresholds: each form's limit is set to its unthrottled p95, then the server is slowed until the true p95 is
//    ~1.5x that limit: the verdict should fail in every run;
//  - the baseline time check: an unthrottled baseline against runs slowed 2x and 1.5x should be caught in 10 of
//    10 and at least 9 of 10; unthrottled against unthrottled shows the false-alarm rate beside it.
// Effects are measured, not assumed: the true p95 under each limit comes from a long reference sample.
// Last line: one JSON object.
import pg from 'pg';
import { resolveProviderOptions } from '../config.ts';
import { withClient } from '../db/client.ts';
import { readServerSettings } from '../db/settings.ts';
import { withDatabase } from '../db/with-database.ts';
import { compareRuns } from '../gate/compare.ts';
import type { Clock, ScenarioResult } from '../results.ts';
import { textTable } from '../report/console.ts';
import { measureForm } from '../runner/measure.ts';
import { createParamPicker, loadParamPools } from '../runner/params.ts';
import { connectToDataset } from '../runner/run-scenarios.ts';
import { ensureStatementsExtension, probeStatements } from '../runner/server-clock.ts';
import { quantile } from '../runner/statistics.ts';
import { judgeLatency } from '../gate/latency-verdict.ts';
import { thresholdFor } from '../runner/thresholds.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { benchResults, benchRequest, runScript } from './common.ts';
import { createCpuThrottle, serverProcesses, type CpuThrottle } from './cpu-throttle.ts';

/** CPU-bound forms of a few milliseconds and up (a throttle cannot slow a 0.1 ms query in proportion), one per clock kind. */
const FORMS: { id: string; clock: Clock }[] = [
  { id: 'covering-percentiles', clock: 'server' },
  { id: 'sparkline-7d', clock: 'server' },
  { id: 'daily-stats-live-aggregate', clock: 'client' },
];
const BUDGET_MS = 750;
const REFERENCE_BUDGET_MS = 4000;
const log = (line: string) => process.stderr.write(`${line}\n`);

await runScript(async () => {
  const scale = parseScale(process.argv[2] ?? '100k');
  const runs = Number(process.argv[3] ?? 10);
  const throttle = createCpuThrottle();
  if ('unavailable' in throttle) {
    process.stderr.write(`bench:sensitivity: ${throttle.unavailable}; it needs root and a writable cgroup cpu controller (Linux).\n`);
    return 3;
  }
  const rows: Record<string, unknown>[] = [];
  try {
    await withDatabase(resolveProviderOptions({ provider: process.env.EXECBENCH_PROVIDER ?? 'embedded' }, process.env, log), async (db) => {
      if (db.kind === 'url') throw new Error('bench:sensitivity limits the CPU of a server it starts: use the embedded or container provider.');
      const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
      const scenarios = (await loadScenarios()).filter((s) => FORMS.some((f) => f.id === s.id));
      const settings = await withClient(db.connectionString, readServerSettings);
      const client = await connectToDataset(db.connectionString, dataset.schema);
      try {
        await ensureStatementsExtension(client);
        const probe = await probeStatements(client);
        const statementsSchema = probe.available ? probe.schema : undefined;
        const backend = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        throttle.add(serverProcesses(backend.rows[0]!.pid));
        log(`bench:sensitivity: ${db.kind} Postgres ${db.serverVersion} at ${scale.label}; CPU limited through ${throttle.describe()}; ${runs} runs per effect`);
        const pools = await loadParamPools(client, dataset);
        const picker = (i: number) => createParamPicker(pools, i);
        for (const target of FORMS) {
          const scenario = scenarios.find((s) => s.id === target.id)!;
          const measure = async (budgetMs: number, limitMs: number) => measureForm({
            client, scenarioId: scenario.id, scenario: scenario.definition, form: scenario.definition.corrected ? 'corrected' : 'documented',
            scale: scale.label, gated: true, picker, budgetMs, clock: target.clock,
            threshold: { p95Ms: limitMs, clock: target.clock, source: 'bench:sensitivity' },
            ...(statementsSchema ? { statementsSchema } : {}),
          });
          const judged = (r: ScenarioResult) => (target.clock === 'server' ? r.latency!.serverSamplesMs : r.latency!.clientSamplesMs);
          const realLimit = thresholdFor(scenario.definition, scale)?.p95Ms ?? Number.MAX_SAFE_INTEGER;
          throttle.set(undefined);
          const reference = await measure(REFERENCE_BUDGET_MS, Number.MAX_SAFE_INTEGER);
          const referenceP95 = quantile(judged(reference), 0.95);
          // The unthrottled baseline the time check compares against, as a CI job would store it.
          const baseline = benchResults(db, settings, dataset, [scenario], [await measure(BUDGET_MS, realLimit)], 'baseline', BUDGET_MS);
          for (const effect of [1, 1.5, 2]) {
            const cpus = await calibrate(throttle, effect, async () => quantile(judged(await measure(REFERENCE_BUDGET_MS / 2, Number.MAX_SAFE_INTEGER)), 0.95) / referenceP95);
            const slowed = await measure(REFERENCE_BUDGET_MS, Number.MAX_SAFE_INTEGER);
            const measuredEffect = quantile(judged(slowed), 0.95) / referenceP95;
            const medianEffect = quantile(judged(slowed), 0.5) / quantile(judged(reference), 0.5);
            let thresholdFails = 0;
            let baselineCaught = 0;
            for (let run = 0; run < runs; run++) {
              // Each run is measured as `execbench run` would, against the scenario's real threshold (so it samples as
              // a CI run does). The threshold test is the same pure rule on the same samples with the limit set to
              // the unthrottled p95: under the slowdown the true p95 exceeds that limit by the measured effect.
              const result = await measure(BUDGET_MS, realLimit);
              if (judgeLatency(judged(result), { limitMs: referenceP95, clock: target.clock, statistic: 'p95' }).status === 'failed') thresholdFails++;
              const comparison = compareRuns(baseline, benchResults(db, settings, dataset, [scenario], [result], `run-${run}`, BUDGET_MS));
              if (comparison.comparisons.some((c) => c.status === 'regressed' && c.reasons.some((reason) => /time/.test(reason)))) baselineCaught++;
            }
            const row = {
              form: `${scenario.id}/${target.clock}`, effect, cpus: cpus ?? 'unlimited', measuredEffect: round(measuredEffect), medianEffect: round(medianEffect),
              referenceP95Ms: round(referenceP95), thresholdFails, baselineCaught, runs,
            };
            rows.push(row);
            log(`bench:sensitivity: ${row.form} x${effect} (measured x${row.measuredEffect}, ${row.cpus} CPU): threshold failed ${thresholdFails}/${runs}, baseline caught ${baselineCaught}/${runs}`);
          }
          throttle.set(undefined);
        }
      } finally {
        throttle.set(undefined);
        await client.end();
      }
    });
  } finally {
    throttle.release();
  }
  process.stdout.write(`\n${textTable(['form/clock', 'slowdown', 'CPU limit', 'measured p95 ratio', 'median ratio', 'threshold failed (limit = unthrottled p95)', 'baseline time check caught'],
    rows.map((r) => [String(r.form), `x${r.effect}`, String(r.cpus), `x${r.measuredEffect}`, `x${r.medianEffect}`, `${r.thresholdFails}/${r.runs}`, `${r.baselineCaught}/${r.runs}`]))}\n` +
    '  x1 rows: no CPU limit. Their baseline column is the false-alarm rate; their threshold column puts the limit at the\n' +
    '  unthrottled p95 itself, so it shows how the machine drifted between the reference and the runs, not an error rate.\n' +
    '  Targets: threshold exceeded 1.5x fails in 10 of 10; baseline check catches x2 in 10 of 10 and x1.5 in at least 9 of 10.\n\n');
  process.stdout.write(JSON.stringify({ rows }) + '\n');
});

/** Finds a CPU limit that slows the form's p95 by `effect` (bisection on the measured ratio); undefined for 1. */
async function calibrate(throttle: CpuThrottle, effect: number, ratio: () => Promise<number>): Promise<number | undefined> {
  if (effect === 1) { throttle.set(undefined); return undefined; }
  // A CPU-bound single backend slows by about 1 / cpus below one CPU: start there, then correct a few times.
  let cpus = 1 / effect;
  for (let i = 0; i < 4; i++) {
    throttle.set(cpus);
    const measured = await ratio();
    if (Math.abs(measured - effect) / effect < 0.08) break;
    cpus = Math.min(2, Math.max(0.25, cpus * (measured / effect)));
  }
  throttle.set(cpus);
  return round(cpus);
}


function round(n: number): number {
  return Math.round(n * 100) / 100;
}
