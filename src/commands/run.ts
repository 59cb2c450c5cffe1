// `execbench run`: provision -> seed or reuse -> statistics fresh -> scenarios -> results, reports,
// findings, exit code.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { diffIndexScans, flushIndexStats, runAudit, snapshotIndexScans, summarizeAuditFindings } from '../audit/run-audit.ts';
import type { AuditReport, IndexScanSnapshot } from '../audit/types.ts';
import { withClient } from '../db/client.ts';
import { SPACER_BELOW_MS } from '../runner/form-sampler.ts';
import { readServerSettings } from '../db/settings.ts';
import type { Database, ProviderOptions } from '../db/provider.ts';
import { withDatabase } from '../db/with-database.ts';
import { EXIT, UsageError } from '../errors.ts';
import { findPgbench, PGBENCH_HINT } from '../runner/pgbench.ts';
import { compareRuns, signalHalf, type RunComparison } from '../gate/compare.ts';
import { checkComparable, postgresMajor } from '../gate/guardrails.ts';
import { BaselineError } from '../errors.ts';
import { datasetFingerprint } from '../seed/dataset.ts';
import { readSchemaPlan, seededIndexNames } from '../seed/schema-files.ts';
import { readResultsFile } from '../gate/results-file.ts';
import { decideExit, type ExitDecision, type FailOn } from '../gate/verdict.ts';
import { comparisonCounts, renderComparisonTable, renderTableStates } from './compare.ts';
import { RESULTS_SCHEMA_VERSION, type BaselineGap, type ClientProtocol, type Clock, type DatasetSummary, type EnvironmentInfo, type RunResults, type TableState } from '../results.ts';
import { describeServerClock, type StatementsProbe } from '../runner/server-clock.ts';
import { renderFindings, renderHeadline, renderResultsTable, renderTeamQueries, renderBudgetLine, renderWarnings } from '../report/console.ts';
import { checkReportTargets, writeReports } from '../report/write-reports.ts';
import { checkReadableFile } from '../paths.ts';
import { deriveFindings, headlineFindings, qualifyUnusedIndexFindings } from '../runner/findings.ts';
import { runScenariosAtScale } from '../runner/run-scenarios.ts';
import { checkExpectedIndexes } from '../scenario/check.ts';
import { reviewDocument } from '../spec/document-check.ts';
import { loadScenarioSet, selectScenarios, type LoadedScenario } from '../scenario/load.ts';
import { describeDataNow, type DatasetShape } from '../seed/config.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { confirmDatasetWrites } from '../seed/write-consent.ts';
import { describeLeftBehind } from './left-behind.ts';
import type { DatasetInfo, DatasetRequest, ScaleSpec } from '../seed/types.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The schema a seeded run judges, as checkExpectedIndexes names it. */
const SEEDED_SCHEMA = 'the seeded schema (schema/*.sql, schema/optional/*.sql)';

export interface RunOptions {
  /** --spec: the team's copy of the document to check the scenarios against (default docs/execution-indexes.md). */
  specPath?: string;
  scales: ScaleSpec[];
  scenarioPatterns: string[];
  /** The team's own query folders (--queries), loaded beside the built-in scenarios; checked readable folders. */
  queryDirs?: string[];
  /** The rows' shape (--data-shape merged over DATASET_SHAPE, validated), and the file it came from. */
  shape?: DatasetShape;
  shapeFile?: string;
  budgetMs: number;
  strictSpec: boolean;
  outDir?: string;
  json: boolean;
  seed: number;
  indexBuild: 'after' | 'during';
  fresh: boolean;
  optional: boolean;
  failOn: FailOn[];
  /** 'auto': each threshold's own clock (default); 'server' or 'client': every threshold on that clock. */
  clock?: 'auto' | Clock;
  /** How the client clock sends the timed query (default 'unnamed'). */
  protocol?: ClientProtocol;
  /** Time the small queries with pgbench too, beside execbench's client clock (needs pgbench on the PATH). */
  calibrate?: boolean;
  /** Cap per form on buying samples for an undecided latency verdict, ms. */
  maxFormMs?: number;
  baselinePath?: string;
  /** Run the index audit after the scenarios (sizes, scans, duplicates, bloat, write cost). */
  audit: boolean;
  /** With a baseline: gate the latency of write scenarios too. */
  gateWriteTime?: boolean;
  /** With a baseline: gated forms it could not compare (missing, skipped, without a plan), and nothing compared, are warnings. */
  allowMissing?: boolean;
  provider: ProviderOptions;
}

/** Runs the whole bench; returns the exit code (documented in the README). */
export async function runBenchCommand(options: RunOptions): Promise<number> {
  const t0 = performance.now();
  const log = options.provider.log;
  // Bad scenario names, malformed scenario or query files (a params function using a helper that does not exist,
  // an expected index the seeded schema does not create) and unusable paths fail before anything is started
  // (exit 3; a baseline's, exit 4).
  const loaded = await loadScenarioSet({ queryDirs: options.queryDirs ?? [] });
  const scenarios = selectScenarios(loaded, options.scenarioPatterns);
  // The document is read and checked against every scenario (not only the selected ones) before anything starts.
  const document = await reviewDocument(options.specPath, loaded);
  checkExpectedIndexes(scenarios, seededIndexNames(), SEEDED_SCHEMA);
  await checkReportTargets(options.outDir ?? path.join(PROJECT_ROOT, 'reports'), {
    label: options.outDir !== undefined ? '--out' : 'The reports folder',
    fix: 'Give --out a writable folder for the reports (created if missing), e.g. --out /tmp/execbench-reports.',
  });
  if (options.baselinePath !== undefined) {
    await checkReadableFile(options.baselinePath, {
      label: '--baseline', exitCode: EXIT.baseline,
      fix: 'Point it to a results.json written by `execbench run` (reports/<run-id>/results.json), or omit --baseline.',
    });
  }
  // A missing or corrupt baseline fails before any work (exit 4), and nothing is overwritten.
  const baseline = options.baselinePath ? await readResultsFile(options.baselinePath, 'baseline') : undefined;
  const requests = options.scales.map((scale): DatasetRequest => ({
    scale, seed: options.seed, indexBuild: options.indexBuild, fresh: options.fresh,
    optional: { coveringIndex: options.optional, dailyStats: options.optional },
    // Part of the fingerprint: a changed shape reseeds, and a baseline of another shape is refused.
    ...(options.shape ? { shape: options.shape } : {}),
  }));
  // A baseline of another scale or dataset is refused before any dataset is seeded or dropped.
  if (baseline) precheckBaseline(baseline, requests);
  const startedAt = new Date();
  const runId = startedAt.toISOString().replace(/[:.]/g, '-');
  const timings: Record<string, number> = {};

  // --calibrate needs pgbench: say so before any work, with how to get it.
  if (options.calibrate && !(await findPgbench())) throw new UsageError(`--calibrate: ${PGBENCH_HINT}`);
  const outcome = await withDatabase(options.provider, async (db, signal) => {
    timings.provisionMs = Math.round(performance.now() - t0);
    log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    // Every dataset of the run, seeded or reused, has this "now": a query's windows must be relative to it.
    log(`execbench: ${describeDataNow(options.shape, options.shapeFile)}`);
    if (baseline && postgresMajor(baseline.environment.postgres.versionNum) !== postgresMajor(db.serverVersionNum)) {
      throw new BaselineError(`Baseline refused: Postgres ${postgresMajor(baseline.environment.postgres.versionNum)} in the baseline, ` +
        `${postgresMajor(db.serverVersionNum)} on this server; plans and timings differ across major versions. Compare runs of one major version.`);
    }
    const datasets: DatasetInfo[] = [];
    const tableStates = new Map<string, TableState>();
    const all: RunResults['scenarios'] = [];
    const headline: RunResults['headline'] = [];
    const audits: AuditReport[] = [];
    let statements: StatementsProbe = { available: false, why: 'no scale was run' };
    // In a server execbench did not start, nothing is created or dropped before the role's rights are checked and
    // the user said yes (--yes, or y at a terminal); reused datasets need neither.
    await confirmDatasetWrites(db, requests, options.provider);
    for (const request of requests) {
      const scale = request.scale;
      const s0 = performance.now();
      const dataset = await ensureDataset(db, request, createProgress(`seed ${scale.label}`));
      timings[`seed_${scale.label}_ms`] = Math.round(performance.now() - s0);
      datasets.push(dataset);
      const r0 = performance.now();
      let before: IndexScanSnapshot | undefined;
      const run = await runScenariosAtScale({
        connectionString: db.connectionString, dataset, scenarios, budgetMs: options.budgetMs, log, signal,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.protocol ? { protocol: options.protocol } : {}),
        // In a server execbench started, pg_stat_statements is preloaded: create the extension in its database.
        createStatementsExtension: db.kind !== 'url',
        ...(options.calibrate ? { calibrate: true } : {}),
        ...(options.maxFormMs ? { maxFormMs: options.maxFormMs } : {}),
        beforeScenarios: async (client) => { before = await snapshotIndexScans(client, dataset.schema); },
        afterScenarios: async (client) => {
          if (!options.audit) return;
          const a0 = performance.now();
          await flushIndexStats(client);
          const after = await snapshotIndexScans(client, dataset.schema);
          audits.push(await runAudit(client, {
            schema: dataset.schema, scale: scale.label,
            ...(before ? { scanDelta: diffIndexScans(before, after) } : {}),
            // CREATE EXTENSION pgstattuple only in a server execbench started itself.
            mayCreateExtension: db.kind !== 'url',
          }));
          timings[`audit_${scale.label}_ms`] = Math.round(performance.now() - a0);
        },
      });
      timings[`scenarios_${scale.label}_ms`] = Math.round(performance.now() - r0);
      all.push(...run.results);
      if (run.tableState) tableStates.set(scale.label, run.tableState);
      headline.push(...run.headline);
      statements = run.statements;
    }
    const settings = await withClient(db.connectionString, readServerSettings);
    if (!statements.available) log(`execbench: server clock: EXPLAIN (ANALYZE, TIMING OFF), because ${statements.why}; it counts rows per plan node, so it reads higher than the statement's own time.`);
    const environment: EnvironmentInfo = {
      ...environmentInfo(db, settings),
      serverClock: statements.available
        ? { method: 'pg_stat_statements', detail: describeServerClock('pg_stat_statements') }
        : { method: 'explain-timing-off', detail: `${describeServerClock('explain-timing-off')}: ${statements.why}` },
      clientClock: { protocol: options.protocol ?? 'unnamed', detail: clientClockDetail(options.protocol ?? 'unnamed') },
    };
    return { datasets, tableStates, results: all, headline, audits, environment, closing: await describeLeftBehind(db, options.provider) };
  });

  timings.totalMs = Math.round(performance.now() - t0);
  const results: RunResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: {
      scales: options.scales.map((s) => s.label),
      scenarios: scenarios.map((s) => s.id),
      timeBudgetMs: options.budgetMs,
      strictSpec: options.strictSpec,
      clock: options.clock ?? 'auto',
      protocol: options.protocol ?? 'unnamed',
      ...(options.queryDirs?.length ? { queries: options.queryDirs } : {}),
      ...(options.shapeFile ? { dataShape: options.shapeFile } : {}),
    },
    environment: outcome.environment,
    datasets: outcome.datasets.map((d) => {
      const state = outcome.tableStates.get(d.request.scale.label);
      return { ...datasetSummary(d), ...(state ? { tableState: state } : {}) };
    }),
    scenarios: outcome.results,
    findings: [
      ...deriveFindings(outcome.results, scenarios),
      ...headlineFindings(outcome.headline),
      ...outcome.audits.flatMap(summarizeAuditFindings),
    ],
    headline: outcome.headline,
    ...(outcome.audits.length > 0 ? { audit: outcome.audits } : {}),
    timings,
  };
  results.findings = [...qualifyUnusedIndexFindings(results.findings, results.scenarios, scenarios.length, loaded.length), ...document.findings];
  return reportAndDecide(results, { ...options, baseline, budget: renderBudgetLine(results, scenarios.length), closing: [...document.lines, ...outcome.closing] });
}

/** What every run ends with: the baseline applied, reports written, the tables printed, the gate decided. */
export async function reportAndDecide(
  results: RunResults,
  options: Pick<RunOptions, 'outDir' | 'json' | 'failOn' | 'gateWriteTime' | 'allowMissing'> & { baseline?: RunResults; budget?: string; closing?: string[] },
): Promise<number> {
  const { baseline } = options;
  let comparison: RunComparison | undefined;
  if (baseline) {
    comparison = compareRuns(baseline, results, { gateWriteTime: options.gateWriteTime ?? false, allowMissing: options.allowMissing ?? false });
    applyBaseline(results, comparison);
  }
  const outDir = options.outDir ?? path.join(PROJECT_ROOT, 'reports', results.runId);
  const written = await writeReports(results, outDir);
  const out = options.json ? process.stderr : process.stdout;
  const team = renderTeamQueries(results);
  const warnings = renderWarnings(results);
  out.write(`\n${renderResultsTable(results)}\n\n${renderHeadline(results)}\n\n${renderFindings(results)}\n\n${team ? `${team}\n\n` : ''}${warnings ? `${warnings}\n\n` : ''}`);
  out.write(`Reports: ${written.map((p) => path.relative(process.cwd(), p) || p).join(', ')}\n`);
  if (comparison && baseline) {
    out.write(`Baseline comparison with ${comparison.baselineRunId}:\n${renderComparisonTable(comparison)}\n${comparisonCounts(comparison)}\n`);
    for (const line of renderTableStates(baseline, results)) out.write(`${line}\n`);
    for (const w of comparison.warnings) out.write(`warning: ${w}\n`);
  }
  if (options.budget) out.write(options.budget + '\n');
  for (const line of options.closing ?? []) out.write(line + '\n');
  if (options.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  // The comparison is the baseline's word (its gaps have no result row to carry a violation); decideExit does not
  // count the 'baseline' violations applyBaseline copied into results a second time.
  const decision = decideExit(results, comparison, options.failOn);
  out.write(gateLine(results, decision) + '\n');
  return decision.exitCode;
}

/** The guardrails that need no server: scales and dataset fingerprints, from the request alone. */
function precheckBaseline(baseline: RunResults, requests: DatasetRequest[]): void {
  const planned = {
    ...baseline,
    options: { ...baseline.options, scales: requests.map((r) => r.scale.label) },
    datasets: requests.map((r) => ({
      ...(baseline.datasets.find((d) => d.scale === r.scale.label) ?? baseline.datasets[0]!),
      scale: r.scale.label,
      seed: r.seed,
      fingerprint: datasetFingerprint(r, readSchemaPlan(r).checksum),
    })),
  };
  checkComparable(baseline, planned);
}

/**
 * Records each failed check of a baseline regression as a 'baseline' violation (with its half) on the current
 * result, and the forms not compared in results.baseline, so the JSON, JUnit, Markdown and HTML outputs carry them.
 */
export function applyBaseline(results: RunResults, comparison: RunComparison): void {
  const notCompared = comparison.comparisons.flatMap((c): BaselineGap[] =>
    c.status === 'not-compared' && c.gate !== 'none' ? [{ scenarioId: c.scenarioId, scale: c.scale, form: c.form, reason: c.reason, gate: c.gate }] : []);
  results.baseline = {
    runId: comparison.baselineRunId,
    warnings: comparison.warnings,
    regressions: comparison.comparisons.filter((c) => c.status === 'regressed').length,
    compared: comparison.comparisons.filter((c) => c.status !== 'not-compared').length,
    notCompared,
    ...(comparison.nothingCompared ? { nothingCompared: comparison.nothingCompared } : {}),
    allowMissing: comparison.options.allowMissing,
  };
  for (const c of comparison.comparisons) {
    if (c.status !== 'regressed') continue;
    const r = results.scenarios.find((x) => x.scenarioId === c.scenarioId && x.scale === c.scale && x.form === c.form);
    if (!r) continue;
    const violations = c.checks.filter((k) => !k.passed).map((k) => ({
      kind: 'baseline' as const, half: signalHalf(k.signal), message: `vs baseline ${comparison.baselineRunId}: ${k.message}`,
    }));
    r.outcome = r.outcome.status === 'failed'
      ? { status: 'failed', violations: [...r.outcome.violations, ...violations] }
      : r.outcome.status === 'passed' ? { status: 'failed', violations } : r.outcome;
  }
}

/** The last word of a run: passed or failed, and why so many FAIL rows can still mean exit 0. */
export function gateLine(results: RunResults, decision: ExitDecision): string {
  const gated = results.scenarios.filter((r) => r.gated || (results.options.strictSpec && r.form === 'documented'));
  const failedFindings = results.scenarios.filter((r) => !r.gated && r.outcome.status === 'failed').length;
  const findingsNote = !results.options.strictSpec && failedFindings > 0
    ? ` The ${failedFindings} failing rows marked † are the spec's own SQL as printed: reported as findings, not gated (gated only with --strict-spec).`
    : '';
  if (decision.exitCode === EXIT.ok) {
    const inconclusive = decision.ignored.filter((line) => / inconclusive: /.test(line));
    const others = decision.ignored.length - inconclusive.length;
    // A half of the baseline left out of --fail-on (e.g. time on a noisy runner) is named, with what it found.
    const halves = decision.ignored.filter((line) => /(^|: )baseline (plan|time): /.test(line));
    const ignored = (others > 0 ? ` ${others} failure(s) outside --fail-on were not counted.` : '') +
      (halves.length > 0 ? `\n  not gated (outside --fail-on):\n${halves.map((l) => `    - ${l}`).join('\n')}` : '');
    const warn = inconclusive.length > 0
      ? `\n  warning: ${inconclusive.length} latency verdict(s) inconclusive (the interval still contains the limit, or too few samples for a bound; a warning, fatal with --fail-on ...,inconclusive):\n${inconclusive.map((l) => `    - ${l}`).join('\n')}`
      : '';
    // Not a warning: known from the first look, the same every run on the same machine, and decided by one flag.
    const notes = decision.notes ?? [];
    const note = notes.length > 0
      ? `\n  note: ${notes.length} latency verdict(s) left undecided on purpose: a pass would cost more than the cap per form (--max-form-time) and no sample came near the limit (fatal with --fail-on ...,inconclusive):\n${notes.map((l) => `    - ${l}`).join('\n')}`
      : '';
    return `Gate: PASSED (exit 0): ${gated.length} gated forms judged.${findingsNote}${ignored}${warn}${note}`;
  }
  return `Gate: FAILED (exit ${decision.exitCode}):\n${decision.reasons.map((r) => `  - ${r}`).join('\n')}\n${findingsNote.trim()}`;
}

/** One sentence on how the client clock times a query. */
export function clientClockDetail(protocol: ClientProtocol): string {
  const how = protocol === 'prepared'
    ? 'a named prepared statement (parsed once per connection, as pgbench -M prepared and most pooled drivers do; PostgreSQL may switch it to a generic plan after five executions)'
    : 'the extended protocol with an unnamed statement (parse, bind, execute every time, as pgbench -M extended and node-pg without a name do)';
  return `wire round trip by ${how}: from the request's single socket write to its last byte; decoding rows into JavaScript values is timed apart; ` +
    `a form under ${SPACER_BELOW_MS} ms runs an untimed execution before each timed one, so the server clock's read in between does not disturb it`;
}

export function datasetSummary(d: DatasetInfo): DatasetSummary {
  return {
    scale: d.request.scale.label, schema: d.schema, fingerprint: d.fingerprint, seed: d.request.seed,
    focusRows: d.counts.focusRows, totalRows: d.counts.totalRows, tenants: d.counts.tenants,
    indexBuild: d.request.indexBuild, reused: d.reused, phasesMs: d.phasesMs, anchor: d.anchor,
  };
}

export function environmentInfo(db: Database, settings: Record<string, string>): EnvironmentInfo {
  const cpus = os.cpus();
  const commit = gitCommit();
  return {
    provider: { kind: db.kind, reason: db.reason },
    postgres: { version: db.serverVersion, versionNum: db.serverVersionNum, settings },
    machine: {
      cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryBytes: os.totalmem(),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version,
    },
    ...(commit ? { gitCommit: commit } : {}),
    execbenchVersion: (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
  };
}

/** The checkout's commit (undefined outside a git checkout). */
export function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

/** Whether tracked files differ from the commit (a figure measured on uncommitted code says so). */
export function gitDirty(): boolean | undefined {
  try {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
  } catch {
    return undefined;
  }
}
