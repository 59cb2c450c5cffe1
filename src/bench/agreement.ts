// Pure: paired per-round ratios (execbench's block p50 over pgbench's, one per round) -> whether the two clocks agree
// within a tolerance, with the confidence interval of the median ratio, judged as the gate judges a latency: within
// when the whole interval lies inside the band, outside when it lies wholly beyond one edge, undecided otherwise.
// A point estimate from 30 rounds moves by +-0.07 between runs of unchanged code on this machine (placement draws per
// connection), so a bare "x1.16 > x1.15" says less than it seems to; the interval says how much the rounds allow.
import { quantileInterval } from '../runner/statistics.ts';

export type AgreementStatus = 'within' | 'outside' | 'undecided';

export interface Agreement {
  /** The median of the paired ratios. */
  ratio: number;
  /** The order-statistic interval of that median at `confidence` (null: too few rounds for a bound). */
  low: number | null;
  high: number | null;
  confidence: number;
  rounds: number;
  status: AgreementStatus;
}

/** The rounds of bench:clock's sequential rule: looks at 30, 60, 120 and 240 rounds, 95% overall (Bonferroni: 98.75% per look). */
export const AGREEMENT_RULE = { confidence: 0.95, looks: [30, 60, 120, 240] } as const;

export function perLookAgreementConfidence(rule: { confidence: number; looks: readonly number[] } = AGREEMENT_RULE): number {
  return 1 - (1 - rule.confidence) / rule.looks.length;
}

/** Judges one look. `tolerance` 0.15 means the band x0.85-x1.15, both edges inclusive. */
export function judgeAgreement(ratios: readonly number[], tolerance: number, confidence: number): Agreement {
  if (!(tolerance > 0 && tolerance < 1)) throw new RangeError(`judgeAgreement: tolerance must be within (0, 1), got ${tolerance}.`);
  const ci = quantileInterval(ratios, 0.5, confidence);
  const lowEdge = 1 - tolerance - 1e-9;
  const highEdge = 1 + tolerance + 1e-9;
  const status: AgreementStatus = ci.low !== null && ci.high !== null && ci.low >= lowEdge && ci.high <= highEdge
    ? 'within'
    : (ci.low !== null && ci.low > highEdge) || (ci.high !== null && ci.high < lowEdge) ? 'outside' : 'undecided';
  return { ratio: ci.estimate, low: ci.low, high: ci.high, confidence, rounds: ratios.length, status };
}

/** The next look's round count for an undecided agreement, or undefined when it is decided or the looks are spent. */
export function nextAgreementLook(agreement: Agreement, rule: { looks: readonly number[] } = AGREEMENT_RULE): number | undefined {
  if (agreement.status !== 'undecided') return undefined;
  return rule.looks.find((n) => n > agreement.rounds);
}

export function formatAgreement(a: Agreement): string {
  const bound = (x: number | null) => (x === null ? '?' : x.toFixed(2));
  return `x${a.ratio.toFixed(2)} [${bound(a.low)}, ${bound(a.high)}]`;
}

/** One small query's agreement on one protocol, with the two p50s behind it (ms). */
export interface AgreementCase {
  label: string;
  agreement: Agreement;
  execbenchMs: number;
  pgbenchMs: number;
}

/**
 * The lines under bench:clock's table for the small queries not shown within: each with its ratio and interval and
 * the absolute difference of the two p50s in microseconds, because on a 0.1 ms round trip 15% is 15 us, about
 * Node's own cost per round trip, while the client-clock limits that verdicts judge are 500 ms and 2 s.
 */
export function describeMisses(cases: readonly AgreementCase[]): string[] {
  return cases.filter((c) => c.agreement.status !== 'within').map((c) => {
    const us = (c.execbenchMs - c.pgbenchMs) * 1000;
    const gap = `${us >= 0 ? '+' : '-'}${Math.abs(us).toFixed(0)} us`;
    return `${c.label}: ${c.agreement.status} at ${formatAgreement(c.agreement)}, ${c.execbenchMs.toFixed(3)} vs ${c.pgbenchMs.toFixed(3)} ms (${gap} per round trip)`;
  });
}
