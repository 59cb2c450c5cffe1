// Pure: the what-if report as console tables (the command prints them; --json sends them to stderr).
import type { AblationRow, GenericPlanRow, JudgedLatency, VariantRun, WhatifReport } from '../whatif/types.ts';
import { textTable } from './console.ts';
import { formatBytes } from './format.ts';

const ms = (n: number | null | undefined) => (n === null || n === undefined ? '-' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const pct = (n: number | null | undefined) => (n === null || n === undefined ? '-' : `${(n * 100).toFixed(0)}%`);

/** "0.94 ms" or "0.94 ms [0.90-1.02]" when the judged latency has an interval. */
export function formatJudged(j: JudgedLatency | null): string {
  if (!j) return '-';
  return `${ms(j.estimateMs)}${j.ciLowMs !== undefined && j.ciHighMs !== undefined ? ` [${ms(j.ciLowMs)}-${ms(j.ciHighMs)}]` : ''}`;
}

function shortAccess(access: string): string {
  return access.replace(/idx_executions_/g, '').replace(/Index Scan/g, 'IS').replace(/Index Only Scan/g, 'IOS').replace(/Bitmap (Index|Heap) Scan/g, 'Bitmap');
}

/** Side by side: per scale and scenario form, each variant's verdict, judged latency and access path. */
export function renderVariantComparison(report: WhatifReport): string {
  const out: string[] = [];
  const variants = report.variants.map((v) => v.name);
  for (const scale of [...new Set(report.runs.map((r) => r.scale))]) {
    const runs = variants.map((v) => report.runs.find((r) => r.variant === v && r.scale === scale));
    const keys = [...new Set(runs.flatMap((r) => r?.rows.map((x) => `${x.scenarioId}|${x.form}`) ?? []))];
    const rows = keys.map((key) => {
      const [id, form] = key.split('|') as [string, string];
      return [`${id} (${form === 'documented' ? 'doc' : 'fix'})`, ...runs.flatMap((run) => {
        const row = run?.rows.find((x) => x.scenarioId === id && x.form === form);
        if (!row) return ['-', '-', '-'];
        const verdict = row.status === 'failed' ? (row.usesIndex ? 'FAIL time' : row.reason.includes('syntax') || row.access === '-' ? 'FAIL sql' : 'FAIL plan') : row.status;
        const parts = row.partitions ? `${row.partitions.executed}/${row.partitions.total}p ` : '';
        return [verdict, formatJudged(row.judged), (parts + shortAccess(row.access)).slice(0, 48)];
      })];
    });
    out.push(`What-if at ${scale} (judged latency: client p95 ms, [interval] when judged with one):`);
    out.push(textTable(['scenario (form)', ...variants.flatMap((v) => [`${v}`, 'p95 ms', 'plan'])], rows));
    out.push('');
    out.push(textTable(['variant', 'indexes', 'index size', 'write: all / pk only (ms)', 'ratio'], runs.filter((r): r is VariantRun => !!r).map((r) => [
      r.variant, String(r.indexes.length), formatBytes(r.totalIndexBytes),
      r.writeCost ? `${ms(r.writeCost.allIndexesMedianMs)} / ${ms(r.writeCost.primaryKeyOnlyMedianMs)} (${r.writeCost.rows} rows)` : (r.writeCostError ?? '-'),
      r.writeCost ? `${r.writeCost.ratio.toFixed(2)}x [${r.writeCost.ratioInterval.low.toFixed(2)}-${r.writeCost.ratioInterval.high.toFixed(2)}]` : '-',
    ])));
    out.push('');
  }
  out.push(report.runs.map((r) => `${r.scale}/${r.variant} ${(r.durationMs / 1000).toFixed(1)} s (${Object.entries(r.phasesMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')})`).join('; '));
  for (const f of report.fixes) {
    out.push(`${f.scale}: '${f.variant}' vs '${f.reference}': documented forms fixed (${f.fixed.length}): ${f.fixed.join(', ') || 'none'}; broken: ${f.broken.join(', ') || 'none'}; index storage ${f.indexBytesDelta <= 0 ? '-' : '+'}${formatBytes(Math.abs(f.indexBytesDelta))}; write ratio ${f.writeRatioDelta === null ? '-' : `${f.writeRatioDelta >= 0 ? '+' : ''}${f.writeRatioDelta.toFixed(2)}`}`);
  }
  return out.join('\n');
}

function worst(row: AblationRow): string {
  const e = [...row.affected].sort((a, b) => (b.latencyRatio?.estimate ?? 0) - (a.latencyRatio?.estimate ?? 0))[0];
  if (!e?.latencyRatio) return '-';
  return `${e.scenarioId}: ${e.latencyRatio.estimate.toFixed(1)}x [${e.latencyRatio.ciLow.toFixed(1)}-${e.latencyRatio.ciHigh.toFixed(1)}]`;
}

/** What each index buys (the worst slowdown without it, the plans that change) and what it costs. */
export function renderAblation(report: WhatifReport): string {
  return report.runs.map((run) => {
    const rows = run.ablation.map((a) => [
      a.index.replace('idx_executions_', ''), formatBytes(a.sizeBytes), pct(a.writeShare),
      a.unneeded ? 'no scenario needs it' : `${a.affected.filter((e) => e.planChanged).length}/${a.affected.length}`,
      worst(a),
      a.affected.length ? `${Math.max(...a.affected.map((e) => e.buffersRatio ?? 1)).toFixed(1)}x` : '-',
    ]);
    return `Ablation at ${run.scale} on '${run.variant}' (each index dropped in a rolled-back savepoint):\n` +
      textTable(['index', 'size', 'write share', 'plans changed', 'worst slowdown without it (ratio [95%])', 'buffers x'], rows);
  }).join('\n\n');
}

/** holds | another index (the contract names a different one, still no Seq Scan) | BREAKS | fails both. */
export function genericVerdict(g: GenericPlanRow): string {
  if (g.genericContractHolds) return 'holds';
  if (!g.customContractHolds) return 'fails both';
  return /Seq Scan on executions|^no index$/.test(g.genericAccess) ? 'BREAKS: Seq Scan' : 'another index';
}

export function renderGeneric(report: WhatifReport): string {
  return report.runs.filter((r) => r.generic.length > 0).map((run) => {
    const rows = run.generic.map((g) => [
      `${g.scenarioId} (${g.form === 'documented' ? 'doc' : 'fix'})`, shortAccess(g.customAccess).slice(0, 40), shortAccess(g.genericAccess).slice(0, 40),
      g.error ? `error: ${g.error.slice(0, 40)}` : genericVerdict(g),
      g.latencyRatio ? `${g.latencyRatio.estimate.toFixed(2)}x [${g.latencyRatio.ciLow.toFixed(2)}-${g.latencyRatio.ciHigh.toFixed(2)}]` : '-',
    ]);
    return `Generic plans at ${run.scale} on '${run.variant}' (force_generic_plan vs force_custom_plan, status literals bound):\n` +
      textTable(['scenario (form)', 'custom plan', 'generic plan', 'contract', 'generic/custom'], rows);
  }).join('\n\n');
}

export function renderCrossovers(report: WhatifReport): string {
  const lines: string[] = [];
  for (const run of report.runs) {
    const sizes = [...new Set(run.ladders.flatMap((l) => l.rungs.map((r) => r.tenantRows)))].sort((a, b) => a - b);
    lines.push(`Plan crossovers at ${run.scale} on '${run.variant}' (tenants of ${sizes.map((s) => s.toLocaleString('en-US')).join(', ')} rows):`);
    if (run.crossovers.length === 0) lines.push('  none: every read form keeps its plan across all tenant sizes');
    for (const c of run.crossovers) {
      lines.push(`  ${c.scenarioId} (${c.form}): ${shortAccess(c.fromPlan)} at ${c.fromRows.toLocaleString('en-US')} rows (cost ${c.fromCost.toFixed(0)}, ${ms(c.fromMeasuredMs)} ms) -> ${shortAccess(c.toPlan)} at ${c.toRows.toLocaleString('en-US')} rows (cost ${c.toCost.toFixed(0)}, ${ms(c.toMeasuredMs)} ms)`);
    }
  }
  return lines.join('\n');
}

export function renderGroups(report: WhatifReport): string {
  const lines = [`Findings grouped by cause: ${report.ungroupedFindings} findings -> ${report.groups.length} causes`];
  for (const [i, g] of report.groups.entries()) {
    lines.push(`${i + 1}. [${g.severity}] ${g.cause}`);
    lines.push(`   scenarios (${g.scenarios.length}): ${g.scenarios.join(', ') || '-'}${g.scales.length ? `; scales ${g.scales.join(', ')}` : ''}; ${g.findings} finding(s)`);
    if (g.queryFix) lines.push(`   fix ${g.queryFix.slice(0, 300)}`);
    if (g.indexFix) lines.push(`   or ${g.indexFix.slice(0, 300)}`);
    if (g.needsCorrectedSql) lines.push('   no index set fixes this: the statement is not valid PostgreSQL, use the corrected SQL');
  }
  for (const c of report.covering) lines.push(`Covering index rule (>30%) at ${c.scale} on '${c.variant}': ${c.verdict}. ${c.detail}`);
  return lines.join('\n');
}

/** A table variant's layout: its partitions, then what the layout changes (layoutFindings), one paragraph each. */
export function renderLayout(report: WhatifReport): string {
  const out: string[] = [];
  for (const run of report.runs.filter((r) => r.layout)) {
    const layout = run.layout!;
    const built = layout.reused ? 'reused' : `built in ${(Object.values(layout.buildMs).reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s (${Object.entries(layout.buildMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')})`;
    out.push(`Partitioned layout '${run.variant}' at ${run.scale}: schema ${layout.schema}, ${built}; "3/5p" in the table above: partitions read / partitions`);
    out.push(textTable(['partition', 'from', 'to', 'rows', 'size'], layout.partitions.map((p) => [p.name, p.from ?? 'DEFAULT', p.to ?? '', p.rows.toLocaleString('en-US'), formatBytes(p.bytes)])));
    for (const f of (report.layoutFindings ?? []).filter((x) => x.scale === run.scale && x.id.includes(`:${run.variant}:`))) {
      out.push(`- [${f.severity}] ${f.title}\n  ${f.detail}${f.fix ? `\n  fix: ${f.fix}` : ''}`);
    }
  }
  return out.join('\n');
}
