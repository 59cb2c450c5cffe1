// `execbench ab --base <ref>`: two states of the repository (a ref, and the working tree or another ref) measured
// interleaved on one server and the same rows, per form: the plan half exactly, the time half in paired rounds; a
// flagged slowdown is measured again before it fails. Writes ab.json, index.html, summary.md and junit.xml.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AB_SCHEMA_VERSION, describeAbMethod, type AbDocument } from '../ab/document.ts';
import { buildIndexSets, type AbIndexSets, type AbRole } from '../ab/index-sets.ts';
import { comparedClock, decideAb, judgeAbForm, judgeSamples, type AbFormFacts, type AbHalf } from '../ab/judge-form.ts';
import { AB_TIME_RULE, perComparisonConfidence, roundOrders, type AbTimeRule } from '../ab/judge-time.ts';
import { planSides, timeSides, type AbTimeSamples } from '../ab/measure-form.ts';
import { functionsDiffer, indexFiles, interleavable, loadSide, repositoryRoot, sideSource, type AbSide } from '../ab/sides.ts';
import { withClient } from '../db/client.ts';
import { hash32 } from '../gate/compare.ts';
import type { ProviderOptions } from '../db/provider.ts';
import { readServerSettings } from '../db/settings.ts';
import { withDatabase } from '../db/with-database.ts';
import { UsageError } from '../errors.ts';
import { renderAbHtml } from '../report/ab-html.ts';
import { renderAbJunit } from '../report/ab-junit.ts';
import { renderAbConsole, renderAbMarkdown } from '../report/ab-text.ts';
import { checkReportTargets, writeReportFiles } from '../report/write-reports.ts';
import { createParamPicker, loadParamPools } from '../runner/params.ts';
import { ensureStatementsExtension, probeStatements } from '../runner/server-clock.ts';
import { connectToDataset, prepareDatasetSession } from '../runner/session.ts';
import { mulberry32 } from '../runner/statistics.ts';
import { thresholdFor } from '../runner/thresholds.ts';
import { isGatedForm, KIND_ORDER, type ScenarioDefinition, type SqlForm } from '../scenario/define.ts';
import { selectScenarios, type LoadedScenario } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import type { ScaleSpec } from '../seed/types.ts';
import { confirmDatasetWrites } from '../seed/write-consent.ts';
import { datasetSummary, environmentInfo, PROJECT_ROOT } from './run.ts';

export interface AbOptions {
  /** The base ref (e.g. origin/main). */
  base: string;
  /** The head ref; absent: the working tree. */
  head?: string;
  /** A folder inside the repository (default: the working folder). */
  repo?: string;
  scale: ScaleSpec;
  scenarioPatterns: string[];
  /** Timed executions of one form, both sides together, per measurement, ms. */
  budgetMs: number;
  rounds: number;
  seed: number;
  fresh: boolean;
  failOn: AbHalf[];
  allowMissing: boolean;
  outDir?: string;
  json: boolean;
  provider: ProviderOptions;
}

/** One scenario form on both sides, before measuring. */
interface FormPair {
  scenarioId: string;
  form: 'documented' | 'corrected';
  definitions: Partial<Record<AbRole, ScenarioDefinition>>;
  forms: Partial<Record<AbRole, SqlForm>>;
  kind: ScenarioDefinition['kind'];
  title: string;
  gated: boolean;
}

/** Every form of the selected scenarios on either side, reads first (a rolled-back write leaves dead tuples behind). */
export function pairForms(base: AbSide, head: AbSide, patterns: string[]): FormPair[] {
  const byId = new Map<string, LoadedScenario>();
  for (const s of [...base.scenarios, ...head.scenarios]) byId.set(s.id, s);
  const chosen = new Set(selectScenarios([...byId.values()].sort((a, b) => a.id.localeCompare(b.id)), patterns).map((s) => s.id));
  const baseById = new Map(base.scenarios.map((s) => [s.id, s.definition]));
  const headById = new Map(head.scenarios.map((s) => [s.id, s.definition]));
  const pairs: FormPair[] = [];
  for (const id of [...chosen].sort()) {
    const definitions: Partial<Record<AbRole, ScenarioDefinition>> = {};
    if (baseById.has(id)) definitions.base = baseById.get(id)!;
    if (headById.has(id)) definitions.head = headById.get(id)!;
    const ref = (definitions.head ?? definitions.base)!;
    for (const form of ['documented', 'corrected'] as const) {
      const forms: Partial<Record<AbRole, SqlForm>> = {};
      if (definitions.base?.[form]) forms.base = definitions.base[form];
      if (definitions.head?.[form]) forms.head = definitions.head[form];
      if (!forms.base && !forms.head) continue;
      const gatedBy = forms.head ? definitions.head! : definitions.base!;
      pairs.push({ scenarioId: id, form, definitions, forms, kind: ref.kind, title: ref.title, gated: isGatedForm(gatedBy, form) });
    }
  }
  return pairs.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

export async function runAbCommand(options: AbOptions): Promise<number> {
  const t0 = performance.now();
  const log = options.provider.log;
  const rule: AbTimeRule = { ...AB_TIME_RULE, rounds: options.rounds };
  // Everything that can be refused is checked before a server starts (exit 3).
  const root = repositoryRoot(options.repo ?? process.cwd());
  const extractDir = path.join(options.provider.cacheDir, 'ab');
  mkdirSync(extractDir, { recursive: true });
  const base = await loadSide(sideSource(root, 'base', options.base, extractDir));
  const head = await loadSide(sideSource(root, 'head', options.head, extractDir));
  const fit = interleavable(base.schema, head.schema);
  if (!fit.ok) {
    throw new UsageError(`execbench ab cannot interleave ${options.base} and ${options.head ?? 'the working tree'}: ${fit.why}. Measure each side on its own rows instead (execbench run --out A at one, execbench run --baseline A/results.json at the other): two runs, whose drift between them is not controlled.`);
  }
  const pairs = pairForms(base, head, options.scenarioPatterns);
  const outDir = options.outDir ?? path.join(PROJECT_ROOT, 'reports', `ab-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await checkReportTargets(outDir, { label: options.outDir !== undefined ? '--out' : 'The reports folder', fix: 'Give --out a writable folder for the reports (created if missing), e.g. --out /tmp/execbench-ab.' });
  const startedAt = new Date();
  const describeSide = (s: AbSide) => `${s.commit.slice(0, 7)}${s.uncommitted ? '+uncommitted' : ''} (${s.given}: ${s.scenarios.length} scenarios)`;
  log(`execbench ab: base ${describeSide(base)} against head ${describeSide(head)}; ${pairs.length} forms at ${options.scale.label}`);

  const measured = await withDatabase(options.provider, async (db) => {
    log(`execbench ab: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    if (db.kind !== 'url') await withClient(db.connectionString, ensureStatementsExtension);
    const request = { scale: options.scale, seed: options.seed, indexBuild: 'after' as const, fresh: options.fresh, optional: { coveringIndex: true, dailyStats: true } };
    await confirmDatasetWrites(db, [request], options.provider);
    const dataset = await ensureDataset(db, request, createProgress(`seed ${options.scale.label}`));
    const client = await connectToDataset(db.connectionString, dataset.schema);
    const facts: AbFormFacts[] = [];
    // The gated time comparisons the run's false-alarm level is divided among (Bonferroni): one figure for the
    // measuring and the judging.
    let comparisons = 1;
    try {
      // Both sides' indexes are built on a clean table with fresh statistics (indexes built over broken HOT chains
      // would be invisible to the transaction that built them).
      await prepareDatasetSession(client, dataset.schema);
      const statements = await probeStatements(client);
      const pools = await loadParamPools(client, dataset);
      const picker = (i: number) => createParamPicker(pools, i);
      await client.query('BEGIN');
      await client.query("SET LOCAL maintenance_work_mem = '256MB'");
      const b0 = performance.now();
      const sets: AbIndexSets = await buildIndexSets(client,
        { base: indexFiles(base.schema), head: indexFiles(head.schema) },
        functionsDiffer(base.schema, head.schema) ? { base: base.schema.functions, head: head.schema.functions } : { base: [], head: [] });
      log(`ab: both index sets built on ${dataset.schema} in ${((performance.now() - b0) / 1000).toFixed(1)} s (base ${sets.names.base.size}, head ${sets.names.head.size} indexes; rolled back at the end)`);

      // Pass 1: every form's plan on both sides.
      for (const [n, pair] of pairs.entries()) {
        const plans = await planSides(client, sets, pair.forms, pair.kind, picker);
        const threshold = thresholdFor((pair.definitions.head ?? pair.definitions.base)!, options.scale);
        const both = plans.base && plans.head && 'plan' in plans.base && 'plan' in plans.head;
        const untimed = !pair.gated ? 'not gated: its plan is reported' : pair.kind !== 'read' ? `a ${pair.kind === 'write' ? 'write' : 'DDL statement'}: its plan is gated, its time reported by run, not gated`
          : !both ? 'not on both sides with a plan' : undefined;
        facts.push({
          scenarioId: pair.scenarioId, form: pair.form, title: pair.title, kind: pair.kind, gated: pair.gated,
          sql: { ...(pair.forms.base ? { base: pair.forms.base.sql } : {}), ...(pair.forms.head ? { head: pair.forms.head.sql } : {}) },
          plans, thresholdClock: threshold?.clock ?? 'client', ...(untimed ? { untimed } : {}),
        });
        log(`[${options.scale.label}] plans ${n + 1}/${pairs.length} ${pair.scenarioId} (${pair.form})`);
      }
      // Pass 2: the gated reads' time, in rounds; the level of each is the run's level over their number.
      const timed = facts.filter((f) => f.untimed === undefined);
      comparisons = Math.max(1, timed.length);
      const measure = async (f: AbFormFacts, salt: number): Promise<AbTimeSamples> => {
        const pair = pairs.find((p) => p.scenarioId === f.scenarioId && p.form === f.form)!;
        const plan = (role: AbRole) => (f.plans[role] as { plan: { executionMs: number; rowsReturned: number } }).plan;
        return timeSides({
          client, sets, forms: { base: pair.forms.base!, head: pair.forms.head! },
          executionMs: { base: plan('base').executionMs, head: plan('head').executionMs },
          rowsReturned: { base: plan('base').rowsReturned, head: plan('head').rowsReturned },
          write: false, picker, protocol: 'unnamed',
          ...(statements.available ? { statementsSchema: statements.schema } : {}),
          orders: roundOrders(rule.rounds, mulberry32((options.seed ^ hash32(`${f.scenarioId}|${f.form}|${salt}`)) >>> 0)),
          budgetMs: options.budgetMs,
        });
      };
      const flagged: AbFormFacts[] = [];
      for (const [n, f] of timed.entries()) {
        const first = await measure(f, 1);
        f.time = { first };
        const j = judgeSamples(first, comparedClock(f, first), comparisons, rule);
        if (j.flagged) flagged.push(f);
        log(`[${options.scale.label}] time ${n + 1}/${timed.length} ${f.scenarioId} (${f.form}): ${j.words}`);
      }
      // Pass 3: a flagged form is measured again, after all the others, before it can fail.
      for (const f of flagged) {
        f.time!.confirmation = await measure(f, 2);
        const j = judgeSamples(f.time!.confirmation, comparedClock(f, f.time!.first), comparisons, rule);
        log(`[${options.scale.label}] confirming ${f.scenarioId} (${f.form}): ${j.words}`);
      }
      await client.query('ROLLBACK');
    } finally {
      await client.end().catch(() => undefined);
    }
    const settings = await withClient(db.connectionString, readServerSettings);
    return { facts, comparisons, dataset, environment: environmentInfo(db, settings) };
  });

  const { comparisons } = measured;
  const verdicts = measured.facts.map((f) => judgeAbForm(f, comparisons, { time: rule }));
  const decision = decideAb(verdicts, { failOn: options.failOn, allowMissing: options.allowMissing });
  const doc: AbDocument = {
    kind: 'execbench-ab', schemaVersion: AB_SCHEMA_VERSION, runId: path.basename(outDir), startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
    mode: 'interleaved',
    base: { given: base.given, commit: base.commit, uncommitted: base.uncommitted },
    head: { given: head.given, commit: head.commit, uncommitted: head.uncommitted },
    scale: options.scale.label, dataset: datasetSummary(measured.dataset), environment: measured.environment,
    method: { rule, comparisons, perComparisonConfidence: perComparisonConfidence(comparisons, rule), budgetMs: options.budgetMs, words: '' },
    forms: verdicts,
    gate: { ...decision, failOn: options.failOn, allowMissing: options.allowMissing },
    durationMs: Math.round(performance.now() - t0),
  };
  doc.method.words = describeAbMethod(doc);
  const written = await writeAbReports(doc, outDir);
  const out = options.json ? process.stderr : process.stdout;
  out.write(`\n${renderAbConsole(doc)}\n\nReports: ${written.map((p) => path.relative(process.cwd(), p) || p).join(', ')}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  return decision.exitCode;
}

/** Writes ab.json, index.html, summary.md, junit.xml; appends summary.md to $GITHUB_STEP_SUMMARY when set. */
export async function writeAbReports(doc: AbDocument, outDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  // Rendered first, so a rendering bug leaves no half-written folder behind.
  const markdown = renderAbMarkdown(doc);
  const files: [string, string][] = [
    ['ab.json', `${JSON.stringify(doc, null, 2)}\n`],
    ['index.html', await renderAbHtml(doc)],
    ['summary.md', markdown],
    ['junit.xml', renderAbJunit(doc)],
  ];
  return writeReportFiles(outDir, files, markdown, env);
}
