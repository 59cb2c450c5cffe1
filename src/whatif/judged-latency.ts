// The one accessor for "the judged latency with its interval" of a result: its latency verdict (clock, p95,
// distribution-free interval, status); a form without a threshold has no verdict, and its client p95 stands in.
import type { ScenarioResult } from '../results.ts';
import type { JudgedLatency } from './types.ts';

/** The shape of the lead's forthcoming verdict, read structurally so this compiles before and after the merge. */
interface LatencyVerdictLike {
  clock: 'server' | 'client';
  statistic: 'p95';
  estimateMs: number;
  ciLowMs: number | null;
  ciHighMs: number | null;
  status: 'passed' | 'failed' | 'inconclusive';
}

/** The judged latency of a result, or null when it has none (an SQL error, a statement). */
export function judgedLatency(result: ScenarioResult): JudgedLatency | null {
  const verdict = (result as ScenarioResult & { latencyVerdict?: LatencyVerdictLike }).latencyVerdict;
  if (verdict) {
    return {
      clock: verdict.clock, statistic: 'p95', estimateMs: verdict.estimateMs, status: verdict.status,
      ...(verdict.ciLowMs !== null ? { ciLowMs: verdict.ciLowMs } : {}), ...(verdict.ciHighMs !== null ? { ciHighMs: verdict.ciHighMs } : {}),
    };
  }
  if (!result.latency) return null;
  // No threshold, so no verdict: the threshold's clock would be judged; without one, the client's.
  return { clock: 'client', statistic: 'p95', estimateMs: result.latency.client.p95Ms };
}

/** The samples the judged statistic is computed from (for ratios between two results). */
export function judgedSamples(result: ScenarioResult): number[] {
  const verdict = (result as ScenarioResult & { latencyVerdict?: LatencyVerdictLike }).latencyVerdict;
  if (verdict?.clock === 'server') return result.latency?.serverSamplesMs ?? [];
  return result.latency?.clientSamplesMs ?? [];
}
