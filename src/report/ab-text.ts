// Pure: an A/B document as text: the console's table and the Markdown summary (summary.md, $GITHUB_STEP_SUMMARY).
// Both lead with the answer (the gate's decision and why), then every gated form side by side.
import { describeAbMethod, type AbDocument } from '../ab/document.ts';
import type { AbFormVerdict } from '../ab/judge-form.ts';
import { textTable } from './console.ts';
import { markdownCell as cell } from './markdown.ts';

const ms = (n: number) => (n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1));
const pct = (r: number) => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(0)}%`;

/** 'abc1234 (origin/main)', 'def5678 + uncommitted (working tree)'. */
export function sideLabel(side: AbDocument['base']): string {
  return `${side.commit.slice(0, 7)}${side.uncommitted ? ' + uncommitted changes' : ''} (${side.given})`;
}

/** The cells of one form's row: plan, base, head, ratio, verdict. */
export function formCells(v: AbFormVerdict): { plan: string; baseMs: string; headMs: string; ratio: string; verdict: string } {
  const d = v.time.decision;
  const j = d?.confirmation ?? d?.first;
  const plan = v.presence !== 'both' ? '—'
    : v.plan.status === 'regressed' ? `CHANGED: ${v.plan.words}`
      : v.plan.checks.find((c) => c.signal === 'index')?.message.replace(/^same indexes: /, '') ?? v.plan.words;
  const ratio = j ? `${pct(j.ratio)} [${j.ratioLow === null ? '—' : pct(j.ratioLow)}, ${j.ratioHigh === null ? '—' : pct(j.ratioHigh)}]` : '—';
  const verdict = v.status === 'missing' ? 'missing in head'
    : v.status === 'new' ? 'new in head'
      : v.status === 'regressed' ? `REGRESSED (${[...new Set(v.reasons.map((r) => r.half))].join(', ')})`
        : v.time.status === 'unconfirmed' ? 'passed (slowdown not confirmed)'
          : v.status;
  return { plan, baseMs: j ? `${ms(j.baseMedianMs)} ${j.clock}` : '—', headMs: j ? `${ms(j.headMedianMs)} ${j.clock}` : '—', ratio, verdict };
}

/** The gate's line: 'Gate: PASSED (exit 0)' or 'Gate: FAILED (exit 1)' with the reasons. */
export function gateLines(doc: AbDocument): string[] {
  const halves = doc.gate.failOn.join(' and ');
  const lines = doc.gate.exitCode === 0
    ? [`Gate: PASSED (exit 0): no gated form regressed in its ${halves} half.`]
    : [`Gate: FAILED (exit ${doc.gate.exitCode}):`, ...doc.gate.reasons.map((r) => `  - ${r}`)];
  if (doc.gate.ignored.length > 0) lines.push(`Found, not failing the gate (--fail-on ${doc.gate.failOn.join(',')}):`, ...doc.gate.ignored.map((r) => `  - ${r}`));
  if (doc.gate.warnings.length > 0) lines.push('Warnings:', ...doc.gate.warnings.map((w) => `  - ${w}`));
  return lines;
}

/** The console's report. */
export function renderAbConsole(doc: AbDocument): string {
  const rows = doc.forms.filter((v) => v.gated).map((v) => {
    const c = formCells(v);
    return [`${v.scenarioId} (${v.form})${v.sqlChanged ? ' *' : ''}`, c.plan, c.baseMs, c.headMs, c.ratio, c.verdict];
  });
  const head = ['gated form', 'plan (indexes)', 'base median ms', 'head median ms', 'head/base [interval]', 'verdict'];
  const notGated = doc.forms.filter((v) => !v.gated);
  return [
    `execbench ab: base ${sideLabel(doc.base)} against head ${sideLabel(doc.head)}, ${doc.scale}, interleaved on one server`,
    ...gateLines(doc),
    '',
    textTable(head, rows, { maxWidth: 60 }),
    ...(rows.some((r) => r[0]!.endsWith(' *')) ? ['* the SQL differs between the sides'] : []),
    ...(notGated.length > 0 ? [`${notGated.length} form(s) not gated (documented forms with a correction): planned on both sides, ${notGated.filter((v) => v.plan.status === 'regressed').length} with a changed plan; see the report.`] : []),
    '',
    describeAbMethod(doc),
  ].join('\n');
}


/** summary.md: the decision first, then the gated forms, the changed ones first. */
export function renderAbMarkdown(doc: AbDocument): string {
  const order = (v: AbFormVerdict) => (v.status === 'regressed' ? 0 : v.status === 'missing' ? 1 : v.plan.status === 'regressed' || v.time.status === 'unconfirmed' ? 2 : v.status === 'new' ? 3 : 4);
  const gated = doc.forms.filter((v) => v.gated).sort((a, b) => order(a) - order(b));
  const rows = gated.map((v) => {
    const c = formCells(v);
    return `| ${cell(`${v.scenarioId} (${v.form})${v.sqlChanged ? ' *' : ''}`)} | ${cell(c.plan)} | ${c.baseMs} | ${c.headMs} | ${c.ratio} | ${cell(c.verdict)} |`;
  });
  const why = gated.filter((v) => v.reasons.length > 0 || v.time.status === 'unconfirmed').map((v) =>
    `- **${v.scenarioId} (${v.form})**: ${[...v.reasons.map((r) => `${r.half}: ${r.words}`), ...(v.time.status === 'unconfirmed' ? [`time: ${v.time.words}`] : [])].join('; ')}`);
  return [
    `## execbench ab: ${doc.gate.exitCode === 0 ? 'passed' : 'FAILED'}`,
    '',
    `Base ${sideLabel(doc.base)} against head ${sideLabel(doc.head)}, ${doc.scale}, interleaved on one server (PostgreSQL ${doc.environment.postgres.version}).`,
    '',
    ...gateLines(doc).map((l) => (l.startsWith('  - ') ? l.slice(2) : l)),
    '',
    '| gated form | plan (indexes) | base median ms | head median ms | head/base [interval] | verdict |',
    '|---|---|---|---|---|---|',
    ...rows,
    ...(gated.some((v) => v.sqlChanged) ? ['', '\\* the SQL differs between the sides.'] : []),
    ...(why.length > 0 ? ['', '### Why', '', ...why] : []),
    '',
    `<details><summary>How execbench ab decides</summary>\n\n${describeAbMethod(doc)}\n\n</details>`,
    '',
  ].join('\n');
}
