// Pure: the Option 3 report as Markdown (summary.md, and $GITHUB_STEP_SUMMARY).
import { formatRatio } from '../clickhouse/judge.ts';
import { LAG_INTERVAL_S, LAG_RATES_PER_SECOND, worstLagMs } from '../clickhouse/lag.ts';
import type { Option3Results, ScaleOutcome } from '../clickhouse/results.ts';
import { formatBytes, formatCount, formatDuration, formatMs } from './format.ts';
import { markdownCell } from './markdown.ts';

const STATUS = { passed: 'passed', failed: '**FAILED**', inconclusive: 'inconclusive', errored: '**ERRORED**', skipped: 'skipped' } as const;

/** The copy's worst lag at each rate, for one engine of a scale (batches every LAG_INTERVAL_S). */
export function lagLine(scale: ScaleOutcome, engine: string): string {
  const copy = scale.copies.find((c) => c.engine === engine);
  const batch = scale.batches.find((b) => b.engine === engine);
  if (!copy || !batch || !(copy.rowsPerSecond > 0)) return 'not measured';
  const inputs = { batchMs: batch.medianMs, batchRows: batch.rows, bulkRowsPerSecond: copy.rowsPerSecond };
  return LAG_RATES_PER_SECOND.map((r) => {
    const lag = worstLagMs(r, LAG_INTERVAL_S, inputs);
    return `${r}/s: ${Number.isFinite(lag) ? formatDuration(lag) : 'cannot keep up'}`;
  }).join(', ');
}

export function renderOption3Markdown(results: Option3Results): string {
  const lines: string[] = [];
  const failed = results.scales.flatMap((s) => s.scenarios.flatMap((c) => c.engines.filter((e) => e.status === 'failed' || e.status === 'errored')));
  lines.push('# Option 3: the analytics on ClickHouse', '');
  lines.push(`${failed.length === 0 ? 'No failure' : `${failed.length} failure${failed.length === 1 ? '' : 's'}`}. PostgreSQL ${results.postgres.version} (${results.postgres.where}); engines: ${results.engines.map((e) => e.label).join('; ')}.`);
  for (const s of results.skippedEngines) lines.push(`- not run: ${s.engine}: ${s.reason}`);
  lines.push('', `Machine: ${results.machine.cpus} × ${results.machine.cpuModel}, load ${results.machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}. ${results.machine.note}`, '');
  for (const scale of results.scales) {
    lines.push(`## ${scale.scale} (${formatCount(scale.focusRows)} focus-tenant executions, ${formatCount(scale.totalRows)} rows)`, '');
    lines.push('| engine | rows copied | load | rows/s | merge | storage (compressed / raw) | worst lag, batches every 1 s |', '|---|---|---|---|---|---|---|');
    const pgs = scale.postgresStorage;
    lines.push(`| PostgreSQL ${markdownCell(scale.pgSchema)}.executions | ${formatCount(scale.totalRows)} | (seeded) | | | table ${formatBytes(pgs.tableBytes)} + indexes ${formatBytes(pgs.indexBytes)}${pgs.viewBytes !== null ? ` + view ${formatBytes(pgs.viewBytes)}` : ''} | |`);
    for (const c of scale.copies) {
      lines.push(`| ${markdownCell(c.engine)} | ${formatCount(c.rows)}${c.rowsNotCopied ? ` (+${c.rowsNotCopied} never started, not copied)` : ''}${c.shardRows ? ` (shards ${c.shardRows.map(formatCount).join(' / ')})` : ''} | ${c.reused ? 'reused' : formatDuration(c.loadMs)} | ${c.reused ? '' : formatCount(c.rowsPerSecond)} | ${c.reused ? '' : formatDuration(c.mergeMs)} | ${formatBytes(c.storageBytes)} / ${formatBytes(c.uncompressedBytes)} | ${markdownCell(lagLine(scale, c.engine))} |`);
    }
    lines.push('', '| scenario | engine | status | answer check | median ms (client) | ClickHouse elapsed median | p95 verdict | vs PostgreSQL live | vs the view |', '|---|---|---|---|---|---|---|---|---|');
    for (const s of scale.scenarios) {
      lines.push(`| ${s.id} | PostgreSQL live | | (reference) | ${formatMs(s.postgres?.client.p50Ms)} | | | | |`);
      if (s.view) lines.push(`| ${s.id} | PostgreSQL view | | | ${formatMs(s.view.client.p50Ms)} | | | | |`);
      for (const e of s.engines) {
        const check = e.check ? `${e.check.status}: ${e.check.compared}${e.check.mismatches.length ? ` — ${e.check.mismatches.join('; ')}` : ''}` : (e.reason ?? '');
        lines.push(`| ${s.id} | ${markdownCell(e.engine)} | ${STATUS[e.status]} | ${markdownCell(check)} | ${formatMs(e.client?.p50Ms)} | ${formatMs(e.server?.p50Ms)} | ${markdownCell(e.verdict ? `${e.verdict.status}: ${e.verdict.reason}` : '')} | ${e.vsPostgres ? formatRatio(e.vsPostgres) : ''} | ${e.vsView ? formatRatio(e.vsView) : ''} |`);
      }
    }
    lines.push('');
  }
  lines.push('## Findings', '');
  if (results.findings.length === 0) lines.push('None judged: the "100x faster aggregations" claim is judged from 1M focus-tenant executions up.');
  for (const f of results.findings) lines.push(`- **${f.status}** (${f.scale}, ${f.engine}): ${f.claim}: ${f.measured}. ${f.detail}`);
  lines.push('', 'Ratios: PostgreSQL median over ClickHouse median on the client clock, from interleaved rounds, 95% moving-block bootstrap interval. A ratio under 1: PostgreSQL was faster.', '');
  return lines.join('\n');
}
