// The results document of `execbench ab` (ab.json): both sides, the method, every form's verdict with its figures,
// and the gate's decision. Everything the reports show is in it.
import type { DatasetSummary, EnvironmentInfo } from '../results.ts';
import type { AbDecision, AbFormVerdict, AbHalf } from './judge-form.ts';
import type { AbTimeRule } from './judge-time.ts';

export const AB_SCHEMA_VERSION = 1;

/** One side as the document names it. */
export interface AbSideInfo {
  given: string;
  commit: string;
  uncommitted: boolean;
}

export interface AbDocument {
  kind: 'execbench-ab';
  schemaVersion: typeof AB_SCHEMA_VERSION;
  runId: string;
  startedAt: string;
  finishedAt: string;
  /** Always 'interleaved' today: both sides on one server, one table, one connection, blocks alternating. */
  mode: 'interleaved';
  base: AbSideInfo;
  head: AbSideInfo;
  scale: string;
  dataset: DatasetSummary;
  environment: EnvironmentInfo;
  method: {
    rule: AbTimeRule;
    /** Gated time comparisons in the run: the false-alarm level is divided among them. */
    comparisons: number;
    /** One-sided level of each comparison. */
    perComparisonConfidence: number;
    budgetMs: number;
    words: string;
  };
  forms: AbFormVerdict[];
  gate: AbDecision & { failOn: AbHalf[]; allowMissing: boolean };
  durationMs: number;
}

/** The method in words, for every report. */
export function describeAbMethod(doc: Pick<AbDocument, 'method'>): string {
  const { rule, comparisons, perComparisonConfidence } = doc.method;
  return `Base and head ran on one server, one table and one connection, inside one transaction that is rolled back: ` +
    `the table holds both sides' indexes, and each side's blocks run in a savepoint that drops the other side's. ` +
    `Plan half: one EXPLAIN (ANALYZE, BUFFERS) per side after a warming run, compared exactly (indexes, plan shape, ` +
    `buffers and rows within 10% + 2; a catalog query's buffers are reported, not gated). Time half (gated reads): ` +
    `${rule.rounds} rounds, each a block of the base and a block of the head in a balanced random order, so the ` +
    `machine's drift falls on both; the statistic is the median of the rounds' ratios (head block median / base block ` +
    `median), with its distribution-free (sign-test) interval. A form fails when the ratio's lower bound is above 1 ` +
    `(clearly slower), the ratio above +${(rule.minEffect * 100).toFixed(0)}% and the medians apart by more than ${rule.minAbsoluteMs.client} ms ` +
    `(client clock) or ${rule.minAbsoluteMs.server} ms (server clock), and a fresh measurement of that form confirms it. ` +
    `False alarms per run: each of the ${comparisons} gated time comparisons is tested at ` +
    `${((1 - perComparisonConfidence) * 100).toPrecision(2)}% (Bonferroni), so unchanged code fails on time in at most ` +
    `${((1 - rule.familyConfidence) * 100).toFixed(0)}% of runs; the confirmation lowers that further.`;
}
