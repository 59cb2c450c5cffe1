// Runs the selected scenarios against one ready dataset: statistics fresh, every form measured
// and judged, the headline promises checked.
import pg from 'pg';
import type { HeadlineCheck, ScenarioResult, TableState } from '../results.ts';
import { loadScenarios, type LoadedScenario } from '../scenario/load.ts';
import type { DatasetInfo } from '../seed/types.ts';
import { judgeHeadlines } from './headline.ts';
import { checkCleanupWithoutTableLocks } from './lock-check.ts';
import { measureForm } from './measure.ts';
import { createParamPicker, loadParamPools, type ParamPools } from './params.ts';
import { ensureStatementsExtension, probeStatements, type StatementsProbe } from './server-clock.ts';
import type { Clock, ClientProtocol } from '../results.ts';
import { thresholdFor } from './thresholds.ts';
import { calibrateForm } from './calibrate.ts';
import { connectToDataset, prepareDatasetSession } from './session.ts';
import { formatInterval } from '../gate/latency-verdict.ts';
import { isGatedForm, KIND_ORDER, type ParamPicker, type ScenarioDefinition } from '../scenario/define.ts';
import { translateExpectedIndexes, type IndexMap, type IndexMapEntry } from '../target/index-map.ts';
import { missingColumnOf, retargetSql, type TableFacts } from '../target/table.ts';
import { describeAccess } from './contract.ts';
import { readTableState } from './table-state.ts';

export interface ScaleRun {
  results: ScenarioResult[];
  headline: HeadlineCheck[];
  /** Whether the server clock could use pg_stat_statements on this dataset's connection, and why not. */
  statements: StatementsProbe;
  /** The seeded executions table as measured, read right before the scenarios (absent on a user's table or in a transaction). */
  tableState?: TableState;
}

export interface RunAtScaleOptions {
  connectionString: string;
  dataset: DatasetInfo;
  scenarios: LoadedScenario[];
  budgetMs: number;
  log: (line: string) => void;
  /** Called with a client whose search_path is the dataset, before and after the scenarios (index audit). */
  beforeScenarios?: (client: pg.Client) => Promise<void>;
  afterScenarios?: (client: pg.Client) => Promise<void>;
  /**
   * Run on this client, inside the transaction it holds (e.g. one that dropped an index and will be
   * rolled back): forms use savepoints, and the live lock check, which needs other connections, is skipped.
   */
  inTransactionOn?: pg.Client;
  /** 'auto' (default): each threshold's own clock; otherwise every threshold on this one. */
  clock?: 'auto' | Clock;
  protocol?: ClientProtocol;
  /** A server execbench started: create pg_stat_statements in its database (the library is preloaded). */
  createStatementsExtension?: boolean;
  /** Time each read form with pgbench too (run --calibrate; pgbench must be on the PATH). */
  calibrate?: boolean;
  /** Cap on buying samples for an undecided latency verdict, per form, ms (--max-form-time). */
  maxFormMs?: number;
  /** Aborted on SIGINT/SIGTERM (withDatabase): the form in flight fails because its server is stopping, not on its own. */
  signal?: AbortSignal;
  /** A user's own table (run --table): nothing is written or prepared, and the scenarios are fitted to the table. */
  table?: TableRun;
}

/** What a run on a user's table (run --table) hands the runner. */
export interface TableRun {
  /** The read-only session (connectToTable); the caller closes it. */
  client: pg.Client;
  facts: TableFacts;
  pools: ParamPools;
  indexMap: IndexMap;
  /** Run write scenarios, each in a transaction that is rolled back (--allow-writes). */
  allowWrites: boolean;
  /** EXPLAIN without ANALYZE only: no scenario's statement is executed (--plans-only). */
  plansOnly: boolean;
  /** The document's executions columns (a scenario failing on one the table lacks is skipped, not a finding). */
  documentedColumns: string[];
  /** The optional schema parts the table has: the covering index (by definition) and the daily-stats view. */
  optional: { coveringIndex: boolean; dailyStats: boolean };
}

export async function runScenariosAtScale(options: RunAtScaleOptions): Promise<ScaleRun> {
  const { dataset, log } = options;
  const scale = dataset.request.scale.label;
  const nested = options.inTransactionOn !== undefined;
  const table = options.table;
  const client = options.inTransactionOn ?? table?.client ?? await connectToDataset(options.connectionString, dataset.schema);
  const results: ScenarioResult[] = [];
  let pools: ParamPools | undefined;
  let statements: StatementsProbe = { available: false, why: 'not probed' };
  let tableState: TableState | undefined;
  try {
    if (!nested && !table) await prepareDatasetSession(client, dataset.schema);
    if (options.createStatementsExtension && !nested && !table) await ensureStatementsExtension(client);
    statements = table?.plansOnly ? { available: false, why: '--plans-only: nothing is executed, nothing timed' } : await probeStatements(client);
    const loaded = table?.pools ?? await loadParamPools(client, dataset);
    pools = loaded;
    const picker = (i: number) => createParamPicker(loaded, i);
    await options.beforeScenarios?.(client);
    // What the buffers and rows of this scale will depend on, so a baseline comparison can say what each side measured.
    // A run is not failed for it: without it the comparison only lacks that warning.
    if (!nested && !table) {
      tableState = await readTableState(client).catch((error: unknown) => {
        log(`[${scale}] table state not recorded: ${(error as Error).message}`);
        return undefined;
      });
    }
    const ordered = [...options.scenarios].sort((a, b) => KIND_ORDER[a.definition.kind] - KIND_ORDER[b.definition.kind]);
    let writesOpened = false;
    for (const [n, loadedScenario] of ordered.entries()) {
      const { id } = loadedScenario;
      const fitted = table ? fitToTable(loadedScenario.definition, table) : { definition: loadedScenario.definition, missingIndexes: [] };
      const definition = fitted.definition;
      const optional = table?.optional ?? dataset.request.optional;
      const missing = (definition.requires ?? []).filter((part) =>
        part === 'covering-index' ? !optional.coveringIndex : !optional.dailyStats);
      const forms = (['documented', 'corrected'] as const).filter((f) => definition[f] !== undefined);
      for (const form of forms) {
        const gated = isGatedForm(definition, form);
        if (missing.length > 0) {
          results.push(skipped(id, definition, form, scale, gated, table
            ? `needs the document's optional ${missing.join(', ')}, which ${table.facts.qualified} does not have`
            : `needs the optional schema part(s) ${missing.join(', ')}; run without --no-optional`));
          continue;
        }
        if (table) {
          const reason = await tableSkipReason(client, definition, form, table, picker);
          if (reason) {
            results.push(skipped(id, definition, form, scale, gated, reason));
            continue;
          }
          if (definition.kind === 'write' && !table.plansOnly && !writesOpened) {
            // --allow-writes: from here on execbench opens transactions READ WRITE, and guarded() rolls every one back.
            await client.query('SET default_transaction_read_only TO off');
            writesOpened = true;
          }
        }
        const result = await measureForm({
          client, scenarioId: id, scenario: definition, form, scale, gated,
          threshold: thresholdFor(definition, dataset.request.scale),
          picker, budgetMs: options.budgetMs, nested,
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.protocol ? { protocol: options.protocol } : {}),
          ...(options.maxFormMs ? { maxFormMs: options.maxFormMs } : {}),
          ...(statements.available ? { statementsSchema: statements.schema } : {}),
          ...(table?.plansOnly ? { plansOnly: true } : {}),
          ...(table ? { table: table.facts.qualified } : {}),
        });
        if (fitted.missingIndexes.length > 0) addMissingIndexViolations(result, fitted.missingIndexes, table!);
        if (options.calibrate && !nested && !table && result.latency) {
          const calibration = await calibrateForm(result, definition[form]!, picker(0), {
            connectionString: options.connectionString, schema: dataset.schema, protocol: options.protocol ?? 'unnamed',
            statementsSchema: statements.available ? statements.schema : undefined,
          }).catch((error: unknown) => { log(`[${scale}] ${id} (${form}): --calibrate: ${(error as Error).message}`); return undefined; });
          if (calibration) result.latency.calibration = calibration;
        }
        if (options.signal?.aborted) {
          // Its query failed because the server is being stopped: say that, not "FAIL (sql-error)", and stop.
          log(`[${scale}] ${n + 1}/${options.scenarios.length} ${id} (${form}): interrupted (${String(options.signal.reason ?? 'a signal')}), not judged`);
          return { results, headline: [], statements, ...(tableState ? { tableState } : {}) };
        }
        results.push(result);
        const label = definition.origin === 'team' ? 'your query' : form;
        log(`[${scale}] ${n + 1}/${options.scenarios.length} ${id} (${label}): ${verdictWord(result)}${result.latency?.calibration ? ` (pgbench p50 ${result.latency.calibration.pgbenchP50Ms.toFixed(3)} ms, execbench x${result.latency.calibration.ratio.toFixed(2)})` : ''}`);
        for (const warning of result.warnings ?? []) log(`[${scale}] ${id} (${label}): warning: ${warning}`);
      }
    }
    if (writesOpened) await client.query('SET default_transaction_read_only TO on');
    await options.afterScenarios?.(client);
  } finally {
    if (!nested && !table) await client.end();
  }

  const headline = judgeHeadlines(results, scale, await headlineGroups(options.scenarios), dataset.request.scale.focusRows);
  const cleanup = options.scenarios.find((s) => s.id === 'retention-cleanup-batch')?.definition.corrected;
  // The live lock check writes (an uncommitted cleanup batch and concurrent writers): never on a user's table.
  if (cleanup && !nested && !table && pools) {
    const lockCheck = await checkCleanupWithoutTableLocks({
      connectionString: options.connectionString, schema: dataset.schema, scale,
      cleanupSql: cleanup.sql, pick: createParamPicker(pools, 0),
    });
    headline.push(lockCheck);
    // A blocked concurrent reader or writer breaks the cleanup's contract, so the gate sees it.
    const gatedCleanup = results.find((r) => r.scenarioId === 'retention-cleanup-batch' && r.gated);
    if (!lockCheck.passed && gatedCleanup) {
      const violation = { kind: 'lock' as const, message: `not "without table locks": ${lockCheck.detail}` };
      gatedCleanup.outcome = gatedCleanup.outcome.status === 'failed'
        ? { status: 'failed', violations: [...gatedCleanup.outcome.violations, violation] }
        : { status: 'failed', violations: [violation] };
    }
  }
  return { results, headline, statements, ...(tableState ? { tableState } : {}) };
}

/**
 * Which queries each headline promise needs: its group as every built-in scenario file declares it, not only the
 * selected ones, so a promise is judged on all its queries or said not judged (judgeHeadlines), never on a subset.
 */
async function headlineGroups(selected: LoadedScenario[]): Promise<Record<string, string[]>> {
  builtIn ??= loadScenarios().catch(() => []);
  const groups: Record<string, string[]> = {};
  for (const { id, definition } of [...(await builtIn), ...selected]) {
    for (const g of definition.groups ?? []) if (!(groups[g] ??= []).includes(id)) groups[g]!.push(id);
  }
  return groups;
}
let builtIn: Promise<LoadedScenario[]> | undefined;

/**
 * A scenario as it runs on the user's table: its SQL names their table, its expected indexes are theirs (the
 * documented ones mapped by definition), and documented indexes their table lacks are returned apart.
 */
function fitToTable(definition: ScenarioDefinition, table: TableRun): { definition: ScenarioDefinition; missingIndexes: IndexMapEntry[] } {
  const retarget = <F extends { sql: string } | undefined>(form: F): F => (form ? { ...form, sql: retargetSql(form.sql, table.facts.table) } : form);
  const { indexes, missing } = translateExpectedIndexes(definition.expect.indexes ?? [], table.indexMap);
  return {
    definition: {
      ...definition,
      documented: retarget(definition.documented),
      ...(definition.corrected ? { corrected: retarget(definition.corrected) } : {}),
      expect: {
        ...definition.expect,
        ...(definition.expect.indexes ? { indexes } : {}),
        ...(definition.expect.noSeqScanOn ? { noSeqScanOn: definition.expect.noSeqScanOn.map((r) => (r === 'executions' ? table.facts.table : r)) } : {}),
      },
    },
    missingIndexes: indexes.length === 0 ? missing : [],
  };
}

/** Why a form is not run on the user's table: DDL never, writes only when allowed, columns the table lacks. */
async function tableSkipReason(
  client: pg.ClientBase, definition: ScenarioDefinition, form: 'documented' | 'corrected', table: TableRun, picker: (i: number) => ParamPicker,
): Promise<string | undefined> {
  if (definition.kind === 'statement') return `DDL or maintenance: execbench runs none on ${table.facts.qualified}`;
  if (definition.kind === 'write' && !table.allowWrites && !table.plansOnly) {
    return `a write: not run on ${table.facts.qualified} without --allow-writes (each then rolled back), or planned only with --plans-only`;
  }
  const sqlForm = definition[form]!;
  if (definition.kind === 'write') {
    // PostgreSQL checks a statement's privileges when it plans it: EXPLAIN of a DELETE needs DELETE, even unexecuted.
    const verbs = /^\s*INSERT[\s\S]*ON CONFLICT[\s\S]*DO UPDATE/i.test(sqlForm.sql) ? ['INSERT', 'UPDATE'] as const
      : [(/^\s*(INSERT|UPDATE|DELETE)/i.exec(sqlForm.sql)?.[1]?.toUpperCase() ?? 'DELETE') as 'INSERT' | 'UPDATE' | 'DELETE'];
    const lacking = verbs.filter((v) => !table.facts.writable[v]);
    if (lacking.length > 0) return `planning this ${verbs.join('/')} needs ${lacking.join(', ')} on ${table.facts.qualified}, which role ${table.facts.role} lacks (PostgreSQL checks privileges when it plans)`;
  }
  // Planned, not run (EXPLAIN without ANALYZE executes nothing): a column the table lacks shows here.
  try {
    await client.query({ text: `EXPLAIN (FORMAT JSON) ${sqlForm.sql}`, values: sqlForm.params(picker(0)) });
  } catch (error) {
    const column = missingColumnOf(error, table.facts.columns, table.documentedColumns);
    if (column) return `${table.facts.qualified} has no column ${column}, which this query reads`;
  }
  return undefined;
}

/** The documented index a form expects has no counterpart on the user's table: a contract failure about their table. */
function addMissingIndexViolations(result: ScenarioResult, missing: IndexMapEntry[], table: TableRun): void {
  const access = result.plan ? describeAccess(result.plan) : 'no plan';
  const violations = missing.map((entry) => ({
    kind: 'index-missing' as const,
    index: entry.documented,
    message: `${table.facts.qualified} has no index standing for the document's ${entry.documented} (${entry.documentedDefinition.replace(/^CREATE\s+(UNIQUE\s+)?INDEX\s+\S+\s+ON\s+[A-Za-z_."]+\s*/i, '')}); the plan uses ${access}`,
  }));
  result.outcome = result.outcome.status === 'failed'
    ? { status: 'failed', violations: [...result.outcome.violations, ...violations] }
    : result.outcome.status === 'passed' ? { status: 'failed', violations } : result.outcome;
}

function skipped(
  id: string, d: LoadedScenario['definition'], form: 'documented' | 'corrected', scale: string, gated: boolean, reason: string,
): ScenarioResult {
  return {
    scenarioId: id, title: d.title, spec: d.spec, kind: d.kind, scale, form, gated,
    sql: d[form]!.sql, params: [], expectedIndexes: d.expect.indexes ?? [],
    outcome: { status: 'skipped', reason }, durationMs: 0,
  };
}

export function verdictWord(r: ScenarioResult): string {
  const o = r.outcome;
  const v = r.latencyVerdict;
  const p95 = v ? ` ${v.clock} p95 ${formatInterval(v.ciLowMs, v.ciHighMs)} ms (n=${v.samples})` : r.latency ? ` client p95 ${r.latency.client.p95Ms.toFixed(2)} ms` : '';
  if (o.status === 'passed' && v?.status === 'inconclusive') return `inconclusive${p95}`;
  if (o.status === 'failed') return `FAIL${p95} (${o.violations.map((v) => v.kind).join(', ')})`;
  if (o.status === 'passed') return `pass${p95}`;
  return o.status;
}
