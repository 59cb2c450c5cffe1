// JUnit XML of a capacity search: one test case per promise and variant, judged on its capacity's lower bound
// against the user's --min-capacity. The figure gated is the one measured with maintenance (ingest and retention
// beside the reads: the product as it runs) where that search ran, else the one without; the case's output carries both.
import type { CapacityReport, PromiseSearch } from '../load/search-report.ts';
import { escapeXml as x } from './junit.ts';

const rate = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** One test case: the promise on one variant. */
export interface CapacityCase {
  name: string;
  classname: string;
  status: 'passed' | 'failed' | 'errored';
  message: string;
  gated: PromiseSearch;
  searches: PromiseSearch[];
}

/**
 * Per promise and variant: failed when the bound is below --min-capacity (or the promise held at no rate tried),
 * errored when no bound could be measured (execbench's own limit, out of time, Ctrl-C), else passed.
 */
export function capacityCases(report: CapacityReport): CapacityCase[] {
  const cases: CapacityCase[] = [];
  for (const promise of report.options.promises) {
    for (const variant of report.options.variants) {
      const searches = report.searches.filter((s) => s.promise === promise && s.variant === variant);
      const gated = searches.find((s) => s.maintenance) ?? searches[0];
      if (!gated) continue;
      const which = gated.maintenance ? 'with maintenance' : 'without maintenance';
      const name = `${promise}: p95 < ${gated.limitP95Ms} ms, capacity on ${variant} (${which})`;
      const min = gated.minCapacityPerSecond;
      let status: CapacityCase['status'];
      let message: string;
      if (gated.lowerBoundPerSecond === null) {
        status = gated.status === 'no-pass' ? 'failed' : 'errored';
        message = `no capacity bound: ${gated.words}`;
      } else if (min !== undefined && gated.lowerBoundPerSecond < min) {
        status = 'failed';
        message = `capacity at least ${rate(gated.lowerBoundPerSecond)}/s, below --min-capacity ${promise}=${rate(min)}/s`;
      } else {
        status = 'passed';
        message = `capacity at least ${rate(gated.lowerBoundPerSecond)}/s${min !== undefined ? ` (--min-capacity ${rate(min)}/s met)` : ' (no --min-capacity given)'}`;
      }
      cases.push({ name, classname: `execbench.load.${promise}`, status, message, gated, searches });
    }
  }
  return cases;
}

function caseOutput(c: CapacityCase): string {
  return c.searches.map((s) => [
    `${s.maintenance ? 'with' : 'without'} maintenance: ${s.words}`,
    `  ${s.confidence.words}`,
    ...s.steps.map((step, i) => `  step ${i + 1}: ${rate(step.rate)}/s for ${(step.windowMs / 1000).toFixed(1)} s: offered ${rate(step.offeredPerSecond)}/s, achieved ${rate(step.achievedPerSecond)}/s, ${step.latency ? `p95 ${rate(step.latency.p95.estimateMs)} ms [${rate(step.latency.p95.lowMs)}, ${rate(step.latency.p95.highMs)}]` : step.cut ? 'no interval (cut short)' : 'no latency (invalid)'}: ${step.outcome}${step.invalid ? ` (${step.invalid.words})` : step.cut ? ` (${step.cut.words})` : ''}`),
  ].join('\n')).join('\n');
}

/** The JUnit document. Pure. */
export function renderCapacityJunit(report: CapacityReport): string {
  const cases = capacityCases(report);
  const failed = cases.filter((c) => c.status === 'failed').length;
  const errored = cases.filter((c) => c.status === 'errored').length;
  const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);
  const body = cases.map((c) => {
    const inner = c.status === 'failed'
      ? `\n      <failure message="${x(c.message)}" type="capacity">${x(c.message)}</failure>`
      : c.status === 'errored' ? `\n      <error message="${x(c.message)}" type="capacity">${x(c.message)}</error>` : '';
    const props = [
      ['lowerBoundPerSecond', c.gated.lowerBoundPerSecond], ['minCapacityPerSecond', c.gated.minCapacityPerSecond], ['confidence', c.gated.confidence.achieved],
      ...c.searches.map((s) => [`${s.maintenance ? 'with' : 'without'}MaintenancePerSecond`, s.lowerBoundPerSecond] as const),
    ].filter(([, v]) => v !== undefined && v !== null);
    return `    <testcase name="${x(c.name)}" classname="${x(c.classname)}" time="${seconds(c.searches.reduce((s, r) => s + r.durationMs, 0))}">
      <properties>
${props.map(([k, v]) => `        <property name="${x(k)}" value="${x(v)}"/>`).join('\n')}
      </properties>${inner}
      <system-out>${x(`${c.message}\n${caseOutput(c)}`)}</system-out>
    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="execbench load --search" tests="${cases.length}" failures="${failed}" errors="${errored}" time="${seconds(report.durationMs)}">
  <testsuite name="execbench load capacity ${x(report.options.scale)}" tests="${cases.length}" failures="${failed}" errors="${errored}" skipped="0" time="${seconds(report.durationMs)}" timestamp="${x(report.startedAt)}">
${body.join('\n')}
  </testsuite>
</testsuites>
`;
}
