// One file: the ten pieces of LARGE_TENANT_ADVICE and their six judges read as one list in the document's order and
// share the wording helpers at its foot; split by piece, each would import those back and the list sit apart from them.
// Pure: the spec's advice for large tenants ("1M+ Executions (Large Tenant)" and "Scaling Beyond 1M Executions"),
// judged piece by piece on runs at several scales: one finding per piece, saying whether it holds here, for which
// query and from which scale, with the evidence and the fix, worded as the run's own findings are.
import { formatInterval } from '../gate/latency-verdict.ts';
import { formatCount, formatMs } from '../report/format.ts';
import type { Clock, Finding, RunResults, ScenarioResult } from '../results.ts';
import { parseScale } from '../seed/scale.ts';
import type { VariantFormRow, VariantRun } from '../whatif/types.ts';
import { compareIntervals, gatedForm, growthStep, scalePoint, type GrowthScale, type GrowthStep, type ScaleGrowth, type ScalePoint } from './growth.ts';

/** The rows the spec's "1M+" table starts at, and the size its "at 5M+" and "For 10M+" advice names. */
export const LARGE_TENANT_ROWS = 1_000_000;
export const ADVISED_ROWS = 5_000_000;
export const TIME_SERIES_ROWS = 10_000_000;

const TABLE = 'spec "1M+ Executions (Large Tenant)"';
const OPTION_1 = 'spec "Scaling Beyond 1M Executions", Option 1: Table Partitioning';
const OPTION_2 = 'spec "Scaling Beyond 1M Executions", Option 2: Materialized Views';
const OPTION_3 = 'spec "Scaling Beyond 1M Executions", Option 3: Time-Series Database';

/** One piece of the spec's large-tenant advice, quoted. */
export interface AdvicePiece {
  id: string;
  spec: string;
  quote: string;
}

/** Every piece of the spec's advice beyond 1M executions, in the document's order; each gets one finding. */
export const LARGE_TENANT_ADVICE: readonly AdvicePiece[] = [
  { id: 'large-tenant/paginated-time', spec: `${TABLE}: Paginated listing`, quote: 'Paginated listing | 15-30ms | Still acceptable' },
  { id: 'large-tenant/partitioning', spec: `${TABLE}: Paginated listing; ${OPTION_1}`, quote: 'consider partitioning at 5M+; Faster queries (query planner prunes partitions)' },
  { id: 'large-tenant/sparkline-time', spec: `${TABLE}: Sparkline data`, quote: 'Sparkline data | 150-300ms' },
  { id: 'large-tenant/materialized-view', spec: `${TABLE}: Sparkline data; ${OPTION_2}`, quote: 'Consider materialized views at 5M+' },
  { id: 'large-tenant/retention-time', spec: `${TABLE}: Retention cleanup`, quote: 'Retention cleanup | 20-40ms per batch' },
  { id: 'large-tenant/retention-locks', spec: `${TABLE}: Retention cleanup`, quote: 'Batching prevents long locks' },
  { id: 'large-tenant/partition-retention', spec: OPTION_1, quote: 'Faster retention cleanup (drop old partitions instead of DELETE)' },
  { id: 'large-tenant/partition-vacuum', spec: OPTION_1, quote: 'Better vacuum performance' },
  { id: 'large-tenant/view-100x', spec: OPTION_2, quote: '100x faster analytics queries' },
  { id: 'large-tenant/time-series', spec: OPTION_3, quote: 'For 10M+ executions, consider moving analytics to a specialized time-series DB' },
];

/** The spec's "100x" (Option 2). */
export const VIEW_SPEEDUP_CLAIM = 100;

/** The analytics reads of the document (aggregates over a time window): what Option 3 would move elsewhere. */
export const ANALYTICS_SCENARIOS = ['sparkline-7d', 'covering-percentiles', 'daily-stats-live-aggregate'] as const;

/** The sentence every partitioning finding gives while the partitioned layout has no results. */
export function partitionedResultsNeeded(scales: readonly string[]): string {
  return `not judged: needs the partitioned layout's results (\`execbench whatif --variant recommended,partitioned --scale ${scales.length > 0 ? scales.join(',') : '...'}\`)`;
}

export interface AdviceInput {
  growth: ScaleGrowth;
  /** The results documents the growth was built from (for the forms' samples on another clock, and the headline checks). */
  documents: readonly RunResults[];
  /** whatif runs of 'recommended' and 'partitioned' at the scales; absent until the partitioned layout has results. */
  variants?: readonly VariantRun[];
}

/** One finding per piece of LARGE_TENANT_ADVICE, in its order. */
export function judgeLargeTenantAdvice(input: AdviceInput): Finding[] {
  const large = input.growth.scales.filter((s) => s.focusRows >= LARGE_TENANT_ROWS);
  return [
    judgeTableTime(input, large, LARGE_TENANT_ADVICE[0]!, { scenarioId: 'paginated-listing', row: 'Paginated listing', figure: '15-30ms', note: 'Still acceptable, consider partitioning at 5M+' }),
    judgePartitioning(input, large, LARGE_TENANT_ADVICE[1]!),
    judgeTableTime(input, large, LARGE_TENANT_ADVICE[2]!, { scenarioId: 'sparkline-7d', row: 'Sparkline data', figure: '150-300ms', note: 'Consider materialized views at 5M+' }),
    judgeView(input, large, LARGE_TENANT_ADVICE[3]!),
    judgeTableTime(input, large, LARGE_TENANT_ADVICE[4]!, { scenarioId: 'retention-cleanup-batch', row: 'Retention cleanup', figure: '20-40ms per batch', note: 'Batching prevents long locks' }),
    judgeRetentionLocks(input, large, LARGE_TENANT_ADVICE[5]!),
    notJudged(LARGE_TENANT_ADVICE[6]!, 'Partitioning: "faster retention cleanup (drop old partitions instead of DELETE)" is judged by the retention comparison, not by query times',
      'The claim compares removing a month by DETACH/DROP PARTITION with batched DELETEs on the same rows; query times across scales measure neither. `npm run bench:scale -- retention` removes one month both ways on scratch copies (time, WAL, locks, dead tuples, ingestion meanwhile): see the retention section of this page. The batched DELETE per batch alone is the retention-time finding.'),
    notJudged(LARGE_TENANT_ADVICE[7]!, 'Partitioning: "better vacuum performance" is not judged here',
      'execbench times no VACUUM, on either layout; the run only VACUUM ANALYZEs each dataset once before measuring.'),
    judgeViewSpeedup(input, large, LARGE_TENANT_ADVICE[8]!),
    judgeTimeSeries(input, LARGE_TENANT_ADVICE[9]!),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Times of the 1M+ table

interface TableRow { scenarioId: string; row: string; figure: string; note: string }

function judgeTableTime(input: AdviceInput, large: readonly GrowthScale[], piece: AdvicePiece, row: TableRow): Finding {
  const form = gatedForm(input.growth, row.scenarioId);
  const points = (form?.points ?? []).filter((p) => large.some((s) => s.scale === p.scale));
  const claim = `The spec's 1M+ table gives ${row.row} ${row.figure} ("${row.note}"), for every size from 1M: judged on its upper end at each scale.`;
  if (!form || points.length === 0) {
    return {
      ...base(piece, row.scenarioId), severity: 'info', title: `${row.row}: the 1M+ table's ${row.figure} is not judged`,
      detail: `${claim} The runs measured no scale of 1M focus rows or more with ${row.scenarioId}: run \`execbench run --scale 1m,5m,10m\`.`,
    };
  }
  const failed = points.filter((p) => p.verdict === 'failed');
  const undecided = points.filter((p) => p.verdict === 'inconclusive');
  const untimed = points.filter((p) => p.verdict === null);
  const held = points.filter((p) => p.verdict === 'passed');
  const growth = points.length >= 2 ? `; ${describeStep(growthStep(points[0]!, points.at(-1)!), form.clock)}` : '';
  const evidence = `Evidence (${form.form} form, ${form.clock} p95 with its interval): ${points.map(describePoint).join('; ')}${growth}.`;
  const title = failed.length > 0
    ? `${row.row}: the 1M+ table's ${row.figure} does not hold at ${list(failed.map((p) => p.scale))}${held.length > 0 ? ` (it holds at ${list(held.map((p) => p.scale))})` : ''}`
    : held.length > 0
      ? `${row.row}: the 1M+ table's ${row.figure} holds at ${list(held.map((p) => p.scale))}${undecided.length > 0 ? `, undecided at ${list(undecided.map((p) => p.scale))}` : ''}`
      : `${row.row}: the 1M+ table's ${row.figure} is undecided at ${list([...undecided, ...untimed].map((p) => p.scale))}`;
  return {
    ...base(piece, row.scenarioId), severity: failed.length > 0 ? 'warning' : 'info', title,
    detail: `${claim} ${evidence}${untimed.length > 0 ? ` Not timed at ${list(untimed.map((p) => `${p.scale} (${p.status})`))}.` : ''}`,
    ...(failed.length > 0 ? { fix: `State the ${row.row} row per scale rather than one range for "1M+": measured here, p95 ${points.map((p) => `${formatMs(p.p95Ms ?? undefined)} ms at ${p.scale}`).join(', ')} (${form.clock} clock, on this machine).` } : {}),
    scale: (failed.length > 0 ? failed : points).map((p) => p.scale).join(', '),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Partitioning, from whatif runs of 'recommended' and 'partitioned'

/** What the partitioned layout did to one query at one scale, against the recommended one. */
export type PartitionEffect = 'pays' | 'costs' | 'inconclusive' | 'breaks' | 'not measured';

export interface PartitionComparison {
  scenarioId: string;
  form: VariantFormRow['form'];
  scale: string;
  effect: PartitionEffect;
  /** One phrase of evidence: both p95 with intervals, or what broke. */
  evidence: string;
}

/** Per query and scale: does the partitioned layout measurably beat the reference (disjoint p95 intervals)? */
export function comparePartitioned(runs: readonly VariantRun[], reference = 'recommended', candidate = 'partitioned'): PartitionComparison[] {
  const out: PartitionComparison[] = [];
  for (const part of runs.filter((r) => r.variant === candidate)) {
    const ref = runs.find((r) => r.variant === reference && r.scale === part.scale);
    if (!ref) continue;
    for (const id of [...new Set(part.rows.map((r) => r.scenarioId))]) {
      // The form the gate judges: the correction where there is one.
      const pick = (rows: readonly VariantFormRow[]) => rows.find((r) => r.scenarioId === id && r.form === 'corrected') ?? rows.find((r) => r.scenarioId === id);
      const a = pick(ref.rows);
      const b = pick(part.rows);
      if (!a || !b) continue;
      out.push({ scenarioId: id, form: b.form, scale: part.scale, ...partitionEffect(a, b, reference, candidate) });
    }
  }
  return out;
}

function partitionEffect(a: VariantFormRow, b: VariantFormRow, reference: string, candidate: string): { effect: PartitionEffect; evidence: string } {
  if (a.status !== 'errored' && b.status === 'errored') return { effect: 'breaks', evidence: `errors on '${candidate}' (${b.reason})` };
  if (a.usesIndex && !b.usesIndex) return { effect: 'breaks', evidence: `reads ${b.access} on '${candidate}' (${a.access} on '${reference}')` };
  if (!a.judged || !b.judged || a.judged.clock !== b.judged.clock) return { effect: 'not measured', evidence: 'not timed on both layouts on one clock' };
  const ms = (j: NonNullable<VariantFormRow['judged']>) => `${formatMs(j.estimateMs)} ${formatInterval(j.ciLowMs ?? null, j.ciHighMs ?? null)} ms`;
  const evidence = `${b.judged.clock} p95 ${ms(b.judged)} partitioned vs ${ms(a.judged)}`;
  const side = compareIntervals({ lowMs: a.judged.ciLowMs ?? null, highMs: a.judged.ciHighMs ?? null }, { lowMs: b.judged.ciLowMs ?? null, highMs: b.judged.ciHighMs ?? null });
  return { effect: side === 'below' ? 'pays' : side === 'above' ? 'costs' : 'inconclusive', evidence };
}

/**
 * The smallest scale from which an effect holds at that scale and every larger one measured (scales in the given
 * order, smallest first); undefined when the largest scale does not show it.
 */
export function fromScale(effects: readonly { scale: string; holds: boolean }[]): string | undefined {
  let from: string | undefined;
  for (const e of effects) from = e.holds ? (from ?? e.scale) : undefined;
  return from;
}

function judgePartitioning(input: AdviceInput, large: readonly GrowthScale[], piece: AdvicePiece): Finding {
  const claim = 'The spec\'s 1M+ table advises for the paginated listing to "consider partitioning at 5M+"; Option 1 partitions by started_at and promises "Faster queries (query planner prunes partitions)".';
  const runs = input.variants ?? [];
  const comparisons = comparePartitioned(runs);
  if (comparisons.length === 0) {
    return { ...base(piece, 'paginated-listing'), severity: 'info', title: `Partitioning at 5M+: ${partitionedResultsNeeded(large.map((s) => s.scale))}`, detail: `${claim} No whatif run of both 'recommended' and 'partitioned' at one scale was given, so nothing here says whether it pays.` };
  }
  const rowsOf = (scale: string) => scaleRows(input.growth, scale);
  const scales = [...new Set(comparisons.map((c) => c.scale))].sort((a, b) => (rowsOf(a) ?? 0) - (rowsOf(b) ?? 0));
  const ids = [...new Set(comparisons.map((c) => c.scenarioId))];
  const perQuery = ids.map((id) => {
    const mine = scales.map((s) => comparisons.find((c) => c.scenarioId === id && c.scale === s)).filter((c): c is PartitionComparison => c !== undefined);
    return { id, mine, from: fromScale(mine.map((c) => ({ scale: c.scale, holds: c.effect === 'pays' }))) };
  });
  const listing = perQuery.find((q) => q.id === 'paginated-listing');
  const pays = perQuery.filter((q) => q.from !== undefined);
  const costs = perQuery.filter((q) => q.mine.some((c) => c.effect === 'costs' || c.effect === 'breaks'));
  const timing = listing?.from ? against(rowsOf(listing.from), listing.from, scales[0]) : undefined;
  const title = !listing
    ? 'Partitioning at 5M+: the paginated listing was not run on both layouts'
    : listing.from
      ? `Partitioning at 5M+: the paginated listing is faster partitioned from ${listing.from}, ${timing}`
      : `Partitioning at 5M+: the paginated listing is not faster partitioned at any scale measured (${list(scales)})`;
  const byQuery = (q: (typeof perQuery)[number]) => `${q.id}: ${q.mine.map((c) => `${c.scale} ${c.effect} (${c.evidence})`).join('; ')}`;
  const detail = `${claim} Judged per query on the p95 of the form the gate judges, partitioned against 'recommended' on the same rows: it pays where the partitioned interval lies wholly below, costs where wholly above, inconclusive where they overlap. `
    + `Pays: ${pays.length > 0 ? pays.map((q) => `${q.id} from ${q.from}`).join(', ') : 'no query at every scale up to the largest'}. `
    + `Costs or breaks: ${costs.length > 0 ? costs.map((q) => q.id).join(', ') : 'none'}. Evidence: ${perQuery.map(byQuery).join(' | ')}.`;
  const asAdvised = listing?.from !== undefined && timing === 'as the spec advises';
  return {
    ...base(piece, 'paginated-listing'), severity: asAdvised ? 'info' : 'warning', title, detail,
    ...(asAdvised ? {} : {
      fix: pays.length > 0
        ? `Tie the advice to what partitioning measurably speeds up here: ${pays.map((q) => `${q.id} from ${q.from}`).join(', ')}${listing?.from ? '' : '; not the paginated listing'}.`
        : `Drop "consider partitioning at 5M+" as a query-speed advice: no query measured here is faster partitioned at every scale from one up to ${scales.at(-1)}; partition for retention (dropping a month) if that comparison pays.`,
    }),
    scale: listing?.from ?? scales.join(', '),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The materialized view

/** The view's read against a query it replaces at one scale. */
export interface ViewAtScale {
  scale: string;
  replaced: ScalePoint;
  view: ScalePoint;
  /**
   * samples: the replaced query's timed samples (median ratio with bounds). one-execution: it took no timed sample (its
   * EXPLAIN ANALYZE outlasted the form's cap), so its one EXPLAIN execution stands in, deflated by the EXPLAIN overhead
   * the same form showed at the nearest smaller scale (timing on inflates an aggregate's time several-fold).
   */
  basis: 'samples' | 'one-execution';
  /** samples basis: replaced median / view median. */
  step: GrowthStep | null;
  /** one-execution basis: the EXPLAIN time, the overhead used (null: none measured below), and the estimate. */
  oneExecution?: { explainMs: number; overhead: number | null; estimateMs: number | null };
  /** null: undecided (overlapping intervals, or no estimate). */
  faster: boolean | null;
  needed: boolean | null;
  /** The view's own read held its contract and limit. */
  viewHolds: boolean;
}

export interface ViewPair {
  scenarioId: string;
  /** The replaced query's judged clock: the view's read is compared on the same one. */
  clock: Clock;
  perScale: ViewAtScale[];
  from: string | undefined;
}

/** The view read against a query it replaces, scale by scale, on that query's clock. */
export function viewPairs(input: AdviceInput, large: readonly GrowthScale[], replacedIds: readonly string[], viewId = 'daily-stats-view'): ViewPair[] {
  return replacedIds.flatMap((id) => {
    const clock = gatedForm(input.growth, id)?.clock;
    if (!clock) return [];
    const perScale = large.flatMap((s, i): ViewAtScale[] => {
      const replaced = resultAt(input, id, s);
      const view = resultAt(input, viewId, s);
      if (!replaced || !view?.latency) return [];
      const r = scalePoint(replaced, clock, s.focusRows);
      const v = scalePoint(view, clock, s.focusRows);
      // The view only pays where its own read holds its contract (index used) and its limit.
      const viewHolds = view.outcome.status === 'passed';
      if (replaced.latency) {
        // The "growth" from the view to the replaced query: how many times slower live is than the view.
        const step = growthStep(v, r);
        const verdict = replaced.latencyVerdict?.status;
        return [{
          scale: s.scale, replaced: r, view: v, basis: 'samples', step, viewHolds,
          faster: step.status === 'grew' ? true : step.status === 'inconclusive' || step.status === 'not measured' ? null : false,
          needed: verdict === 'failed' ? true : verdict === 'passed' ? false : null,
        }];
      }
      if (r.explainMs === null) return [];
      const overhead = explainOverhead(input, id, large.slice(0, i));
      const estimateMs = overhead !== null ? r.explainMs / overhead : null;
      return [{
        scale: s.scale, replaced: r, view: v, basis: 'one-execution', step: null, viewHolds, oneExecution: { explainMs: r.explainMs, overhead, estimateMs },
        // A server-time estimate against a client limit errs towards "not needed": the client's time is longer.
        needed: estimateMs === null || r.limitMs === null ? null : estimateMs > r.limitMs,
        faster: estimateMs === null || v.medianHighMs === null ? null : estimateMs > v.medianHighMs,
      }];
    });
    return [{ scenarioId: id, clock, perScale, from: fromScale(perScale.map((p) => ({ scale: p.scale, holds: p.faster === true && p.needed === true && p.viewHolds }))) }];
  });
}

/** EXPLAIN ANALYZE time over the timed server median of a form, at the largest of the given scales where both exist. */
function explainOverhead(input: AdviceInput, scenarioId: string, smaller: readonly GrowthScale[]): number | null {
  for (const s of [...smaller].reverse()) {
    const r = resultAt(input, scenarioId, s);
    if (!r?.latency || !r.plan) continue;
    const server = scalePoint(r, 'server', s.focusRows).medianMs;
    if (server !== null && server > 0) return Math.max(1, r.plan.executionMs / server);
  }
  return null;
}

function describeViewAtScale(x: ViewAtScale): string {
  const view = `view ${formatMs(x.view.medianMs ?? undefined)} ms${x.viewHolds ? '' : ` (the view's read ${x.view.status})`}`;
  const limit = `limit ${x.replaced.limitMs ?? '—'} ms`;
  if (x.basis === 'samples') {
    return `${x.scale} median ${formatMs(x.replaced.medianMs ?? undefined)} ms (p95 ${formatMs(x.replaced.p95Ms ?? undefined)}, ${limit}: ${x.replaced.verdict ?? x.replaced.status}) vs ${view}, ${ratioText(x.step!)}`;
  }
  const one = x.oneExecution!;
  const read = x.replaced.sharedReadBlocks ? `, ${formatCount(x.replaced.sharedReadBlocks)} blocks read into shared buffers` : '';
  const estimate = one.estimateMs !== null
    ? `; deflated by the EXPLAIN overhead it showed one scale below (${formatFactor(one.overhead)}), about ${formatMs(one.estimateMs)} ms, ${one.estimateMs > (x.replaced.limitMs ?? Infinity) ? 'over' : 'within'} its ${limit}`
    : `; no smaller scale timed it to deflate that by (${limit}): undecided`;
  return `${x.scale} not timed within the form's cap: one EXPLAIN ANALYZE execution (the form's first, so colder than timed ones would be) took ${formatMs(one.explainMs)} ms${read}${estimate}; ${view}`;
}

/** 'holds its limit at 1m, is undecided at 5m and 10m': where a replaced query stands against its own limit. */
function ownLimit(pair: ViewPair): string {
  const at = (v: boolean | null) => pair.perScale.filter((x) => x.needed === v).map((x) => x.scale);
  return [
    at(false).length > 0 ? `holds its limit at ${list(at(false))}` : '',
    at(null).length > 0 ? `is undecided at ${list(at(null))}` : '',
    at(true).length > 0 ? `breaks it at ${list(at(true))}` : '',
  ].filter(Boolean).join(', ');
}

function judgeView(input: AdviceInput, large: readonly GrowthScale[], piece: AdvicePiece): Finding {
  const claim = 'The spec\'s 1M+ table advises for the sparkline to "Consider materialized views at 5M+" (Option 2, execution_stats_daily). The view pays at a scale where the query it replaces breaks its limit, the view\'s read is measurably faster (on the replaced query\'s clock) and holds its own contract, and so at every larger scale measured.';
  const pairs = viewPairs(input, large, ['sparkline-7d', 'daily-stats-live-aggregate']).filter((p) => p.perScale.length > 0);
  if (pairs.length === 0) {
    return { ...base(piece, 'daily-stats-view'), severity: 'info', title: 'Materialized views at 5M+: not judged: the runs have no scale of 1M or more with both the view\'s read and the queries it replaces', detail: `${claim} Run \`execbench run --scale 1m,5m,10m\` with the optional objects (the default).` };
  }
  const scales = large.map((s) => s.scale);
  const sparkline = pairs.find((p) => p.scenarioId === 'sparkline-7d');
  const paying = pairs.filter((p) => p.from !== undefined);
  const lead = sparkline?.from ? sparkline : paying[0];
  const timing = lead?.from ? against(scaleRows(input.growth, lead.from), lead.from, scales[0]) : undefined;
  const undecided = pairs.flatMap((p) => p.perScale.filter((x) => x.needed === null || x.faster === null).map((x) => `${p.scenarioId} at ${x.scale}`));
  const others = paying.filter((p) => p !== lead);
  const title = lead?.from
    ? `Materialized views at 5M+: the view pays from ${lead.from} for ${lead.scenarioId}, ${timing}${others.length > 0 ? `; for ${others.map((p) => `${p.scenarioId} from ${p.from}`).join(', ')}` : ''}${sparkline && !sparkline.from ? `; sparkline-7d itself ${ownLimit(sparkline)}` : ''}`
    : undecided.length > 0
      ? `Materialized views at 5M+: undecided: no scale shows the view needed (${list(undecided)} undecided)`
      : `Materialized views at 5M+: not needed up to ${scales.at(-1)}: ${pairs.map((p) => p.scenarioId).join(' and ')} hold their limits without the view${pairs.some((p) => p.perScale.at(-1)!.faster) ? ' (the view is faster, but nothing here needs it yet)' : ''}`;
  const evidence = pairs.map((p) => `${p.scenarioId} (${p.clock} clock): ${p.perScale.map(describeViewAtScale).join('; ')}`).join(' | ');
  const asAdvised = timing === 'as the spec advises';
  return {
    ...base(piece, 'daily-stats-view'), severity: asAdvised ? 'info' : 'warning', title,
    detail: `${claim} The view has one row per tenant, environment and day: it replaces the sparkline only where it is drawn per day, not per execution. Evidence: ${evidence}. Its refresh, the view's cost, is measured apart (npm run bench:scale -- refresh).`,
    ...(asAdvised ? {} : {
      fix: lead?.from
        ? `Say "from ${lead.from}" for ${paying.map((p) => `${p.scenarioId} (from ${p.from})`).join(', ')}, measured on this machine.`
        : undecided.length > 0
          ? `Measure longer where undecided (npm run bench:scale -- growth with a larger per-form cap) before moving the advice.`
          : `Say the view is not needed up to ${scales.at(-1)} here; keep it for dashboards whose budget is tighter than these limits, and weigh its refresh time.`,
    }),
    scale: lead?.from ?? scales.join(', '),
  };
}

/** The live / view speed-up at one scale: from the medians (bounded), or from an untimed form's one execution (about). */
function speedup(x: ViewAtScale): { factor: number | null; low: number | null; high: number | null; about: boolean } {
  if (x.step) return { factor: x.step.factor, low: x.step.factorLow, high: x.step.factorHigh, about: false };
  const estimate = x.oneExecution?.estimateMs ?? null;
  const view = x.view.medianMs;
  return {
    factor: estimate !== null && view ? estimate / view : null,
    // The view's interval bounds it; the one execution has none of its own, hence "about".
    low: estimate !== null && x.view.medianHighMs ? estimate / x.view.medianHighMs : null,
    high: estimate !== null && x.view.medianLowMs ? estimate / x.view.medianLowMs : null,
    about: true,
  };
}

function judgeViewSpeedup(input: AdviceInput, large: readonly GrowthScale[], piece: AdvicePiece): Finding {
  const claim = `Option 2 promises "${piece.quote}": the view's defining query computed live for one tenant and 30 days (daily-stats-live-aggregate), against the same 30 days read from the view (daily-stats-view), on the live query's judged clock (the client's: what a dashboard waits for).`;
  const pair = viewPairs(input, large, ['daily-stats-live-aggregate'])[0];
  if (!pair || pair.perScale.length === 0) {
    return { ...base(piece, 'daily-stats-view'), severity: 'info', title: 'Materialized views, "100x faster": not judged: the runs have no scale of 1M or more with both queries', detail: claim };
  }
  // At least 100x where the ratio's lower bound reaches it, under where its upper bound stays below, else undecided.
  const at = pair.perScale.map((x) => {
    const r = speedup(x);
    return { x, r, holds: r.low !== null && r.low >= VIEW_SPEEDUP_CLAIM, fails: r.high !== null && r.high < VIEW_SPEEDUP_CLAIM };
  });
  const factors = at.map(({ x, r }) => `${r.about ? 'about ' : ''}${formatFactor(r.factor)} at ${x.scale}`).join(', ');
  const fails = at.filter((a) => a.fails).map((a) => a.x.scale);
  const from = fromScale(at.map((a) => ({ scale: a.x.scale, holds: a.holds })));
  const title = fails.length === at.length
    ? `Materialized views, "100x faster": ${factors}: under 100x at every scale measured`
    : from
      ? `Materialized views, "100x faster": at least 100x from ${from} (${factors})`
      : `Materialized views, "100x faster": ${factors}: ${fails.length > 0 ? `under 100x at ${list(fails)}` : 'undecided'}`;
  const evidence = at.map(({ x, r }) => x.basis === 'samples'
    ? `${x.scale}: live ${formatMs(x.replaced.medianMs ?? undefined)} ms, view ${formatMs(x.view.medianMs ?? undefined)} ms, ${ratioText(x.step!)}`
    : `${x.scale}: live not timed (one EXPLAIN ANALYZE execution ${formatMs(x.oneExecution!.explainMs)} ms${x.oneExecution!.estimateMs !== null ? `, about ${formatMs(x.oneExecution!.estimateMs)} ms without its overhead` : ''}), view ${formatMs(x.view.medianMs ?? undefined)} ms, about ${formatFactor(r.factor)}`);
  return {
    ...base(piece, 'daily-stats-view'), severity: fails.length > 0 ? 'warning' : 'info', title,
    detail: `${claim} The speed-up is the live median over the view's, its bounds from the two medians' intervals; the live query reads every execution of the window, the view one row per environment and day, so the ratio grows with the tenant. Evidence: ${evidence.join('; ')}.`,
    ...(fails.length > 0 ? { fix: `Say what was measured: ${factors} (${pair.clock} clock medians, this machine).` } : {}),
    scale: (fails.length > 0 ? fails : from ? [from] : at.map((a) => a.x.scale)).join(', '),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Retention's locks, Option 3

function judgeRetentionLocks(input: AdviceInput, large: readonly GrowthScale[], piece: AdvicePiece): Finding {
  const claim = 'The spec\'s 1M+ table says of retention cleanup: "Batching prevents long locks". The run holds one batch of the corrected DELETE open, uncommitted, while a second session reads and writes the table under a 1 s lock timeout.';
  const checks = large.flatMap((s) => {
    const doc = documentOf(input, s);
    const check = doc?.headline.find((h) => h.id === 'retention-cleanup-without-table-locks' && h.scale === s.scale);
    return check ? [check] : [];
  });
  if (checks.length === 0) {
    return { ...base(piece, 'retention-cleanup-batch'), severity: 'info', title: 'Retention cleanup: "Batching prevents long locks" is not judged: no run at 1M or more checked a held batch', detail: claim };
  }
  const failed = checks.filter((c) => !c.passed);
  return {
    ...base(piece, 'retention-cleanup-batch'), severity: failed.length > 0 ? 'warning' : 'info',
    title: failed.length > 0
      ? `Retention cleanup: a held batch blocks other sessions at ${list(failed.map((c) => c.scale))}`
      : `Retention cleanup: "Batching prevents long locks" holds at ${list(checks.map((c) => c.scale))}: a held batch takes no table-blocking lock`,
    detail: `${claim} Evidence: ${checks.map((c) => `${c.scale}: ${c.measured}`).join('; ')}. A batch's row locks last as long as the batch: its time is the retention-time finding's.`,
    ...(failed.length > 0 ? { fix: failed.map((c) => c.detail).join(' ') } : {}),
    scale: (failed.length > 0 ? failed : checks).map((c) => c.scale).join(', '),
  };
}

function judgeTimeSeries(input: AdviceInput, piece: AdvicePiece): Finding {
  const claim = 'Option 3: "For 10M+ executions, consider moving analytics to a specialized time-series DB". execbench runs PostgreSQL only: what it can say is whether the analytics reads still hold their limits there at 10M or more, and which of them the daily-stats view can replace (the live aggregate; a sparkline drawn per day) and which it cannot (percentiles over 7 days do not combine from daily p95s).';
  const big = input.growth.scales.filter((s) => s.focusRows >= TIME_SERIES_ROWS);
  const reads = big.flatMap((s) => ANALYTICS_SCENARIOS.flatMap((id) => {
    const point = gatedForm(input.growth, id)?.points.find((p) => p.scale === s.scale);
    return point ? [{ id, point }] : [];
  }));
  if (reads.length === 0) {
    return { ...base(piece, 'sparkline-7d'), severity: 'info', title: 'Time-series database for 10M+: not judged: no run at 10M focus rows or more', detail: `${claim} Run \`execbench run --scale 10m\`.` };
  }
  const named = (rs: typeof reads) => list(rs.map((r) => `${r.id}${big.length > 1 ? ` at ${r.point.scale}` : ''}`));
  const failed = reads.filter((r) => r.point.verdict === 'failed');
  const untimed = reads.filter((r) => r.point.p95Ms === null);
  const undecided = reads.filter((r) => r.point.verdict === 'inconclusive');
  const view = big.map((s) => gatedForm(input.growth, 'daily-stats-view')?.points.find((p) => p.scale === s.scale)).filter((p): p is ScalePoint => p !== undefined);
  const troubled = [
    failed.length > 0 ? `${named(failed)} break${failed.length === 1 ? 's its limit' : ' their limits'}` : '',
    untimed.length > 0 ? `${named(untimed)} took no timed sample within the form's cap` : '',
    undecided.length > 0 ? `${named(undecided)} ${undecided.length === 1 ? 'is' : 'are'} undecided` : '',
  ].filter(Boolean);
  return {
    ...base(piece, 'sparkline-7d'), severity: 'info',
    title: failed.length + untimed.length > 0
      ? `Time-series database for 10M+: at ${list(big.map((s) => s.scale))} on PostgreSQL, ${troubled.join('; ')} (ClickHouse itself is measured by \`npm run bench:analytics\`: docs/clickhouse-measured.md)`
      : `Time-series database for 10M+: not needed at ${list(big.map((s) => s.scale))} here: ${undecided.length > 0 ? `no analytics read breaks its limit on PostgreSQL (${troubled.join('; ')})` : 'every analytics read holds its limit on PostgreSQL'}`,
    detail: `${claim} Evidence: ${reads.map((r) => `${r.id} ${describePoint(r.point)}`).join('; ')}.${view.length > 0 ? ` The daily-stats view's read: ${view.map(describePoint).join('; ')}.` : ''}`,
    scale: (failed.length + untimed.length > 0 ? [...failed, ...untimed].map((r) => r.point.scale) : big.map((s) => s.scale)).filter((s, i, all) => all.indexOf(s) === i).join(', '),
  };
}

function notJudged(piece: AdvicePiece, title: string, detail: string): Finding {
  return { ...base(piece), severity: 'info', title, detail: `The spec: "${piece.quote}". ${detail}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared wording

function base(piece: AdvicePiece, scenarioId?: string): Pick<Finding, 'id' | 'spec'> & { scenarioId?: string } {
  return { id: piece.id, spec: piece.spec, ...(scenarioId ? { scenarioId } : {}) };
}

/** '5m: p95 0.123 [0.110, 0.140] ms (n=400), limit 30 ms: passed'; an untimed form by its one EXPLAIN execution. */
export function describePoint(p: ScalePoint): string {
  if (p.p95Ms === null) {
    return p.explainMs !== null
      ? `${p.scale}: not timed within the form's cap (one EXPLAIN ANALYZE execution: ${formatMs(p.explainMs)} ms${p.limitMs !== null ? `, limit ${p.limitMs} ms` : ''})`
      : `${p.scale}: not timed (${p.status})`;
  }
  return `${p.scale}: p95 ${formatMs(p.p95Ms)} ${formatInterval(p.p95LowMs, p.p95HighMs)} ms (n=${p.samples})${p.limitMs !== null ? `, limit ${p.limitMs} ms: ${p.verdict ?? 'not judged'}` : ''}`;
}

/** 'server median 2.10x (1.80-2.50x) from 1m to 10m for 10x the rows'. */
export function describeStep(step: GrowthStep, clock: Clock): string {
  return `${clock} median ${ratioText(step)} from ${step.from} to ${step.to} for ${formatFactor(step.rowsFactor)} the rows`;
}

/** '2.10x (1.80-2.50x)', '1.02x (0.95-1.10x), inconclusive: the intervals overlap', '14.3x, inconclusive: too few samples for an interval'. */
function ratioText(step: GrowthStep): string {
  const bounded = step.factorLow !== null && step.factorHigh !== null;
  const bounds = bounded ? ` (${formatFactor(step.factorLow, false)}-${formatFactor(step.factorHigh)})` : '';
  const why = step.status !== 'inconclusive' ? '' : bounded ? ', inconclusive: the intervals overlap' : ', inconclusive: too few samples for an interval';
  return `${formatFactor(step.factor)}${bounds}${why}`;
}

/** 1.23x, 12.3x, 123x; an exact integer as it is: 10x. */
export function formatFactor(x: number | null, unit = true): string {
  if (x === null || !Number.isFinite(x)) return '—';
  // A row count's growth is exact (10x, not 10.0x); a measured ratio keeps three significant figures.
  if (Number.isInteger(x)) return `${x}${unit ? 'x' : ''}`;
  const digits = x < 10 ? 2 : x < 100 ? 1 : 0;
  return `${x.toFixed(digits)}${unit ? 'x' : ''}`;
}

/** Where a "from" scale stands against the advice's 5M: as advised, earlier, later (or unknown below the smallest scale). */
function against(rows: number | undefined, scale: string, smallest: string | undefined): string {
  if (rows === undefined) return 'as measured';
  if (rows < ADVISED_ROWS) return `earlier than the spec's 5M+${scale === smallest ? ` (already at ${scale}, the smallest scale measured)` : ''}`;
  if (scale === smallest) return `at ${scale}, the smallest scale measured (it may pay earlier)`;
  if (rows === ADVISED_ROWS) return 'as the spec advises';
  return 'later than the spec\'s 5M+';
}

/** A scale's focus rows: as the runs measured it, else as its label names it (a whatif run carries only the label). */
function scaleRows(growth: ScaleGrowth, scale: string): number | undefined {
  const measured = growth.scales.find((s) => s.scale === scale)?.focusRows;
  if (measured !== undefined) return measured;
  try {
    return parseScale(scale).focusRows;
  } catch {
    return undefined;
  }
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function documentOf(input: AdviceInput, scale: GrowthScale): RunResults | undefined {
  return input.documents.find((d) => d.runId === scale.runId);
}

/** The gated result of a scenario at a scale, from the document the growth took that scale from. */
function resultAt(input: AdviceInput, scenarioId: string, scale: GrowthScale): ScenarioResult | undefined {
  const rs = documentOf(input, scale)?.scenarios.filter((r) => r.scenarioId === scenarioId && r.scale === scale.scale && r.origin !== 'team') ?? [];
  return rs.find((r) => r.gated) ?? rs[0];
}
