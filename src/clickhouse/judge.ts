// Pure: measured samples -> ratios with intervals, the latency verdict, an engine's status, and the spec's
// "100x faster aggregations" as findings.
import { judgeLatency } from '../gate/latency-verdict.ts';
import type { Threshold } from '../scenario/define.ts';
import { bootstrapShift, median } from '../runner/statistics.ts';
import type { LatencyVerdict } from '../results.ts';
import type { EngineOutcome, MedianRatio, Option3Finding, ScaleOutcome } from './results.ts';

/** The spec's Option 3: "ClickHouse: Columnar storage, 100x faster aggregations". */
export const CLAIMED_SPEEDUP = 100;
const CONFIDENCE = 0.95;

/** slower / faster as a ratio of medians, with a 95% moving-block bootstrap interval (seeded: reproducible). */
export function medianRatio(slowerMs: readonly number[], fasterMs: readonly number[], seed = 20261124): MedianRatio {
  const shift = bootstrapShift(fasterMs, slowerMs, { statistic: 'median', iterations: 2000, confidence: CONFIDENCE, seed });
  return {
    ratio: shift.estimateRatio, ciLow: shift.ciLow, ciHigh: shift.ciHigh, confidence: CONFIDENCE, clock: 'client',
    slowerMedianMs: median(slowerMs), fasterMedianMs: median(fasterMs),
  };
}

/** The PostgreSQL scenario's threshold judged on this engine's samples of the same clock (server: ClickHouse's elapsed). */
export function judgeEngineLatency(threshold: Threshold | undefined, clientMs: readonly number[], serverMs: readonly number[]): LatencyVerdict | undefined {
  if (!threshold) return undefined;
  const samples = threshold.clock === 'server' && serverMs.length === clientMs.length && serverMs.length > 0 ? serverMs : clientMs;
  if (samples.length === 0) return undefined;
  return judgeLatency(samples, { limitMs: threshold.p95Ms, clock: samples === serverMs ? 'server' : 'client', statistic: 'p95' });
}

/** An engine's status from its answer check and latency verdict: a wrong answer fails whatever its speed. */
export function engineStatus(outcome: Pick<EngineOutcome, 'check' | 'verdict'>): EngineOutcome['status'] {
  if (outcome.check?.status === 'failed') return 'failed';
  if (outcome.verdict?.status === 'failed') return 'failed';
  if (outcome.verdict?.status === 'inconclusive') return 'inconclusive';
  return 'passed';
}

/** passed: the whole interval at or above the claim; failed: wholly below; inconclusive: it straddles. */
export function judgeSpeedup(ratio: MedianRatio, claim = CLAIMED_SPEEDUP): Option3Finding['status'] {
  return ratio.ciLow >= claim ? 'passed' : ratio.ciHigh < claim ? 'failed' : 'inconclusive';
}

const x = (r: number) => (r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toPrecision(2));
export const formatRatio = (r: MedianRatio) => `${x(r.ratio)}x [${x(r.ciLow)}, ${x(r.ciHigh)}]`;

/**
 * The findings of one scale: for every aggregation scenario and engine with a right answer, "100x faster" against
 * PostgreSQL's live aggregate, and, where a materialized view holds the answer, against the view. The claim is
 * about analytics past 1M executions, so it is judged from 1M focus rows up (smaller scales are reported only).
 */
export function deriveFindings(scale: ScaleOutcome): Option3Finding[] {
  const findings: Option3Finding[] = [];
  if (scale.focusRows < 1_000_000) return findings;
  for (const scenario of scale.scenarios.filter((s) => s.aggregation)) {
    for (const e of scenario.engines) {
      if (e.check?.status !== 'passed' || !e.vsPostgres) continue;
      findings.push({
        id: `option3-100x-live-${scenario.id}`,
        scale: scale.scale,
        engine: e.engine,
        claim: `Option 3: ClickHouse gives "100x faster aggregations" (${scenario.id} against PostgreSQL computing it live)`,
        status: judgeSpeedup(e.vsPostgres),
        measured: `${formatRatio(e.vsPostgres)} (medians of the interleaved rounds ${e.vsPostgres.slowerMedianMs.toFixed(2)} ms PostgreSQL vs ${e.vsPostgres.fasterMedianMs.toFixed(2)} ms, client clocks, ${e.vsPostgres.confidence * 100}% bootstrap interval)`,
        detail: `Same rows, same tenant and window, answers checked equal (${e.check.compared}). ${e.kind === 'embedded' ? 'The embedded engine\'s client clock has no network round trip in it; PostgreSQL\'s has a loopback one.' : 'Both client clocks include a loopback round trip.'}`,
      });
      if (e.vsView && scenario.view) {
        findings.push({
          id: `option3-100x-view-${scenario.id}`,
          scale: scale.scale,
          engine: e.engine,
          claim: `Option 3 against Option 2: ClickHouse computing ${scenario.id} live vs reading PostgreSQL's materialized view`,
          status: judgeSpeedup(e.vsView),
          measured: `the view is ${e.vsView.ratio < 1 ? `${x(1 / e.vsView.ratio)}x faster than ClickHouse` : `${x(e.vsView.ratio)}x slower than ClickHouse`}: view/ClickHouse ${formatRatio(e.vsView)} (medians ${e.vsView.slowerMedianMs.toFixed(2)} ms view vs ${e.vsView.fasterMedianMs.toFixed(2)} ms ClickHouse)`,
          detail: 'Judged against the same 100x: a view read is an index lookup of precomputed rows, refreshed on a schedule (stale between refreshes); ClickHouse computes the answer from the rows at query time.',
        });
      }
    }
  }
  return findings;
}
