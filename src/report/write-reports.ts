// Writes every report of a run into one folder, and the Markdown summary to GitHub's job summary when there is one.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResults } from '../results.ts';
import { renderHtmlReport } from './html.ts';
import { renderJunitXml } from './junit.ts';
import { renderMarkdownSummary } from './markdown.ts';
import { renderTrendJson } from './trend.ts';

export interface WriteReportsOptions {
  /** Write results.json too (default true; the report command turns it off when rebuilding in place). */
  writeResults?: boolean;
  /** Environment to read GITHUB_STEP_SUMMARY from (default process.env; tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Writes results.json, index.html, summary.md, junit.xml and trend.json into outDir and returns their absolute
 * paths in that order; appends summary.md to $GITHUB_STEP_SUMMARY when set (that path is not in the list).
 */
export async function writeReports(results: RunResults, outDir: string, options: WriteReportsOptions = {}): Promise<string[]> {
  const dir = path.resolve(outDir);
  await mkdir(dir, { recursive: true });
  // Render everything first, so a rendering bug leaves no half-written folder behind.
  const markdown = renderMarkdownSummary(results);
  const files: [string, string][] = [
    ['index.html', await renderHtmlReport(results)],
    ['summary.md', markdown],
    ['junit.xml', renderJunitXml(results)],
    ['trend.json', renderTrendJson(results)],
  ];
  if (options.writeResults ?? true) files.unshift(['results.json', `${JSON.stringify(results, null, 2)}\n`]);
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    written.push(file);
  }
  const summaryPath = (options.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (summaryPath) await appendFile(summaryPath, `${markdown}\n`);
  return written;
}
