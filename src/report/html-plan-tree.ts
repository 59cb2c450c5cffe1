// The report's plan tree: EXPLAIN (FORMAT JSON) as a nested list, the expected index green, other indexes amber,
// sequential scans red, with each node's rows, time, buffers and conditions.
import { formatCount, formatMs } from './format.ts';
import { escapeHtml as h } from './html-parts.ts';

type PlanNode = Record<string, unknown> & { Plans?: unknown };

/** The plan as a nested list; the expected index is highlighted green, other indexes amber, seq scans red. */
export function renderPlanTree(planJson: unknown, expectedIndexes: string[]): string {
  const top = Array.isArray(planJson) ? planJson[0] : planJson;
  const root = (top as { Plan?: unknown } | undefined)?.Plan;
  if (!root || typeof root !== 'object') return '<p class="muted">No plan tree in the EXPLAIN output.</p>';
  return `<div class="plan"><ul class="tree">${renderPlanNode(root as PlanNode, expectedIndexes)}</ul></div>`;
}

function renderPlanNode(node: PlanNode, expected: string[]): string {
  const type = String(node['Node Type'] ?? '?');
  const index = typeof node['Index Name'] === 'string' ? node['Index Name'] : undefined;
  const arbiters = Array.isArray(node['Conflict Arbiter Indexes']) ? (node['Conflict Arbiter Indexes'] as unknown[]).map(String) : [];
  const indexClass = (name: string) => (expected.includes(name) ? 'idx-ok' : 'idx-other');
  let cls = 'node';
  if (type === 'Seq Scan') cls += ' seq';
  if (index || arbiters.length) cls += expected.includes(index ?? '') || arbiters.some((a) => expected.includes(a)) ? ' hit' : ' miss';
  const label = [`<span class="type">${h(type)}</span>`];
  if (node['Strategy'] && type === 'Aggregate') label.push(`<span class="muted">${h(node['Strategy'])}</span>`);
  if (node['Operation'] && type === 'ModifyTable') label.push(`<span class="muted">${h(node['Operation'])}</span>`);
  if (node['Scan Direction'] && node['Scan Direction'] !== 'Forward') label.push(`<span class="muted">${h(node['Scan Direction'])}</span>`);
  if (index) label.push(`using <code class="${indexClass(index)}">${h(index)}</code>`);
  if (node['Relation Name']) label.push(`on <code>${h(node['Relation Name'])}</code>`);
  if (arbiters.length) label.push(`arbiter ${arbiters.map((a) => `<code class="${indexClass(a)}">${h(a)}</code>`).join(', ')}`);
  const num = (key: string) => (typeof node[key] === 'number' ? (node[key] as number) : undefined);
  const stats: string[] = [];
  if (num('Actual Rows') !== undefined) stats.push(`rows ${formatCount(num('Actual Rows'))}${(num('Actual Loops') ?? 1) !== 1 ? ` × ${formatCount(num('Actual Loops'))} loops` : ''}`);
  if (num('Actual Total Time') !== undefined) stats.push(`${formatMs(num('Actual Total Time'))} ms`);
  if (num('Shared Hit Blocks') !== undefined) stats.push(`buffers ${formatCount(num('Shared Hit Blocks'))} hit / ${formatCount(num('Shared Read Blocks') ?? 0)} read`);
  const conditions: string[] = [];
  for (const key of ['Index Cond', 'Recheck Cond', 'Filter', 'Join Filter', 'Hash Cond', 'Conflict Resolution']) {
    if (node[key] !== undefined) conditions.push(`<div class="cond"><span class="label">${h(key)}</span> <code>${h(node[key])}</code></div>`);
  }
  for (const key of ['Rows Removed by Filter', 'Rows Removed by Index Recheck', 'Conflicting Tuples', 'Tuples Inserted']) {
    if (num(key)) conditions.push(`<div class="cond"><span class="label">${h(key)}</span> ${h(formatCount(num(key)))}</div>`);
  }
  if (Array.isArray(node['Sort Key'])) {
    conditions.push(`<div class="cond"><span class="label">Sort Key</span> <code>${h((node['Sort Key'] as unknown[]).join(', '))}</code>${node['Sort Method'] ? ` · ${h(node['Sort Method'])}` : ''}${num('Sort Space Used') !== undefined ? ` · ${h(num('Sort Space Used'))} kB ${h(node['Sort Space Type'] ?? '')}` : ''}</div>`);
  }
  const children = Array.isArray(node.Plans) ? (node.Plans as PlanNode[]) : [];
  return `<li class="${cls}"><div class="label-line">${label.join(' ')} <span class="stats">${h(stats.join(' · '))}</span></div>${conditions.join('')}${
    children.length ? `<ul>${children.map((child) => renderPlanNode(child, expected)).join('')}</ul>` : ''
  }</li>`;
}
