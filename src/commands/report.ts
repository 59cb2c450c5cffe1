// `execbench report <results.json> [--out <dir>]`: rebuilds every report from a saved results document.
import path from 'node:path';
import { EXIT, UsageError } from '../errors.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults } from '../results.ts';
import { checkReportTargets, writeReports, type WriteReportsOptions } from '../report/write-reports.ts';
import { checkReadableFile } from '../paths.ts';
import { readResultsText } from '../gate/results-file.ts';

/** Reads and checks a results document; throws a one-line UsageError naming the file and the fix. */
export async function readResultsFile(resultsPath: string): Promise<RunResults> {
  const read = await readResultsText(resultsPath);
  if ('problem' in read) {
    const p = read.problem;
    const notOurs = (problem: string) => new UsageError(`Results file '${resultsPath}' is not an execbench results document: ${problem}.`);
    switch (p.kind) {
      case 'unreadable': {
        const why = p.error.code === 'ENOENT' ? 'no such file' : p.error.code === 'EISDIR' ? 'it is a directory' : p.error.message;
        throw new UsageError(`Cannot read results file '${resultsPath}' (${why}). Pass the results.json a run wrote, e.g. reports/<run-id>/results.json.`, { cause: p.error });
      }
      case 'empty':
        throw new UsageError(`Results file '${resultsPath}' is empty. Pass the results.json a run wrote, e.g. reports/<run-id>/results.json.`);
      case 'not-json':
        throw new UsageError(`Results file '${resultsPath}' is not valid JSON (${p.error.message}). Re-run execbench to produce it again.`, { cause: p.error });
      case 'not-object':
        throw notOurs(`expected a JSON object, found ${Array.isArray(p.value) ? 'an array' : p.value === null ? 'null' : typeof p.value}`);
      case 'no-version':
        throw notOurs('it has no schemaVersion');
      case 'newer':
        throw new UsageError(`Results file '${resultsPath}' is a results document of schema ${p.version}, from a newer execbench; this one reads ${RESULTS_SCHEMA_VERSION}: rebuild its reports with that execbench.`);
      case 'other-version':
        throw notOurs(`expected schemaVersion ${RESULTS_SCHEMA_VERSION}, found ${JSON.stringify(p.version)}`);
    }
  }
  const problem = describeShapeProblem(read.doc);
  if (problem) throw new UsageError(`Results file '${resultsPath}' is not an execbench results document: ${problem}.`);
  return read.doc as unknown as RunResults;
}

/** The fields the reports read, checked for type (the file-level checks are readResultsText's). */
function describeShapeProblem(doc: Record<string, unknown>): string | undefined {
  for (const key of ['scenarios', 'findings', 'headline', 'datasets'] as const) {
    if (!Array.isArray(doc[key])) return `expected ${key} to be an array, found ${doc[key] === undefined ? 'nothing' : typeof doc[key]}`;
  }
  for (const key of ['runId', 'startedAt', 'finishedAt'] as const) {
    if (typeof doc[key] !== 'string') return `expected ${key} to be a string, found ${doc[key] === undefined ? 'nothing' : typeof doc[key]}`;
  }
  if (typeof doc.environment !== 'object' || doc.environment === null) return 'expected an environment object, found nothing';
  if (typeof doc.options !== 'object' || doc.options === null) return 'expected an options object, found nothing';
  const bad = (doc.scenarios as unknown[]).findIndex((s) => typeof s !== 'object' || s === null || typeof (s as { scenarioId?: unknown }).scenarioId !== 'string' || typeof (s as { outcome?: unknown }).outcome !== 'object');
  if (bad !== -1) return `scenarios[${bad}] has no scenarioId or outcome`;
  return undefined;
}

export interface ReportCommandOptions extends Pick<WriteReportsOptions, 'env'> {
  /** Where the list of written files goes (default stdout). */
  log?: (line: string) => void;
}

/**
 * Rebuilds index.html, summary.md, junit.xml and trend.json from a saved results.json, into its own folder by
 * default. Returns the exit code (0); bad input throws a UsageError (exit 3) before anything is written.
 */
export async function runReportCommand(resultsPath: string, outDir?: string, options: ReportCommandOptions = {}): Promise<number> {
  await checkReadableFile(resultsPath, { label: 'Results file', fix: 'Pass the results.json a run wrote, e.g. reports/<run-id>/results.json.' });
  const results = await readResultsFile(resultsPath);
  await checkReportTargets(outDir ?? path.dirname(resultsPath), {
    label: outDir !== undefined ? '--out' : 'The results file\'s folder',
    fix: 'Give --out a writable folder for the reports (created if missing).',
    ...(options.env ? { env: options.env } : {}),
  });
  const target = path.resolve(outDir ?? path.dirname(resultsPath));
  // Rebuilding in place must not rewrite the input; into another folder, copy it so the folder is complete.
  const inPlace = path.join(target, 'results.json') === path.resolve(resultsPath);
  const written = await writeReports(results, target, { writeResults: !inPlace, ...(options.env ? { env: options.env } : {}) });
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  log(`Reports: ${written.map((file) => path.relative(process.cwd(), file) || file).join(', ')}`);
  return EXIT.ok;
}
