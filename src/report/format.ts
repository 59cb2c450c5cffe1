// Number and text formatting shared by the HTML, Markdown and JUnit writers, so they print the same figures.
import type { Outcome, ScenarioResult } from '../results.ts';

/** Milliseconds with precision that fits the size: 0.412, 3.21, 41.7, 1234. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toString();
}

/** A wall-clock duration: 840 ms, 21.4 s, 23 min 26 s. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

/** Bytes in binary units: 8.0 kB, 13.4 MB, 1.2 GB. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Integers with thousands separators (stable across locales: always a thin comma). */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** One line saying why an outcome is what it is (empty for passed). */
export function outcomeReason(outcome: Outcome): string {
  switch (outcome.status) {
    case 'passed': return '';
    case 'failed': return outcome.violations.map((v) => `${v.kind}: ${v.message}`).join('; ');
    case 'errored': return outcome.error;
    case 'skipped': return outcome.reason;
  }
}

/** Index names the plan used, deduplicated, in plan order. */
export function usedIndexes(result: ScenarioResult): string[] {
  return [...new Set((result.plan?.indexes ?? []).map((use) => use.index))];
}

/** "threshold p95 <= 10 ms" or a dash; 'derived' marked. */
export function formatThreshold(result: ScenarioResult): string {
  if (!result.threshold) return '–';
  return `≤ ${formatMs(result.threshold.p95Ms)} ms${result.threshold.derived ? ' (derived)' : ''}`;
}

/** Sorts results by scenario (run order), then scale (run order), then documented before corrected. */
export function orderResults(results: ScenarioResult[], scales: string[]): ScenarioResult[] {
  const scenarioIndex = new Map<string, number>();
  for (const r of results) if (!scenarioIndex.has(r.scenarioId)) scenarioIndex.set(r.scenarioId, scenarioIndex.size);
  const scaleIndex = (s: string) => (scales.indexOf(s) === -1 ? scales.length : scales.indexOf(s));
  const formIndex = (f: string) => (f === 'documented' ? 0 : 1);
  return [...results].sort((a, b) =>
    scenarioIndex.get(a.scenarioId)! - scenarioIndex.get(b.scenarioId)! || scaleIndex(a.scale) - scaleIndex(b.scale) || formIndex(a.form) - formIndex(b.form),
  );
}

/** Counts of outcomes, for headers and summaries. */
export function countOutcomes(results: ScenarioResult[]): Record<Outcome['status'], number> {
  const counts = { passed: 0, failed: 0, errored: 0, skipped: 0 };
  for (const r of results) counts[r.outcome.status] += 1;
  return counts;
}

/** What a report shows for a result: its outcome, or 'finding' for a failed form the gate does not judge. */
export type DisplayStatus = Outcome['status'] | 'finding';

/** The tooltip on a FINDING badge. */
export const FINDING_TITLE = 'documented form, not gated; --strict-spec gates it';

/** Whether the gate judges this result (mirrors src/gate/verdict.ts: gated, or any documented form under --strict-spec). */
export function countsForGate(result: Pick<ScenarioResult, 'gated' | 'form'>, strictSpec: boolean): boolean {
  return result.gated || (strictSpec && result.form === 'documented');
}

/**
 * The status to print: a failed form the gate does not judge (a documented statement the spec gets wrong, reported
 * as a spec finding) is a 'finding', not a failure, so the table agrees with the gate banner. Under --strict-spec it
 * is judged, and 'failed' is right.
 */
export function displayStatus(result: Pick<ScenarioResult, 'gated' | 'form' | 'outcome'>, strictSpec: boolean): DisplayStatus {
  return result.outcome.status === 'failed' && !countsForGate(result, strictSpec) ? 'finding' : result.outcome.status;
}

/**
 * A human label for a run-phase timing key: provisionMs → provision, totalMs → total, seed_100k_ms → seed 100k,
 * scenarios_1m_ms → scenarios 1m. Unknown keys lose a trailing Ms/_ms and have camelCase and underscores spaced.
 */
export function timingLabel(key: string): string {
  const scaled = /^([a-z]+)_(.+)_ms$/i.exec(key);
  if (scaled) return `${scaled[1]} ${scaled[2]}`;
  return key
    .replace(/(?:_ms|Ms)$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .trim()
    .toLowerCase() || key;
}

/** The run-phase timings as "provision 517 ms · seed 100k 28 ms · … · total 55.7 s", in the order recorded. */
export function formatTimings(timings: Record<string, number>): string {
  return Object.entries(timings).map(([key, ms]) => `${timingLabel(key)} ${formatDuration(ms)}`).join(' · ');
}

/** The first 12 characters of a dataset fingerprint (the full value goes in a tooltip). */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.length > 12 ? `${fingerprint.slice(0, 12)}…` : fingerprint;
}
