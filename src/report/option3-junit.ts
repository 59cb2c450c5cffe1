// Pure: the Option 3 results as JUnit XML: one testcase per (scale, scenario, engine), and one per finding.
import type { Option3Results } from '../clickhouse/results.ts';
import { escapeXml } from './junit.ts';

export function renderOption3Junit(results: Option3Results): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  let errors = 0;
  for (const scale of results.scales) {
    for (const s of scale.scenarios) {
      for (const e of s.engines) {
        const name = `${scale.scale} ${s.id} on ${e.engine}`;
        const seconds = ((e.clientSamplesMs ?? []).reduce((a, b) => a + b, 0) / 1000).toFixed(3);
        let body = '';
        if (e.status === 'failed') { failures++; body = `<failure message="${escapeXml(e.reason ?? 'failed')}"/>`; }
        if (e.status === 'errored') { errors++; body = `<error message="${escapeXml(e.reason ?? 'errored')}"/>`; }
        if (e.status === 'skipped') { skipped++; body = `<skipped message="${escapeXml(e.reason ?? 'skipped')}"/>`; }
        const out = e.check ? `<system-out>${escapeXml(`answer ${e.check.status}: ${e.check.compared}${e.verdict ? `; ${e.verdict.reason}` : ''}`)}</system-out>` : '';
        cases.push(`    <testcase classname="execbench.option3.${escapeXml(scale.scale)}" name="${escapeXml(name)}" time="${seconds}">${body}${out}</testcase>`);
      }
    }
  }
  for (const f of results.findings) {
    // A finding is evidence about the document, not a gate: reported as a passing case with its verdict in the name.
    cases.push(`    <testcase classname="execbench.option3.findings" name="${escapeXml(`${f.scale} ${f.engine}: ${f.claim} -> ${f.status}`)}" time="0"><system-out>${escapeXml(`${f.measured}. ${f.detail}`)}</system-out></testcase>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="execbench option3" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n  <testsuite name="option3" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
