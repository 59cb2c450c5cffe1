// `execbench run --table`: the document's scenarios judged on a user's own executions table, as it is, read-only.
// provision (their URL) -> read-only session -> privileges -> their columns, indexes (mapped to the document's by
// definition) and rows (parameters) -> scenarios -> their index audit (no writes, no extension) -> reports.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { diffIndexScans, flushIndexStats, runAudit, snapshotIndexScans, summarizeAuditFindings } from '../audit/run-audit.ts';
import { readIndexes } from '../audit/catalog.ts';
import type { AuditReport, IndexScanSnapshot } from '../audit/types.ts';
import { redactUrl } from '../db/url.ts';
import { withDatabase } from '../db/with-database.ts';
import { UsageError, describePgError } from '../errors.ts';
import { RESULTS_SCHEMA_VERSION, type Finding, type RunResults, type TableTarget } from '../results.ts';
import { readServerSettings } from '../db/settings.ts';
import { deriveFindings, headlineFindings, qualifyUnusedIndexFindings } from '../runner/findings.ts';
import { runScenariosAtScale } from '../runner/run-scenarios.ts';
import { describeServerClock } from '../runner/server-clock.ts';
import { loadScenarioSet, selectScenarios } from '../scenario/load.ts';
import { reviewDocument } from '../spec/document-check.ts';
import { checkExpectedIndexes } from '../scenario/check.ts';
import { readSchemaPlan } from '../seed/schema-files.ts';
import type { DatasetInfo } from '../seed/types.ts';
import { mapIndexes, parseDocumentedIndexes, type IndexMap } from '../target/index-map.ts';
import { connectToTable, loadTablePools, preflightTable, type TableFacts, type TableRef } from '../target/table.ts';
import { checkReportTargets } from '../report/write-reports.ts';
import { clientClockDetail, environmentInfo, PROJECT_ROOT, reportAndDecide, type RunOptions } from './run.ts';

export interface TableRunOptions extends Omit<RunOptions, 'scales' | 'seed' | 'indexBuild' | 'fresh' | 'optional' | 'baselinePath' | 'calibrate'> {
  table: TableRef;
  allowWrites: boolean;
  plansOnly: boolean;
}

/** The scale label of a table run: its thresholds are borrowed by the busiest tenant's size (thresholds.ts). */
export const TABLE_SCALE = 'table';

/** The document's table columns and indexes, as execbench's schema files create them. */
export function documentedSchema(): { columns: string[]; indexes: ReturnType<typeof parseDocumentedIndexes>; covering: ReturnType<typeof parseDocumentedIndexes> } {
  const plan = readSchemaPlan({ optional: { coveringIndex: true, dailyStats: false } });
  const columns = [...plan.table.sql.replace(/--[^\n]*/g, '').matchAll(/^\s+([a-z_][a-z0-9_]*)\s+(?:uuid|text|timestamptz|integer|bigint|jsonb)\b/gm)].map((m) => m[1]!);
  return {
    columns,
    indexes: parseDocumentedIndexes(`${plan.table.sql}\n${plan.indexes.sql}`),
    covering: parseDocumentedIndexes(plan.coveringIndex?.sql ?? ''),
  };
}

export async function runTableCommand(options: TableRunOptions): Promise<number> {
  const t0 = performance.now();
  const log = options.provider.log;
  if (options.provider.databaseUrl === undefined || (options.provider.provider !== 'auto' && options.provider.provider !== 'url')) {
    throw new UsageError('--table judges a table on your server: give --database-url postgres://user@host/db (or DATABASE_URL); a server execbench starts holds no table of yours.');
  }
  const loaded = await loadScenarioSet({ queryDirs: options.queryDirs ?? [] });
  const scenarios = selectScenarios(loaded, options.scenarioPatterns);
  const document = await reviewDocument(options.specPath, loaded);
  await checkReportTargets(options.outDir ?? path.join(PROJECT_ROOT, 'reports'), {
    label: options.outDir !== undefined ? '--out' : 'The reports folder',
    fix: 'Give --out a writable folder for the reports (created if missing), e.g. --out /tmp/execbench-reports.',
  });
  const schema = documentedSchema();
  const startedAt = new Date();
  const timings: Record<string, number> = {};

  const outcome = await withDatabase(options.provider, async (db, signal) => {
    timings.provisionMs = Math.round(performance.now() - t0);
    const client = await connectToTable(db.connectionString, options.table);
    try {
      const facts = await preflightTable(client, options.table, { allowWrites: options.allowWrites });
      log(`execbench: judging ${facts.qualified} in ${redactUrl(db.connectionString)} (Postgres ${db.serverVersion}) as ${facts.role}: ` +
        `${options.plansOnly ? 'plans only, no statement executed' : options.allowWrites ? 'reads, and writes rolled back' : 'read-only'}; nothing is created there`);
      const catalog = await readIndexes(client, facts.schema, facts.table);
      const rows = catalog.map((c) => c.row);
      const indexMap = mapIndexes(schema.indexes, rows);
      // A team query's expected index must be one of this table's or one the document names (mapped to the table's
      // own, or reported missing there as the table's failure): any other name is a typo, "no such index", named
      // with its file and line before anything runs. Only team queries: a document scenario needing an optional
      // object the table lacks is skipped instead.
      checkExpectedIndexes(scenarios.filter((s) => s.definition.origin === 'team'),
        [...rows.map((r) => r.name), ...schema.indexes.map((d) => d.name), ...schema.covering.map((d) => d.name)],
        `${facts.qualified}'s own indexes or the document's (the list below has both)`);
      const covering = mapIndexes(schema.covering, rows).entries.some((e) => e.match !== 'missing');
      const view = await client.query<{ found: string | null }>(`SELECT to_regclass(format('%I.execution_stats_daily', $1::text))::text AS found`, [facts.schema]);
      const p0 = performance.now();
      const { pools, tenantRows, how } = await loadTablePools(client, facts, { plansOnly: options.plansOnly });
      timings.parametersMs = Math.round(performance.now() - p0);
      log(`execbench: parameters: ${how}`);
      for (const line of describeIndexMap(indexMap, facts)) log(`execbench: ${line}`);
      const dataset = tableDataset(facts, tenantRows, pools.anchorMs);
      let before: IndexScanSnapshot | undefined;
      const audits: AuditReport[] = [];
      const r0 = performance.now();
      const run = await runScenariosAtScale({
        connectionString: db.connectionString, dataset, scenarios, budgetMs: options.budgetMs, log, signal,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.protocol ? { protocol: options.protocol } : {}),
        ...(options.maxFormMs ? { maxFormMs: options.maxFormMs } : {}),
        table: {
          client, facts, pools, indexMap, allowWrites: options.allowWrites, plansOnly: options.plansOnly,
          documentedColumns: schema.columns, optional: { coveringIndex: covering, dailyStats: view.rows[0]?.found != null },
        },
        beforeScenarios: async (c) => {
          if (options.audit && !options.plansOnly) before = await snapshotIndexScans(c, facts.schema).catch(() => undefined);
        },
        afterScenarios: async (c) => {
          // The audit counts rows under each partial index's predicate (a read of the table): not with --plans-only.
          if (!options.audit || options.plansOnly) return;
          const a0 = performance.now();
          try {
            await flushIndexStats(c).catch(() => false);
            const after = before ? await snapshotIndexScans(c, facts.schema) : undefined;
            audits.push(await runAudit(c, {
              schema: facts.schema, table: facts.table, scale: TABLE_SCALE, mayCreateExtension: false, writeCost: false,
              ...(before && after ? { scanDelta: diffIndexScans(before, after) } : {}),
            }));
          } catch (error) {
            log(`execbench: index audit of ${facts.qualified} not taken: ${describePgError(error)}`);
          }
          timings.audit_table_ms = Math.round(performance.now() - a0);
        },
      });
      timings.scenarios_table_ms = Math.round(performance.now() - r0);
      const settings = await readServerSettings(client);
      return { facts, indexMap, run, audits, settings, how, db, tenantRows };
    } finally {
      await client.end().catch(() => {});
    }
  });

  const { facts, indexMap, run, audits, settings, how, db, tenantRows } = outcome;
  const url = new URL(db.connectionString);
  const writes = options.allowWrites && !options.plansOnly ? 'rolled-back' : 'none';
  const statement = `Judged your table ${facts.qualified} on ${url.host}/${facts.database} as ${facts.role}: ` +
    (options.plansOnly
      ? 'plans only (EXPLAIN without ANALYZE): no scenario statement was executed, nothing was written.'
      : writes === 'rolled-back'
        ? 'reads in read-only transactions; write scenarios each in a READ WRITE transaction that was rolled back; no schema, index or extension created.'
        : 'every statement ran in a read-only transaction; nothing was written, no schema, index or extension created.');
  const target: TableTarget = {
    kind: 'table', table: facts.qualified, server: `${url.host}/${facts.database}`, role: facts.role, writes,
    plansOnly: options.plansOnly, parameters: how, indexMap,
    missingColumns: schema.columns.filter((c) => !facts.columns.includes(c)), statement,
  };
  const statements = run.statements;
  // A promise whose parts the table could not run (a column it lacks) is not judged, rather than counted as failing.
  // With --plans-only nothing is timed: no latency promise is judged at all.
  const unjudged = run.headline.filter((h) => options.plansOnly || (h.unmeasured ?? []).length > 0);
  const headline = run.headline.filter((h) => !unjudged.includes(h));
  timings.totalMs = Math.round(performance.now() - t0);
  const results: RunResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: startedAt.toISOString().replace(/[:.]/g, '-'),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: {
      scales: [TABLE_SCALE], scenarios: scenarios.map((s) => s.id), timeBudgetMs: options.budgetMs, strictSpec: options.strictSpec,
      clock: options.clock ?? 'auto', protocol: options.protocol ?? 'unnamed',
    },
    environment: {
      ...environmentInfo(db, settings),
      serverClock: statements.available
        ? { method: 'pg_stat_statements', detail: describeServerClock('pg_stat_statements') }
        : { method: 'explain-timing-off', detail: `${describeServerClock('explain-timing-off')}: ${statements.why}` },
      clientClock: { protocol: options.protocol ?? 'unnamed', detail: clientClockDetail(options.protocol ?? 'unnamed') },
    },
    datasets: [{
      scale: TABLE_SCALE, schema: facts.schema, fingerprint: `table:${facts.qualified}`, seed: 0,
      focusRows: tenantRows, totalRows: Math.max(0, Math.round(facts.estimatedRows)), tenants: 0,
      indexBuild: 'after', reused: true, phasesMs: {},
    }],
    scenarios: run.results,
    findings: [
      ...deriveFindings(run.results, scenarios),
      ...headlineFindings(headline),
      ...document.findings,
      ...unjudged.map((h): Finding => ({
        id: `table-unjudged-${h.id}`, about: 'table', severity: 'info', spec: `your table ${facts.qualified}`,
        title: `${h.claim}: not judged on ${facts.qualified}`,
        detail: options.plansOnly
          ? '--plans-only executes nothing, so no latency is measured and no latency promise is judged.'
          : `Its parts ${h.unmeasured!.join(', ')} were not measured here (see each one's skip reason), so the promise can be neither confirmed nor refuted on this table.`,
      })),
      ...tableFindings(indexMap, facts, target.missingColumns, run.results),
      ...audits.flatMap(summarizeAuditFindings).map((f) => ({ ...f, about: 'table' as const, spec: `your table ${facts.qualified}`, detail: inDocumentTerms(f.detail, indexMap) })),
    ],
    headline,
    ...(audits.length > 0 ? { audit: audits } : {}),
    target,
    timings,
  };
  results.findings = qualifyUnusedIndexFindings(results.findings, results.scenarios, scenarios.length, loaded.length);
  return reportAndDecide(results, { ...options, closing: [...document.lines, statement] });
}

/** The synthetic dataset record a table run hands the runner: its scale is the busiest tenant's rows. */
function tableDataset(facts: TableFacts, tenantRows: number, anchorMs: number): DatasetInfo {
  return {
    schema: facts.schema, fingerprint: `table:${facts.qualified}`, reused: true,
    request: {
      scale: { label: TABLE_SCALE, focusRows: Math.max(1, tenantRows) }, seed: 0, indexBuild: 'after', fresh: false,
      optional: { coveringIndex: false, dailyStats: false },
    },
    counts: { focusRows: tenantRows, totalRows: Math.max(0, Math.round(facts.estimatedRows)), tenants: 0 },
    phasesMs: {}, anchor: new Date(anchorMs).toISOString(), focus: { tenantId: '', environments: [], workflows: [] },
  };
}

/** The audit speaks of the document's index names: say which documented index each of theirs stands for. */
function inDocumentTerms(detail: string, map: IndexMap): string {
  let text = detail;
  for (const e of map.entries) {
    if (!e.theirs || e.theirs === e.documented) continue;
    const standsFor = map.entries.filter((x) => x.theirs === e.theirs).map((x) => x.documented).join(' and ');
    text = text.replaceAll(`${e.theirs} is not in the spec's Index Inventory`, `${e.theirs} stands for the document's ${standsFor}`);
  }
  return text;
}

/** The index map as log lines: one per documented index and one per extra index of theirs. */
export function describeIndexMap(map: IndexMap, facts: Pick<TableFacts, 'qualified'>): string[] {
  const word = { same: 'same', reversed: 'reversed', 'differs-predicate': 'DIFFERS', 'differs-unique': 'DIFFERS', missing: 'MISSING' } as const;
  return [
    `indexes of ${facts.qualified} mapped to the document's by definition:`,
    ...map.entries.map((e) => `  ${e.documented} -> ${e.theirs ?? '(none)'}: ${word[e.match]}${e.match === 'same' && e.theirs === e.documented ? '' : `: ${e.note}`}`),
    ...map.extra.map((x) => `  (not in the document) ${x.name}: ${x.definition}`),
  ];
}

/** Findings about the user's table: documented indexes it lacks or has otherwise, its extra ones, missing columns. */
export function tableFindings(map: IndexMap, facts: Pick<TableFacts, 'qualified'>, missingColumns: string[], results: RunResults['scenarios']): Finding[] {
  const spec = `your table ${facts.qualified}`;
  const usedBy = (index: string) => [...new Set(results.filter((r) => r.plan?.indexes.some((u) => u.index === index)).map((r) => r.scenarioId))];
  const affected = (documented: string) => [...new Set(results.filter((r) => r.outcome.status === 'failed' && r.outcome.violations.some((v) => v.kind === 'index-missing' && v.index === documented)).map((r) => r.scenarioId))];
  const findings: Finding[] = [];
  for (const e of map.entries) {
    if (e.match === 'same' || e.match === 'reversed') continue;
    if (e.match === 'missing') {
      const hit = affected(e.documented);
      findings.push({
        id: `table-missing-${e.documented}`, about: 'table', severity: 'warning', spec,
        title: `${facts.qualified} has no index standing for the document's ${e.documented}`,
        detail: `The document creates ${e.documentedDefinition}; ${e.note}.${hit.length > 0 ? ` Scenarios whose plan contract fails for it: ${hit.join(', ')}.` : ''}`,
        fix: e.documentedDefinition,
      });
      continue;
    }
    const users = usedBy(e.theirs!);
    findings.push({
      id: `table-differs-${e.documented}`, about: 'table', severity: e.match === 'differs-unique' ? 'warning' : 'info', spec,
      title: `${e.theirs} stands for the document's ${e.documented} but differs: ${e.note}`,
      detail: `Yours: ${e.theirDefinition}. The document's: ${e.documentedDefinition}.${users.length > 0 ? ` Plans that used it: ${users.join(', ')}.` : ' No plan used it.'}`,
    });
  }
  for (const x of map.extra) {
    const users = usedBy(x.name);
    findings.push({
      id: `table-extra-${x.name}`, about: 'table', severity: 'info', spec,
      title: `${x.name} is not in the document's Index Inventory`,
      detail: `${x.definition}.${users.length > 0 ? ` Plans that used it: ${users.join(', ')}.` : ' No scenario plan used it.'}`,
    });
  }
  if (missingColumns.length > 0) {
    findings.push({
      id: 'table-missing-columns', about: 'table', severity: 'info', spec,
      title: `${facts.qualified} lacks ${missingColumns.length} column(s) of the document's table: ${missingColumns.join(', ')}`,
      detail: 'Scenarios that read them are skipped with that reason; they are not findings about the document.',
    });
  }
  return findings;
}
