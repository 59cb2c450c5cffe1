// Writes every report of a run into one folder, and the Markdown summary to GitHub's job summary when there is one.
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkAppendableFile, checkWritableDir, ensureDir, PathError, type PathCheckOptions } from '../paths.ts';
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
  // Render everything first, so a rendering bug leaves no half-written folder behind.
  const markdown = renderMarkdownSummary(results);
  const files: [string, string][] = [
    ['index.html', await renderHtmlReport(results)],
    ['summary.md', markdown],
    ['junit.xml', renderJunitXml(results)],
    ['trend.json', renderTrendJson(results)],
  ];
  if (options.writeResults ?? true) files.unshift(['results.json', `${JSON.stringify(results, null, 2)}\n`]);
  return writeReportFiles(outDir, files, markdown, options.env);
}

/**
 * Writes rendered report files into `outDir` (created if missing) and returns their absolute paths in that order;
 * appends `markdown` to $GITHUB_STEP_SUMMARY when set. Every command's report folder goes through here.
 */
export async function writeReportFiles(outDir: string, files: readonly [string, string][], markdown: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const dir = path.resolve(outDir);
  await ensureDir(dir);
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    written.push(file);
  }
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  return written;
}

/** The files writeReports writes into a report folder. */
export const REPORT_FILES = ['results.json', 'index.html', 'summary.md', 'junit.xml', 'trend.json'] as const;

/**
 * Before any work: the report folder must be writable (or creatable), must not hold a file of a report's name
 * that execbench did not write (it would be overwritten), and $GITHUB_STEP_SUMMARY, when set, must be appendable.
 */
export async function checkReportTargets(outDir: string, options: PathCheckOptions & { env?: NodeJS.ProcessEnv }): Promise<void> {
  const dir = await checkWritableDir(outDir, options);
  for (const name of REPORT_FILES) {
    const file = path.join(dir, name);
    // Only regular files are read: a FIFO of that name would block the read.
    const regular = await stat(file).then((st) => st.isFile(), () => undefined);
    if (regular === undefined) continue;
    const text = regular ? await readFile(file, 'utf8').catch(() => '') : '';
    if (!looksLikeOurs(name, text)) {
      throw new PathError(`${options.label} '${outDir}' holds ${name}, which execbench did not write (it would be overwritten). ${options.fix}`, outDir, options.exitCode !== undefined ? { exitCode: options.exitCode } : {});
    }
  }
  const summaryPath = (options.env ?? process.env).GITHUB_STEP_SUMMARY;
  if (summaryPath) {
    await checkAppendableFile(summaryPath, { label: '$GITHUB_STEP_SUMMARY', fix: 'Point it to a writable file, or unset it.' });
  }
}

/** A report file of ours: every renderer names execbench, except trend.json (an array of {name, unit, value}). */
function looksLikeOurs(name: (typeof REPORT_FILES)[number], text: string): boolean {
  if (name !== 'trend.json') return /execbench/i.test(text);
  try {
    const doc = JSON.parse(text) as unknown;
    return Array.isArray(doc) && doc.every((e) => typeof e === 'object' && e !== null && 'name' in e && 'unit' in e && 'value' in e);
  } catch {
    return false;
  }
}
