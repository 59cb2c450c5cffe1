// Traffic as typed data: the four classes of work `execbench load` offers, each built from the scenarios' own SQL
// (the corrected form where there is one: what an application runs) and their ParamPicker parameters. No SQL is
// typed here; a class names the scenario files it is made of, and a renamed or regrouped scenario fails loudly.
import { ScenarioError, UsageError } from '../errors.ts';
import { minSamplesToPass, VERDICT_RULE } from '../gate/latency-verdict.ts';
import type { ParamPicker } from '../scenario/define.ts';
import type { LoadedScenario } from '../scenario/load.ts';

/** The classes of work, in the order they are listed everywhere (and their PRNG streams are numbered). */
export const LOAD_CLASSES = ['dashboard', 'pages', 'ingest', 'retention'] as const;
export type LoadClass = (typeof LOAD_CLASSES)[number];

/** Requests per second, per class that runs; a class not named does not run. */
export type LoadRates = Partial<Record<LoadClass, number>>;

/** One statement of a request: the scenario it comes from, its SQL as the scenario prints it, its parameters. */
export interface TrafficStatement {
  scenarioId: string;
  sql: string;
  params: (pick: ParamPicker) => unknown[];
}

/** One kind of request within a class (a view of the ExecutionsPage, one upsert path), with its share of the class. */
export interface RequestKind {
  name: string;
  share: number;
  /** Sent one after another on one connection; the request's time is from the first send to the last reply. */
  statements: TrafficStatement[];
}

/** A promise of the spec's Overview that a class's latency from intended start is judged against. */
export interface LoadPromise {
  p95Ms: number;
  source: string;
}

/** A class of work: what it is, what it is made of, and the promise it is judged on (if any). */
export interface TrafficClass {
  name: LoadClass;
  description: string;
  kinds: RequestKind[];
  /** Whether its requests commit writes (into the load copy only: see load-schema.ts). */
  writes: boolean;
  /**
   * poisson: independent arrivals, as many people acting at once send them (the open model); periodic: one every
   * 1/rate seconds, as a job's loop with a pause between batches runs (two batches never race for the same rows).
   */
  arrivals: 'poisson' | 'periodic';
  promise?: LoadPromise;
  /** Per request: the picker its statements draw from, and what to remember once it committed (ingest's ledger). */
  picker?: (base: ParamPicker) => RequestPicker;
}

/** A request's parameters source and its commit hook. */
export interface RequestPicker {
  pick: ParamPicker;
  committed?: () => void;
}

/**
 * Defaults: the spec states latencies, not rates, so each default is an assumption stated with the figure it rests on.
 * The derivation is printed by `execbench load --help` and carried in every load report.
 */
export const DEFAULT_RATES: Readonly<Record<LoadClass, number>> = { dashboard: 2, pages: 40, ingest: 10, retention: 1 };

export const DEFAULT_RATES_DERIVATION: readonly string[] = [
  'The spec gives latencies, not rates; the defaults are a busy hour for one large tenant, each from a stated assumption:',
  'dashboard=2/s: 60 people with the ObservabilityPage open, each view refreshed every 30 s (60 / 30 s);',
  'pages=40/s: 20 ExecutionsPage views per dashboard load, the spec calling the paginated listing its "most common query";',
  'ingest=10/s: 5 executions a second, each sent twice (started, then finished): 432,000 executions a day, about 20x the newest day of execbench\'s 1M dataset (about 21,000 a day across its tenants: its 90-day window with traffic growing);',
  'retention=1/s: one batch of 1000 deletions (the spec\'s batch) a second, cleanup_old_executions() paced by a pause between batches: it deletes far faster than ingest adds, so cleanup has work whenever it runs.',
];

/**
 * The ExecutionsPage mix. Page 1 unfiltered is the landing view (the spec's "most common query"); about one view in
 * five opens an execution from a list; filters are what a user reaches for next, failures first; deep pages are rare
 * but the <500 ms promise covers them, so page 100 is in the mix at 5%.
 */
const PAGE_MIX: readonly { name: string; share: number; scenario: string }[] = [
  { name: 'page 1', share: 0.45, scenario: 'paginated-listing' },
  { name: 'open by id', share: 0.2, scenario: 'single-execution-lookup' },
  { name: 'status error', share: 0.06, scenario: 'status-filtered-error' },
  { name: 'status success', share: 0.04, scenario: 'status-filtered-success' },
  { name: 'status running', share: 0.03, scenario: 'status-filtered-running' },
  { name: 'status waiting', share: 0.02, scenario: 'status-filtered-waiting' },
  { name: 'workflow popular', share: 0.1, scenario: 'workflow-filtered-popular' },
  { name: 'workflow rare', share: 0.05, scenario: 'workflow-filtered-rare' },
  { name: 'page 100', share: 0.05, scenario: 'paginated-deep-page' },
];

/** The ObservabilityPage's widgets top to bottom; every scenario of the 'observability-page' group must be here. */
const DASHBOARD_ORDER = ['sparkline-7d', 'covering-percentiles', 'recent-failures', 'daily-stats-view'];

/**
 * Retention deletes rows older than this many days before the dataset's "now". The retention scenario's own cutoff
 * (ParamPicker.retentionCutoff) is chosen so that one rolled-back batch always finds 1000 rows; committed batches in
 * a loop need a cutoff with many batches behind it, as a retention period gives: about 60% of the focus tenant's
 * rows are older than 30 days, 600 full batches at 1M, 60 at 100k.
 */
export const RETENTION_DAYS = 30;

/** The spec's Overview promises, on the client clock (what the application waits for). */
const PROMISES: Partial<Record<LoadClass, LoadPromise>> = {
  dashboard: { p95Ms: 2000, source: 'spec Overview: "<2s Observability dashboard load time" (the page: its queries one after another)' },
  pages: { p95Ms: 500, source: 'spec Overview: "<500ms paginated execution queries" (each ExecutionsPage view)' },
};

/** The form an application runs: the correction where the document's own SQL needs one. */
function applicationForm(scenario: LoadedScenario): TrafficStatement {
  const form = scenario.definition.corrected ?? scenario.definition.documented;
  return { scenarioId: scenario.id, sql: form.sql, params: form.params };
}

function find(scenarios: readonly LoadedScenario[], id: string, forClass: LoadClass): LoadedScenario {
  const found = scenarios.find((s) => s.id === id);
  if (!found) throw new ScenarioError(`The load class '${forClass}' is made of scenario '${id}', which no longer exists in scenarios/: update src/load/traffic.ts.`, id);
  return found;
}

/** The four classes, built from the loaded scenarios (the built-in ones: loadScenarios()); ingest's ledger is fresh per call. */
export function buildTraffic(scenarios: readonly LoadedScenario[]): Record<LoadClass, TrafficClass> {
  const ledger = new IngestLedger();
  const group = scenarios.filter((s) => s.definition.groups?.includes('observability-page')).map((s) => s.id);
  const unknown = group.filter((id) => !DASHBOARD_ORDER.includes(id));
  if (unknown.length > 0) {
    throw new ScenarioError(`Scenario(s) ${unknown.join(', ')} joined the 'observability-page' group: place them in DASHBOARD_ORDER (src/load/traffic.ts) so the dashboard load sends them.`, unknown[0]!);
  }
  const widgets = DASHBOARD_ORDER.filter((id) => group.includes(id)).map((id) => applicationForm(find(scenarios, id, 'dashboard')));
  const retention = applicationForm(find(scenarios, 'retention-cleanup-batch', 'retention'));
  return {
    dashboard: {
      name: 'dashboard',
      description: `one ObservabilityPage load: ${widgets.map((w) => w.scenarioId).join(', ')}, one after another on one connection (as a page backed by one pooled connection issues them), judged as one page time`,
      kinds: [{ name: 'page load', share: 1, statements: widgets }],
      writes: false,
      arrivals: 'poisson',
      promise: PROMISES.dashboard!,
    },
    pages: {
      name: 'pages',
      description: `ExecutionsPage views: ${PAGE_MIX.map((k) => `${k.name} ${Math.round(k.share * 100)}%`).join(', ')}`,
      kinds: PAGE_MIX.map((k) => ({ name: k.name, share: k.share, statements: [applicationForm(find(scenarios, k.scenario, 'pages'))] })),
      writes: false,
      arrivals: 'poisson',
      promise: PROMISES.pages!,
    },
    ingest: {
      name: 'ingest',
      description: 'the idempotent upsert (corrected ON CONFLICT): half new executions (insert path), half status updates of executions this run inserted earlier (conflict path), as an ingestion loop sends an execution when it starts and again when it finishes',
      kinds: [
        { name: 'new execution', share: 0.5, statements: [applicationForm(find(scenarios, 'upsert-insert', 'ingest'))] },
        { name: 'status update', share: 0.5, statements: [applicationForm(find(scenarios, 'upsert-conflict', 'ingest'))] },
      ],
      writes: true,
      arrivals: 'poisson',
      picker: (base) => ledger.forRequest(base),
    },
    retention: {
      name: 'retention',
      description: `the corrected cleanup batch (1000 rows, chosen by a sub-select on the primary key), committed, deleting the focus tenant's rows older than ${RETENTION_DAYS} days: what cleanup_old_executions(p_max_batches => 1) runs per call, one every 1/rate s (a loop with a pause, not Poisson arrivals)`,
      kinds: [{
        name: 'cleanup batch', share: 1,
        statements: [{ ...retention, params: (pick) => [pick.tenant(), pick.daysBeforeAnchor(RETENTION_DAYS)] }],
      }],
      writes: true,
      // A cleanup job is a loop, not a crowd: Poisson arrivals would start two batches on the same oldest rows.
      arrivals: 'periodic',
    },
  };
}

/**
 * Tracks the executions the ingest class inserted, so a status update goes to one of them (oldest first), as an
 * ingestion loop updates what it started; before any insert has committed, the picker's existing executions stand in.
 */
export class IngestLedger {
  readonly #running: { environmentId: string; executionId: string }[] = [];

  /** A request's picker: an insert's (environment, execution id) is remembered once it commits; an update takes one. */
  forRequest(base: ParamPicker): RequestPicker {
    let environmentId: string | undefined;
    let executionId: string | undefined;
    return {
      pick: {
        ...base,
        environment: (rank) => (environmentId = base.environment(rank)),
        newEngineExecutionId: () => (executionId = base.newEngineExecutionId()),
        existingEngineExecution: () => this.#running.shift() ?? base.existingEngineExecution(),
      },
      committed: () => {
        if (environmentId !== undefined && executionId !== undefined) this.#running.push({ environmentId, executionId });
      },
    };
  }

  /** Executions inserted and not yet updated. */
  get running(): number {
    return this.#running.length;
  }
}

/**
 * Parses --rate: 'pages=40/s,ingest=10/s' (also '40', '2.5/s', '120/min'). Unknown classes, a class named twice and
 * rates that are not positive are refused naming the bad part (UsageError, exit 3).
 */
export function parseRates(raw: string | readonly string[] | undefined): LoadRates {
  if (raw === undefined) return { ...DEFAULT_RATES };
  const parts = (typeof raw === 'string' ? [raw] : raw).flatMap((r) => r.split(',')).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new UsageError(`--rate was given no value (an unset variable?): give class=rate pairs, e.g. --rate pages=40/s,ingest=10/s, or omit it for ${formatRates(DEFAULT_RATES)}.`);
  const rates: LoadRates = {};
  for (const part of parts) {
    const m = /^([a-z]+)\s*=\s*(-?\d+(?:\.\d+)?)\s*(\/\s*(s|sec|min))?$/i.exec(part);
    if (!m) throw new UsageError(`Invalid --rate '${part}': write class=rate, e.g. pages=40/s (classes: ${LOAD_CLASSES.join(', ')}).`);
    const name = m[1]!.toLowerCase();
    if (!(LOAD_CLASSES as readonly string[]).includes(name)) {
      throw new UsageError(`Unknown class '${m[1]}' in --rate: the classes are ${LOAD_CLASSES.join(', ')}.`);
    }
    const perSecond = Number(m[2]) / (m[4]?.toLowerCase() === 'min' ? 60 : 1);
    if (!(perSecond > 0)) throw new UsageError(`Invalid --rate '${part}': a rate must be above 0 (leave a class out to not run it).`);
    if (rates[name as LoadClass] !== undefined) throw new UsageError(`--rate names '${name}' twice: give each class once.`);
    rates[name as LoadClass] = perSecond;
  }
  return rates;
}

/** 'dashboard=2/s,pages=40/s', in the classes' order. */
export function formatRates(rates: LoadRates): string {
  return LOAD_CLASSES.filter((c) => rates[c] !== undefined).map((c) => `${c}=${formatRate(rates[c]!)}/s`).join(',');
}

function formatRate(perSecond: number): string {
  return Number.isInteger(perSecond) ? String(perSecond) : perSecond.toFixed(3).replace(/0+$/, '');
}

/**
 * Connections the traffic uses by default: the server's clients are an application's instances, each with a pool
 * (node-postgres's default is 10); 50 is five instances. With one pool of 10, the pages' capacity was where the pool
 * ran out (more than 5% of requests waiting: the validity gate), not where the server did: a burst of replies the
 * generator read a few ms late kept connections busy, and two searches on the same data put that point 40% apart.
 */
export const DEFAULT_POOL = 50;

/** Shortest run execbench accepts: the schedule's start and end effects stay a small part of it. */
export const MIN_DURATION_MS = 5000;

/**
 * Checks that a run of this length can judge something (UsageError otherwise, before anything starts): every class
 * expects at least the first look's samples (5). Returns warnings for promises whose p95 can fail but not pass in it.
 */
export function checkJudgeable(rates: LoadRates, durationMs: number): string[] {
  const first = VERDICT_RULE.firstLookSamples;
  const warnings: string[] = [];
  for (const name of LOAD_CLASSES) {
    const rate = rates[name];
    if (rate === undefined) continue;
    const expected = rate * durationMs / 1000;
    if (expected < first) {
      throw new UsageError(`--duration ${durationMs / 1000} s is too short to judge ${name} at ${formatRate(rate)}/s: about ${expected.toFixed(1)} requests, and a verdict needs at least ${first}. Give --duration ${Math.ceil(first / rate)}s or more, or a higher rate.`);
    }
    const pass = minSamplesToPass();
    if (PROMISES[name] && expected < pass) {
      warnings.push(`${name}: about ${Math.floor(expected)} requests in ${durationMs / 1000} s; its p95 can fail but not pass under ${pass} (give --duration ${Math.ceil(pass / rate)}s for a pass to be possible)`);
    }
  }
  return warnings;
}
