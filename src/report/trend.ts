// Trend export for github-action-benchmark's `customSmallerIsBetter` tool: client p95 of every gated form.
import type { RunResults } from '../results.ts';
import { scaleOrder } from './charts.ts';
import { formatLatencyVerdict, formatMs, orderResults } from './format.ts';

/** One entry of github-action-benchmark's custom JSON format. */
export interface TrendEntry {
  name: string;
  unit: 'ms';
  value: number;
  range?: string;
  extra?: string;
}

/** Gated forms that measured latency -> [{ name, unit: 'ms', value: client p95 }]. Names are stable across runs. Pure. */
export function buildTrendEntries(results: RunResults): TrendEntry[] {
  return orderResults(results.scenarios, scaleOrder(results))
    .filter((r) => r.gated && r.latency !== undefined)
    .map((r) => {
      const client = r.latency!.client;
      return {
        name: `${r.scenarioId} ${r.scale} client p95`,
        unit: 'ms' as const,
        value: Math.round(client.p95Ms * 1000) / 1000,
        range: `± ${client.rmePct.toFixed(1)}%`,
        extra: `p50 ${formatMs(client.p50Ms)} ms, p99 ${formatMs(client.p99Ms)} ms, ${client.samples} samples; ${r.outcome.status}${r.latencyVerdict ? `; verdict: ${formatLatencyVerdict(r.latencyVerdict)}` : ''}`,
      };
    });
}

/** The trend file's text. */
export function renderTrendJson(results: RunResults): string {
  return `${JSON.stringify(buildTrendEntries(results), null, 2)}\n`;
}
