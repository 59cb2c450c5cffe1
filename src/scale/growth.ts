// Pure: `execbench run` results at several scales -> every scenario form's judged latency at each scale and how much
// it grew from one scale to the next, with an honest verdict per step (a growth whose intervals overlap is
// inconclusive, not "flat"). The spec's large-tenant advice is judged from this (src/scale/advice.ts).
import type { Clock, LatencyVerdict, Outcome, RunResults, ScenarioResult } from '../results.ts';
import { quantileInterval } from '../runner/statistics.ts';

/** Two-sided confidence of the medians' intervals (each scale's own; the growth step compares two of them). */
export const GROWTH_CONFIDENCE = 0.95;

/** One measured scale, from the results document that measured it. */
export interface GrowthScale {
  scale: string;
  /** The focus tenant's executions (the rows the scale is named after). */
  focusRows: number;
  /** The executions table's rows, every tenant. */
  totalRows: number;
  runId: string;
}

/** A scenario form at one scale: its judged clock's median and p95, each with its interval. */
export interface ScalePoint {
  scale: string;
  focusRows: number;
  status: Outcome['status'];
  /** Samples of the judged clock behind the median (0 when the form was not timed). */
  samples: number;
  medianMs: number | null;
  /** Distribution-free interval of the median at GROWTH_CONFIDENCE; null where the sample gives no bound. */
  medianLowMs: number | null;
  medianHighMs: number | null;
  /** The latency verdict's p95 and interval where the run judged one on this clock; else from the samples. */
  p95Ms: number | null;
  p95LowMs: number | null;
  p95HighMs: number | null;
  /** The p95 limit at this scale (the 1M+ table's figure applies at 5m and 10m), when the form has one. */
  limitMs: number | null;
  verdict: LatencyVerdict['status'] | null;
  /**
   * The form's one EXPLAIN (ANALYZE, BUFFERS) execution (timing on, so inflated): the only time of a form that took no
   * timed sample (its EXPLAIN outlasted the form's cap), and where its blocks came from.
   */
  explainMs: number | null;
  /** Shared blocks found in / read into shared buffers by that execution (a read may still come from the OS cache). */
  sharedHitBlocks: number | null;
  sharedReadBlocks: number | null;
}

/**
 * grew / shrank: the later scale's median interval lies wholly above / below the earlier one's. inconclusive: they
 * overlap (or one has no bound), so noise could explain the change. not measured: a side has no median.
 */
export type GrowthStatus = 'grew' | 'shrank' | 'inconclusive' | 'not measured';

/** The change of a form's median from one scale to a larger one. */
export interface GrowthStep {
  from: string;
  to: string;
  /** focusRows(to) / focusRows(from). */
  rowsFactor: number;
  /** median(to) / median(from). */
  factor: number | null;
  /** The ratio's widest bounds from the two intervals (low(to)/high(from), high(to)/low(from)); null where a bound is missing. */
  factorLow: number | null;
  factorHigh: number | null;
  status: GrowthStatus;
}

/** One scenario form across scales. */
export interface FormGrowth {
  scenarioId: string;
  title: string;
  kind: ScenarioResult['kind'];
  form: ScenarioResult['form'];
  /** The form the gate judges (the correction where there is one). */
  gated: boolean;
  /** The clock compared across scales: the one its threshold judges, else the client's. */
  clock: Clock;
  points: ScalePoint[];
  /** Consecutive scales, smallest first. */
  steps: GrowthStep[];
  /** Smallest to largest scale (null with fewer than two scales). */
  overall: GrowthStep | null;
}

export interface ScaleGrowth {
  scales: GrowthScale[];
  forms: FormGrowth[];
  /** What a reader must know about the inputs (a scale measured twice, different servers). */
  notes: string[];
}

/** The latency verdict's clock, else the client's: the clock a form is compared on at every scale. */
export function judgedClock(results: readonly ScenarioResult[]): Clock {
  return results.find((r) => r.latencyVerdict)?.latencyVerdict?.clock ?? 'client';
}

/** The retained samples of one clock. */
export function clockSamples(result: ScenarioResult, clock: Clock): readonly number[] {
  return (clock === 'server' ? result.latency?.serverSamplesMs : result.latency?.clientSamplesMs) ?? [];
}

/** The median of one clock with its distribution-free interval; nulls when the form was not timed. */
export function medianOf(result: ScenarioResult, clock: Clock): { medianMs: number | null; lowMs: number | null; highMs: number | null; samples: number } {
  const samples = clockSamples(result, clock);
  if (samples.length === 0) return { medianMs: null, lowMs: null, highMs: null, samples: 0 };
  const interval = quantileInterval(samples, 0.5, GROWTH_CONFIDENCE);
  return { medianMs: interval.estimate, lowMs: interval.low, highMs: interval.high, samples: samples.length };
}

/** A form at one scale on the given clock. */
export function scalePoint(result: ScenarioResult, clock: Clock, focusRows: number): ScalePoint {
  const median = medianOf(result, clock);
  const verdict = result.latencyVerdict?.clock === clock ? result.latencyVerdict : undefined;
  const samples = clockSamples(result, clock);
  // Without a verdict on this clock, the p95 and its interval come from the retained samples (no upper bound under 72).
  const p95 = verdict
    ? { estimate: verdict.estimateMs, low: verdict.ciLowMs, high: verdict.ciHighMs }
    : samples.length > 0 ? quantileInterval(samples, 0.95, GROWTH_CONFIDENCE) : null;
  return {
    scale: result.scale, focusRows, status: result.outcome.status, samples: median.samples,
    medianMs: median.medianMs, medianLowMs: median.lowMs, medianHighMs: median.highMs,
    p95Ms: p95?.estimate ?? null, p95LowMs: p95?.low ?? null, p95HighMs: p95?.high ?? null,
    limitMs: result.threshold && result.threshold.clock === clock ? result.threshold.p95Ms : null,
    verdict: verdict?.status ?? null,
    explainMs: result.plan?.executionMs ?? null,
    sharedHitBlocks: result.plan?.buffers.sharedHit ?? null,
    sharedReadBlocks: result.plan?.buffers.sharedRead ?? null,
  };
}

/** Two intervals' comparison: later wholly above, wholly below, or overlapping / unbounded. */
export function compareIntervals(
  earlier: { lowMs: number | null; highMs: number | null }, later: { lowMs: number | null; highMs: number | null },
): 'above' | 'below' | 'overlap' {
  if (later.lowMs !== null && earlier.highMs !== null && later.lowMs > earlier.highMs) return 'above';
  if (later.highMs !== null && earlier.lowMs !== null && later.highMs < earlier.lowMs) return 'below';
  return 'overlap';
}

/** The growth of a form's median between two scales. */
export function growthStep(from: ScalePoint, to: ScalePoint): GrowthStep {
  const rowsFactor = to.focusRows / from.focusRows;
  if (from.medianMs === null || to.medianMs === null || from.medianMs <= 0) {
    return { from: from.scale, to: to.scale, rowsFactor, factor: null, factorLow: null, factorHigh: null, status: 'not measured' };
  }
  const side = compareIntervals({ lowMs: from.medianLowMs, highMs: from.medianHighMs }, { lowMs: to.medianLowMs, highMs: to.medianHighMs });
  return {
    from: from.scale, to: to.scale, rowsFactor,
    factor: to.medianMs / from.medianMs,
    factorLow: to.medianLowMs !== null && from.medianHighMs !== null && from.medianHighMs > 0 ? to.medianLowMs / from.medianHighMs : null,
    factorHigh: to.medianHighMs !== null && from.medianLowMs !== null && from.medianLowMs > 0 ? to.medianHighMs / from.medianLowMs : null,
    status: side === 'above' ? 'grew' : side === 'below' ? 'shrank' : 'inconclusive',
  };
}

/**
 * Every scenario form's growth across the scales the documents measured, smallest scale first. A scale measured by
 * more than one document is taken from the last one given (and said so in notes). Team queries (--queries) are left
 * out: they say nothing about the document's advice.
 */
export function buildScaleGrowth(documents: readonly RunResults[]): ScaleGrowth {
  const notes: string[] = [];
  const byScale = new Map<string, { doc: RunResults; scale: GrowthScale }>();
  for (const doc of documents) {
    for (const dataset of doc.datasets) {
      const seen = byScale.get(dataset.scale);
      if (seen) notes.push(`${dataset.scale} was measured by runs ${seen.doc.runId} and ${doc.runId}: the later one given (${doc.runId}) is used.`);
      byScale.set(dataset.scale, { doc, scale: { scale: dataset.scale, focusRows: dataset.focusRows, totalRows: dataset.totalRows, runId: doc.runId } });
    }
  }
  const versions = [...new Set([...byScale.values()].map((s) => s.doc.environment.postgres.version))];
  if (versions.length > 1) notes.push(`The scales were measured on different servers (${versions.join('; ')}): growth mixes scale with server.`);
  const scales = [...byScale.values()].sort((a, b) => a.scale.focusRows - b.scale.focusRows);
  const resultsAt = (s: { doc: RunResults; scale: GrowthScale }) => s.doc.scenarios.filter((r) => r.scale === s.scale.scale && r.origin !== 'team');
  // Forms in the order the first document lists them, then any a later scale adds.
  const keys: string[] = [];
  for (const s of scales) for (const r of resultsAt(s)) if (!keys.includes(formKey(r))) keys.push(formKey(r));
  const forms = keys.map((key): FormGrowth => {
    const found = scales.flatMap((s) => {
      const r = resultsAt(s).find((x) => formKey(x) === key);
      return r ? [{ r, focusRows: s.scale.focusRows }] : [];
    });
    const first = found[0]!.r;
    const clock = judgedClock(found.map((f) => f.r));
    const points = found.map((f) => scalePoint(f.r, clock, f.focusRows));
    const steps = points.slice(1).map((p, i) => growthStep(points[i]!, p));
    return {
      scenarioId: first.scenarioId, title: first.title, kind: first.kind, form: first.form, gated: first.gated, clock, points, steps,
      overall: points.length >= 2 ? growthStep(points[0]!, points.at(-1)!) : null,
    };
  });
  return { scales: scales.map((s) => s.scale), forms, notes };
}

/** The gated form of a scenario (the one the gate judges), if measured. */
export function gatedForm(growth: ScaleGrowth, scenarioId: string): FormGrowth | undefined {
  return growth.forms.find((f) => f.scenarioId === scenarioId && f.gated) ?? growth.forms.find((f) => f.scenarioId === scenarioId);
}

function formKey(r: ScenarioResult): string {
  return `${r.scenarioId}|${r.form}`;
}
