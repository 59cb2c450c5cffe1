// Pure: what one index is worth, from the results of the scenarios with it and without it.
import type { ScenarioResult } from '../results.ts';
import { describeAccess } from '../runner/contract.ts';
import { bootstrapShift } from '../runner/statistics.ts';
import { judgedSamples } from './judged-latency.ts';
import type { AblationEffect, AblationRow, CoveringVerdict, VariantWriteCost } from './types.ts';

/** The bootstrap settings of every ratio here: 95% interval, fixed seed so a report is reproducible. */
export const RATIO_CONFIDENCE = 0.95;
const BOOTSTRAP = { iterations: 2000, confidence: RATIO_CONFIDENCE, seed: 20261201 } as const;
/** Below this many samples on either side a p95 is mostly its two largest samples: the median is compared instead. */
const MIN_SAMPLES_FOR_P95 = 100;

/** The ratio later / earlier of the judged latency samples, with its interval; null without samples on both sides. */
export function latencyRatio(before: ScenarioResult, after: ScenarioResult): AblationEffect['latencyRatio'] {
  const a = judgedSamples(before);
  const b = judgedSamples(after);
  if (a.length === 0 || b.length === 0) return null;
  const statistic = a.length >= MIN_SAMPLES_FOR_P95 && b.length >= MIN_SAMPLES_FOR_P95 ? 'p95' : 'median';
  const shift = bootstrapShift(a, b, { ...BOOTSTRAP, statistic });
  return { statistic, estimate: shift.estimateRatio, ciLow: shift.ciLow, ciHigh: shift.ciHigh, confidence: RATIO_CONFIDENCE };
}

const blocks = (r: ScenarioResult): number | null => (r.plan ? r.plan.buffers.sharedHit + r.plan.buffers.sharedRead : null);

/** One scenario form with and without the index. */
export function ablationEffect(before: ScenarioResult, after: ScenarioResult): AblationEffect {
  const accessBefore = before.plan ? describeAccess(before.plan) : statusText(before);
  const accessAfter = after.plan ? describeAccess(after.plan) : statusText(after);
  const b0 = blocks(before);
  const b1 = blocks(after);
  return {
    scenarioId: before.scenarioId,
    form: before.form,
    planChanged: (before.plan?.shape ?? accessBefore) !== (after.plan?.shape ?? accessAfter),
    accessBefore,
    accessAfter,
    statusBefore: before.outcome.status,
    statusAfter: after.outcome.status,
    latencyRatio: latencyRatio(before, after),
    buffersRatio: b0 !== null && b1 !== null ? b1 / Math.max(1, b0) : null,
    buffersBefore: b0,
    buffersAfter: b1,
  };
}

function statusText(r: ScenarioResult): string {
  return r.outcome.status === 'failed' ? r.outcome.violations.map((v) => v.message).join('; ').slice(0, 120) : r.outcome.status;
}

/** The ablation row of one index: effects of every re-run form, paired with the variant's own results by scenario and form. */
export function ablationRow(
  index: { name: string; sizeBytes: number }, withIndex: readonly ScenarioResult[], withoutIndex: readonly ScenarioResult[],
  writeCost: VariantWriteCost | null,
): AblationRow {
  const affected = withoutIndex.flatMap((after) => {
    const before = withIndex.find((r) => r.scenarioId === after.scenarioId && r.form === after.form && r.scale === after.scale);
    return before ? [ablationEffect(before, after)] : [];
  });
  const write = writeCost?.perIndex.find((p) => p.index === index.name);
  return {
    index: index.name,
    sizeBytes: index.sizeBytes,
    writeShare: write ? write.share : null,
    writeMarginalMs: write ? write.marginalMs : null,
    affected,
    unneeded: withoutIndex.length === 0,
  };
}

/** The worst slowdown (latency ratio estimate) among an index's effects, 1 when none. */
export function worstSlowdown(row: AblationRow): number {
  return Math.max(1, ...row.affected.map((e) => e.latencyRatio?.estimate ?? 1));
}

/**
 * The spec's covering-index rule, "Benchmark shows significant improvement (>30%)", judged from paired samples of
 * the percentile query with and without that index: improvement = 1 - time(with) / time(without), from the
 * bootstrap ratio without/with of the medians. It holds when the whole interval lies above 30%, fails when it lies
 * below, else it is inconclusive.
 */
export function judgeCovering(
  variant: string, scale: string, index: string, scenarioId: string,
  paired: { withMs: number[]; withoutMs: number[] } | undefined, plans: string, thresholdPct = 30,
): CoveringVerdict {
  if (!paired || paired.withMs.length < 3 || paired.withoutMs.length < 3) {
    return { variant, scale, index, improvementPct: null, ciLowPct: null, ciHighPct: null, verdict: 'not measured', detail: `${scenarioId} was not measured with and without ${index} on this variant.` };
  }
  const shift = bootstrapShift(paired.withMs, paired.withoutMs, { ...BOOTSTRAP, statistic: 'median', blockLength: 1 });
  const toPct = (ratio: number) => (1 - 1 / ratio) * 100;
  const [improvementPct, ciLowPct, ciHighPct] = [toPct(shift.estimateRatio), toPct(shift.ciLow), toPct(shift.ciHigh)];
  const verdict = ciLowPct > thresholdPct ? 'holds' : ciHighPct < thresholdPct ? 'does not hold' : 'inconclusive';
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    variant, scale, index, improvementPct, ciLowPct, ciHighPct, verdict,
    detail: `${scenarioId}, ${paired.withMs.length} alternating pairs: median ${median(paired.withMs).toFixed(2)} ms with ${index}, ${median(paired.withoutMs).toFixed(2)} ms without ` +
      `(${shift.estimateRatio.toFixed(2)}x, ${Math.round(RATIO_CONFIDENCE * 100)}% interval ${shift.ciLow.toFixed(2)}-${shift.ciHigh.toFixed(2)}): the index improves it by ${improvementPct.toFixed(0)}% ` +
      `(${ciLowPct.toFixed(0)} to ${ciHighPct.toFixed(0)}%) against the spec's >${thresholdPct}%. Plans: ${plans}.`,
  };
}
