// Pure: the results of one suite on several Postgres majors -> verdicts side by side, and where a plan,
// an index, a verdict, a finding or a headline promise differs between majors, said in words.
import type { RunResults, ScenarioResult } from '../results.ts';
import { isJudged } from '../runner/headline.ts';
import { textTable } from './console.ts';
import { markdownCell } from './markdown.ts';

/** One major's view of a scenario form. */
export interface MajorCell {
  status: ScenarioResult['outcome']['status'];
  /** The violation kinds of a failed form, e.g. ['seq-scan', 'threshold']. */
  violations: string[];
  /** Indexes the plan used, sorted. */
  indexes: string[];
  /** Node types of the plan, depth first (its shape without names). */
  nodes: string[];
  /** Shared blocks hit+read of one execution. */
  buffers?: number;
  /**
   * Index scans that made several descents in a single loop without an IN-list: PostgreSQL 18's B-tree skip
   * scan over leading columns the condition does not fix ('Index Searches', printed from 18 on).
   */
  skipScans: { index: string; searches: number }[];
  p95Ms?: number;
}

/** A scenario x scale x form across majors. */
export interface MajorRow {
  scenarioId: string;
  scale: string;
  form: 'documented' | 'corrected';
  gated: boolean;
  /** Keyed by major (absent where that major did not run the form). */
  cells: Record<number, MajorCell>;
  /** Sentences: what differs between majors (empty: nothing but the timings). */
  differences: string[];
}

/** The whole comparison. */
export interface MajorComparison {
  majors: { major: number; version: string; provider: string; runId: string }[];
  rows: MajorRow[];
  /** Findings present on some majors only: the finding id and the majors that reported it. */
  findings: { id: string; title: string; on: number[]; missingOn: number[] }[];
  /** Headline promises whose verdict differs between majors. */
  headline: { id: string; scale: string; passedOn: number[]; failedOn: number[] }[];
}

const major = (r: RunResults) => Math.floor(r.environment.postgres.versionNum / 10000);

/** Compares runs of one suite on several majors (each RunResults from one major). */
export function compareMajors(runs: RunResults[]): MajorComparison {
  const majors = runs.map((r) => ({ major: major(r), version: r.environment.postgres.version, provider: r.environment.provider.kind, runId: r.runId }));
  const keys = new Map<string, { scenarioId: string; scale: string; form: 'documented' | 'corrected'; gated: boolean }>();
  for (const run of runs) {
    for (const s of run.scenarios) keys.set(`${s.scenarioId}\0${s.scale}\0${s.form}`, { scenarioId: s.scenarioId, scale: s.scale, form: s.form, gated: s.gated });
  }
  const rows: MajorRow[] = [...keys.values()].map((key) => {
    const cells: Record<number, MajorCell> = {};
    for (const run of runs) {
      const s = run.scenarios.find((x) => x.scenarioId === key.scenarioId && x.scale === key.scale && x.form === key.form);
      if (s) cells[major(run)] = cellOf(s);
    }
    return { ...key, cells, differences: differencesOf(cells) };
  });

  const findingIds = new Map<string, string>();
  for (const run of runs) for (const f of run.findings) findingIds.set(f.id, f.title);
  const findings = [...findingIds].map(([id, title]) => {
    const on = runs.filter((r) => r.findings.some((f) => f.id === id)).map(major);
    return { id, title, on, missingOn: majors.map((m) => m.major).filter((m) => !on.includes(m)) };
  }).filter((f) => f.missingOn.length > 0);

  const headlineKeys = new Set(runs.flatMap((r) => r.headline.map((h) => `${h.id}\0${h.scale}`)));
  const headline = [...headlineKeys].map((k) => {
    const [id, scale] = k.split('\0') as [string, string];
    const verdicts = runs.map((r) => ({ major: major(r), check: r.headline.find((h) => h.id === id && h.scale === scale) }));
    return {
      id, scale,
      passedOn: verdicts.filter((v) => v.check?.passed === true).map((v) => v.major),
      // A promise not judged on a major (a query it needs did not run there) neither holds nor fails there.
      failedOn: verdicts.filter((v) => v.check?.passed === false && isJudged(v.check)).map((v) => v.major),
    };
  }).filter((h) => h.passedOn.length > 0 && h.failedOn.length > 0);

  return { majors, rows, findings, headline };
}

function cellOf(s: ScenarioResult): MajorCell {
  return {
    status: s.outcome.status,
    violations: s.outcome.status === 'failed' ? [...new Set(s.outcome.violations.map((v) => v.kind))] : [],
    indexes: [...new Set(s.plan?.indexes.map((u) => u.index) ?? [])].sort(),
    nodes: s.plan?.nodeTypes ?? [],
    ...(s.plan ? { buffers: s.plan.buffers.sharedHit + s.plan.buffers.sharedRead } : {}),
    skipScans: skipScansIn(s.planJson),
    ...(s.latency ? { p95Ms: s.latency.client.p95Ms } : {}),
  };
}

interface PlanNode { 'Node Type'?: string; 'Index Name'?: string; 'Index Cond'?: string; 'Index Searches'?: number; 'Actual Loops'?: number; Plans?: PlanNode[] }

function skipScansIn(planJson: unknown): { index: string; searches: number }[] {
  const root = (Array.isArray(planJson) ? (planJson[0] as { Plan?: PlanNode } | undefined)?.Plan : undefined);
  const out: { index: string; searches: number }[] = [];
  const walk = (n: PlanNode) => {
    const searches = n['Index Searches'] ?? 0;
    if (n['Index Name'] && searches > 1 && (n['Actual Loops'] ?? 1) === 1 && !/ANY \(/.test(n['Index Cond'] ?? '')) {
      out.push({ index: n['Index Name'], searches });
    }
    for (const c of n.Plans ?? []) walk(c);
  };
  if (root) walk(root);
  return out;
}

/** What differs between majors, in words; timings alone are not a difference (they are machine noise). */
function differencesOf(cells: Record<number, MajorCell>): string[] {
  const entries = Object.entries(cells).map(([m, c]) => [Number(m), c] as const);
  if (entries.length < 2) return [];
  const out: string[] = [];
  const distinct = (f: (c: MajorCell) => string) => new Set(entries.map(([, c]) => f(c))).size > 1;
  const each = (f: (c: MajorCell) => string) => entries.map(([m, c]) => `${m}: ${f(c)}`).join('; ');
  // The verdict without latency thresholds: a form failing only its threshold counts as passing here.
  const planVerdict = (c: MajorCell) => {
    const rest = c.violations.filter((v) => v !== 'threshold');
    return c.status === 'failed' && rest.length === 0 ? 'pass' : verdictText({ ...c, violations: rest });
  };
  if (distinct(planVerdict)) out.push(`verdict differs (${each(verdictText)})`);
  else if (distinct(verdictText)) {
    // Only the latency threshold flips: a timing, measured one major after another on one machine.
    out.push(`latency threshold met on some majors only (client p95: ${each((c) => `${c.p95Ms?.toFixed(2) ?? '-'} ms${c.violations.includes('threshold') ? ' over' : ''}`)}); timing only, the plans agree`);
  }
  const buffers = (c: MajorCell) => (c.buffers !== undefined ? `, ${c.buffers} buffers` : '');
  if (distinct((c) => c.indexes.join(','))) out.push(`indexes differ (${each((c) => `${c.indexes.join(', ') || 'none'}${buffers(c)}`)})`);
  else if (distinct((c) => c.nodes.join('>'))) out.push(`plan shape differs (${each((c) => c.nodes.join(' > ') || 'no plan')})`);
  for (const [m, c] of entries) {
    for (const k of c.skipScans) {
      out.push(`Postgres ${m} reads ${k.index} by skip scan (${k.searches} index searches in one scan: B-tree skip scan, new in PostgreSQL 18, skips the leading columns the condition does not fix)`);
    }
  }
  return out;
}

function verdictText(c: MajorCell): string {
  switch (c.status) {
    case 'passed': return 'pass';
    case 'failed': return `FAIL ${c.violations.join(',')}`;
    case 'errored': return 'ERROR';
    case 'skipped': return 'skip';
  }
}

function cellText(c: MajorCell | undefined): string {
  if (!c) return '-';
  const index = c.indexes.length ? ` ${c.indexes.map((i) => i.replace(/^idx_executions_/, '')).join('+')}` : c.nodes.includes('Seq Scan') ? ' Seq Scan' : '';
  return `${verdictText(c)}${index}`;
}

/** Console: one row per form, one column per major, then the differences. */
export function renderMajorComparison(comparison: MajorComparison): string {
  const majors = comparison.majors.map((m) => m.major);
  const table = textTable(
    ['scenario', 'scale', 'form', ...comparison.majors.map((m) => `PG ${m.version}`), 'differs'],
    comparison.rows.map((r) => [r.scenarioId, r.scale, r.form + (r.gated ? '' : ' (not gated)'), ...majors.map((m) => cellText(r.cells[m])), r.differences.length ? 'yes' : '']),
  );
  return [
    `Across Postgres majors (${comparison.majors.map((m) => `${m.version} ${m.provider}`).join(', ')}): verdict and indexes used (idx_executions_ omitted)`,
    table,
    '',
    ...differenceLines(comparison),
  ].join('\n');
}

function differenceLines(comparison: MajorComparison): string[] {
  const lines = comparison.rows.filter((r) => r.differences.length > 0).map((r) => `- ${r.scenarioId} ${r.scale} ${r.form}: ${r.differences.join('; ')}`);
  for (const f of comparison.findings) lines.push(`- finding ${f.id} ("${f.title}") on Postgres ${f.on.join(', ')} only, not on ${f.missingOn.join(', ')}`);
  for (const h of comparison.headline) lines.push(`- headline ${h.id} ${h.scale}: holds on Postgres ${h.passedOn.join(', ')}, fails on ${h.failedOn.join(', ')}`);
  return lines.length ? ['Differences between majors:', ...lines] : ['No plan, index, verdict, finding or headline differs between these majors.'];
}

/** majors.md: the same as the console, as Markdown. */
export function renderMajorComparisonMarkdown(comparison: MajorComparison): string {
  const majors = comparison.majors.map((m) => m.major);
  const lines = [
    '# execbench across Postgres majors',
    '',
    comparison.majors.map((m) => `- Postgres ${markdownCell(m.version)} (${m.provider}): \`pg${m.major}/\` (run \`${markdownCell(m.runId)}\`)`).join('\n'),
    '',
    `| scenario | scale | form | ${comparison.majors.map((m) => `PG ${markdownCell(m.version)}`).join(' | ')} | differs |`,
    `|---|---|---|${majors.map(() => '---|').join('')}---|`,
    ...comparison.rows.map((r) => `| ${markdownCell(r.scenarioId)} | ${r.scale} | ${r.form}${r.gated ? '' : ' (not gated)'} | ${majors.map((m) => markdownCell(cellText(r.cells[m]))).join(' | ')} | ${r.differences.length ? 'yes' : ''} |`),
    '',
    ...differenceLines(comparison).map((l) => l.replace(/</g, '&lt;')),
    '',
  ];
  return lines.join('\n');
}
