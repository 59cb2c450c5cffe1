// `execbench report <results.json> [--out <dir>]`: rebuilds every report from a saved results document.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, UsageError } from '../errors.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults } from '../results.ts';
import { checkReportTargets, writeReports, type WriteReportsOptions } from '../report/write-reports.ts';
import { checkReadableFile } from '../paths.ts';
import { upgradeFromV1 } from '../gate/results-file.ts';

/** Reads and checks a results document; throws a one-line UsageError naming the file and the fix. */
export async function readResultsFile(resultsPath: string): Promise<RunResults> {
  let text: string;
  try {
    text = await readFile(resultsPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UsageError(`Cannot read results file '${resultsPath}' (${why}). Pass the results.json a run wrote, e.g. reports/<run-id>/results.json.`, { cause: error });
  }
  if (text.trim() === '') throw new UsageError(`Results file '${resultsPath}' is empty. Pass the results.json a run wrote, e.g. reports/<run-id>/results.json.`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Results file '${resultsPath}' is not valid JSON (${(error as Error).message}). Re-run execbench to produce it again.`, { cause: error });
  }
  // A schema-1 document (before the two clocks) is read as the current schema, as the gate reads it.
  if (typeof data === 'object' && data !== null && (data as { schemaVersion?: unknown }).schemaVersion === 1 && Array.isArray((data as { scenarios?: unknown }).scenarios)) {
    upgradeFromV1(data as RunResults);
  }
  const version = typeof data === 'object' && data !== null ? (data as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (typeof version === 'number' && version > RESULTS_SCHEMA_VERSION) {
    throw new UsageError(`Results file '${resultsPath}' is a results document of schema ${version}, from a newer execbench; this one reads ${RESULTS_SCHEMA_VERSION}: rebuild its reports with that execbench.`);
  }
  const problem = describeShapeProblem(data);
  if (problem) throw new UsageError(`Results file '${resultsPath}' is not an execbench results document: ${problem}.`);
  return data as RunResults;
}

function describeShapeProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return `expected a JSON object, found ${Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data}`;
  const doc = data as Record<string, unknown>;
  if (doc.schemaVersion === undefined) return 'it has no schemaVersion';
  if (doc.schemaVersion !== RESULTS_SCHEMA_VERSION) return `expected schemaVersion ${RESULTS_SCHEMA_VERSION}, found ${JSON.stringify(doc.schemaVersion)}`;
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
