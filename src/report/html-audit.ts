// The report's index audit section: src/audit's AuditReport as tables and findings; an entry of another shape is
// rendered generically (a definition list), so an older or newer audit still shows.
import type { AuditReport } from '../audit/types.ts';
import { formatBytes, formatCount, formatMs } from './format.ts';
import { badge, escapeHtml as h, ident } from './html-parts.ts';

/** The audit section: a purpose-built view of src/audit's AuditReport; anything else is rendered generically. */
export function renderAudit(audit: unknown[]): string {
  const blocks = audit.map((entry, i) => {
    if (isAuditReport(entry)) return renderAuditReport(entry);
    const scale = isPlainObject(entry) && typeof entry.scale === 'string' ? entry.scale : `#${i + 1}`;
    return `<div class="audit-entry" data-scale="${h(scale)}"><h3>Scale ${h(scale)}</h3>${renderGeneric(entry, 0)}</div>`;
  });
  return `<section id="audit"><h2>Index audit</h2><p class="lead">What the spec's "Maintenance &amp; Monitoring" section asks for, measured on the run's datasets.</p>${blocks.join('\n')}</section>`;
}

function isAuditReport(entry: unknown): entry is AuditReport {
  return isPlainObject(entry) && typeof entry.scale === 'string' && Array.isArray(entry.indexes) && isPlainObject(entry.tableSize)
    && isPlainObject(entry.bloat) && isPlainObject(entry.scans) && Array.isArray(entry.findings) && Array.isArray(entry.duplicates);
}

function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '–' : `${(ratio * 100).toFixed(ratio < 0.01 ? 2 : 1)}%`;
}

function renderAuditReport(a: AuditReport): string {
  const order = { error: 0, warning: 1, info: 2 } as const;
  const item = (f: AuditReport['findings'][number]) => `<li>${badge(f.severity)} <strong>${h(f.title)}</strong>
<div class="small">${h(f.evidence)}</div><div class="small muted">${h(f.specSection)}: ${h(f.specSays)}</div>${f.fix ? `<div class="small"><strong>Fix:</strong> ${h(f.fix)}</div>` : ''}</li>`;
  const sorted = [...a.findings].sort((x, y) => order[x.severity] - order[y.severity]);
  const serious = sorted.filter((f) => f.severity !== 'info').map(item);
  const info = sorted.filter((f) => f.severity === 'info').map(item);
  const findings = `${serious.length ? `<ul class="audit-findings">${serious.join('')}</ul>` : ''}${info.length ? `<details class="audit-info"><summary>${info.length} informational audit finding${info.length === 1 ? '' : 's'}</summary><ul class="audit-findings info">${info.join('')}</ul></details>` : ''}`;
  const rows = [...a.indexes].sort((x, y) => y.sizeBytes - x.sizeBytes).map((i) => {
    const flags: string[] = [];
    if (i.isPrimary) flags.push('primary key');
    else if (i.isUnique) flags.push('unique');
    if (i.isPartial) flags.push('partial');
    const scans = i.scansDuringRun === null ? `<span class="muted">${h(formatCount(i.scansTotal))} total</span>` : h(formatCount(i.scansDuringRun));
    return `<tr data-index="${h(i.name)}">
<td>${ident(i.name)}${flags.length ? ` <span class="muted small">${h(flags.join(', '))}</span>` : ''}<div class="small muted def">${h(i.definition)}</div></td>
<td class="num">${h(formatBytes(i.sizeBytes))}</td>
<td class="num">${h(percent(i.coveredRowShare))}<div class="small muted">${h(formatCount(i.coveredRows))} rows</div></td>
<td class="num">${scans}${i.unusedDuringRun ? ' <span class="flag">unused</span>' : ''}</td>
<td class="num">${h(percent(i.bloat.bloatRatio))}${i.bloat.exceedsSpecLimit ? ' <span class="flag">&gt; 30%</span>' : ''}<div class="small muted">${h(i.bloat.method)}</div></td>
<td>${i.duplicateOf.length ? `duplicate of ${i.duplicateOf.map((n) => ident(n)).join(', ')}` : ''}${i.redundantTo ? `${i.duplicateOf.length ? '<br>' : ''}redundant to ${ident(i.redundantTo)}` : ''}</td>
</tr>`;
  });
  const w = a.writeCost;
  const writeCost = w
    ? `<p><strong>Write cost:</strong> inserting ${h(formatCount(w.rows))} rows takes ${h(formatMs(w.allIndexesMedianMs))} ms with every index and ${h(formatMs(w.primaryKeyOnlyMedianMs))} ms with the primary key only: <strong>${h(w.ratio.toFixed(2))}×</strong> <span class="muted">(median of ${h(w.repetitions)}; ${h(w.method)})</span></p>`
    : `<p class="muted">Write cost not measured${a.writeCostError ? `: ${h(a.writeCostError)}` : ''}.</p>`;
  return `<div class="audit-entry" data-scale="${h(a.scale)}">
<h3>Scale ${h(a.scale)} <span class="muted small">schema <code>${h(a.schema)}</code> · ${h(a.takenAt)}</span></h3>
<p><strong>${h(a.table)}</strong>: ${h(formatCount(a.rows))} rows, heap ${h(formatBytes(a.tableSize.heapBytes))}, TOAST ${h(formatBytes(a.tableSize.toastBytes))}, total ${h(formatBytes(a.tableSize.totalBytes))}.
${h(a.indexes.length)} indexes take ${h(formatBytes(a.totalIndexBytes))}: <strong>${h(a.indexToHeapRatio.toFixed(2))}×</strong> the heap.</p>
<p class="small muted">Scans: ${h(a.scans.note)} · Bloat: ${h(a.bloat.method)} (${h(a.bloat.reason)}), limit ${h(percent(a.bloat.limitRatio))}.</p>
<div class="table-scroll"><table class="audit-indexes"><thead><tr><th>Index</th><th class="num">Size</th><th class="num">Rows covered</th><th class="num">Scans in run</th><th class="num">Bloat</th><th>Duplicate / redundant</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>
${writeCost}
${findings}
</div>`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function renderScalar(key: string, value: unknown): string {
  if (typeof value === 'number' && /bytes$/i.test(key)) return `${h(formatBytes(value))} <span class="muted">(${h(formatCount(value))} B)</span>`;
  if (typeof value === 'number') return h(Number.isInteger(value) ? formatCount(value) : String(Math.round(value * 1000) / 1000));
  if (typeof value === 'boolean') return value ? '<span class="yes">yes</span>' : 'no';
  if (value === null || value === undefined) return '–';
  return h(value);
}

function renderGeneric(value: unknown, depth: number): string {
  if (depth > 4) return `<code>${h(JSON.stringify(value))}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="muted">none</span>';
    if (value.every(isPlainObject)) {
      const columns = [...new Set(value.flatMap((row) => Object.keys(row)))];
      const rows = value.map((row) => `<tr>${columns.map((c) => `<td>${isPlainObject(row[c]) || Array.isArray(row[c]) ? renderInline(row[c]) : renderScalar(c, row[c])}</td>`).join('')}</tr>`);
      return `<div class="table-scroll"><table class="generic"><thead><tr>${columns.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
    }
    return value.map((item) => (isPlainObject(item) || Array.isArray(item) ? renderGeneric(item, depth + 1) : `<code>${h(item)}</code>`)).join(' ');
  }
  if (isPlainObject(value)) {
    const items = Object.entries(value).filter(([key]) => !(depth === 0 && key === 'scale'));
    return `<dl class="generic">${items.map(([key, v]) => `<dt>${h(key)}</dt><dd>${isPlainObject(v) || Array.isArray(v) ? renderGeneric(v, depth + 1) : renderScalar(key, v)}</dd>`).join('')}</dl>`;
  }
  return renderScalar('', value);
}

function renderInline(value: unknown): string {
  if (Array.isArray(value) && value.every((v) => !isPlainObject(v) && !Array.isArray(v))) return value.map((v) => `<code>${h(v)}</code>`).join(' ');
  if (isPlainObject(value) && Object.values(value).every((v) => !isPlainObject(v) && !Array.isArray(v))) {
    return Object.entries(value).map(([k, v]) => `${h(k)}: ${renderScalar(k, v)}`).join('<br>');
  }
  return `<code>${h(JSON.stringify(value))}</code>`;
}
