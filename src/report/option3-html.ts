// The Option 3 report as one self-contained HTML page: the chart rendered to SVG, then the Markdown tables'
// content as HTML tables (the same figures: both come from the results document).
import type { Option3Results } from '../clickhouse/results.ts';
import { buildOption3Chart } from './option3-charts.ts';
import { renderOption3Markdown } from './option3-markdown.ts';
import { renderChartSvg } from './render.ts';
import { escapeHtml } from './html.ts';

/** Markdown tables and lines -> minimal HTML (only what renderOption3Markdown writes: headings, lists, tables). */
function markdownToHtml(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const inline = (t: string) => escapeHtml(t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
    if (line.startsWith('|')) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
        if (/^\|[-|]+\|$/.test(lines[i]!)) continue;
        rows.push(lines[i]!.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|')));
      }
      i--;
      const [head, ...body] = rows;
      out.push(`<table><thead><tr>${head!.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`);
    } else if (line.startsWith('## ')) out.push(`<h2>${inline(line.slice(3))}</h2>`);
    else if (line.startsWith('# ')) out.push(`<h1>${inline(line.slice(2))}</h1>`);
    else if (line.startsWith('- ')) out.push(`<p class="item">${inline(line.slice(2))}</p>`);
    else if (line.trim() !== '') out.push(`<p>${inline(line)}</p>`);
  }
  return out.join('\n');
}

export async function renderOption3Html(results: Option3Results): Promise<string> {
  const svg = results.scales.some((s) => s.scenarios.length > 0) ? await renderChartSvg(buildOption3Chart(results)) : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>execbench: Option 3 (ClickHouse)</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;font-size:12px}th{background:#f4f4f4}.item{margin:.3em 0 .3em 1em}</style>
</head><body>
<section id="option3">
${markdownToHtml(renderOption3Markdown(results)).replace('</h1>', `</h1>\n<figure>${svg}</figure>`)}
</section>
</body></html>
`;
}
