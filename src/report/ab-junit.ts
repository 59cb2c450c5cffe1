// Pure: an A/B document as JUnit XML: per gated form, one case for its plan half and one for its time half
// (classname execbench.ab.plan / execbench.ab.time), failed where the gate failed on it; a half the gate does not fail on
// (--fail-on) passes with a line saying what was found. A form missing in the head is a failed plan case.
import type { AbDocument } from '../ab/document.ts';
import { escapeXml as x } from './junit.ts';
import { sideLabel } from './ab-text.ts';

interface Case { classname: string; name: string; failure?: string; output: string }

export function abCases(doc: AbDocument): Case[] {
  const fails = new Set(doc.gate.failOn);
  const cases: Case[] = [];
  for (const v of doc.forms.filter((f) => f.gated)) {
    const name = `${v.scenarioId} (${v.form}) ${doc.scale}`;
    if (v.status === 'missing') {
      cases.push({ classname: 'execbench.ab.plan', name, output: v.plan.words, ...(!doc.gate.allowMissing && fails.has('plan') ? { failure: `gated in the base, not measured in the head: ${v.plan.words}` } : {}) });
      continue;
    }
    if (v.status === 'new') {
      cases.push({ classname: 'execbench.ab.plan', name, output: v.plan.words });
      continue;
    }
    const planFail = v.reasons.filter((r) => r.half === 'plan').map((r) => r.words).join('; ');
    cases.push({ classname: 'execbench.ab.plan', name, output: v.plan.words, ...(planFail && fails.has('plan') ? { failure: planFail } : {}) });
    const timeFail = v.reasons.filter((r) => r.half === 'time').map((r) => r.words).join('; ');
    cases.push({ classname: 'execbench.ab.time', name, output: v.time.words, ...(timeFail && fails.has('time') ? { failure: timeFail } : {}) });
  }
  return cases;
}

export function renderAbJunit(doc: AbDocument): string {
  const cases = abCases(doc);
  const failures = cases.filter((c) => c.failure).length;
  const body = cases.map((c) => `    <testcase classname="${x(c.classname)}" name="${x(c.name)}">` +
    `${c.failure ? `\n      <failure message="${x(c.failure.slice(0, 300))}">${x(c.failure)}</failure>` : ''}` +
    `\n      <system-out>${x(c.output)}</system-out>\n    </testcase>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="execbench ab" tests="${cases.length}" failures="${failures}" time="${(doc.durationMs / 1000).toFixed(1)}">
  <testsuite name="execbench.ab" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" timestamp="${x(doc.startedAt)}">
    <properties>
      <property name="base" value="${x(sideLabel(doc.base))}"/>
      <property name="head" value="${x(sideLabel(doc.head))}"/>
      <property name="scale" value="${x(doc.scale)}"/>
    </properties>
${body}
  </testsuite>
</testsuites>
`;
}
