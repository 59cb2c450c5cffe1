// `execbench run --pg-major 14,17,18`: the whole suite once per major (each an ordinary single-major run
// into <out>/pg<major>/), then the verdicts side by side and what differs between majors, in the console
// and in <out>/majors.md and majors.json.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmbeddedMajor } from '../db/embedded.ts';
import { EXIT, UsageError } from '../errors.ts';
import { compareMajors, renderMajorComparison, renderMajorComparisonMarkdown } from '../report/compare-majors.ts';
import type { RunResults } from '../results.ts';
import { PROJECT_ROOT, runBenchCommand, type RunOptions } from './run.ts';

/** Exit codes by severity: a harness error outranks a refused baseline, which outranks a failed gate. */
const SEVERITY: number[] = [EXIT.harness, EXIT.baseline, EXIT.usage, EXIT.gate];

/** Runs the suite on each major in turn; returns the most severe exit code of the runs. */
export async function runAcrossMajors(options: RunOptions, majors: EmbeddedMajor[]): Promise<number> {
  if (options.baselinePath) {
    throw new UsageError(`--baseline compares runs of one Postgres major, but --pg-major lists ${majors.join(', ')}: run --pg-major <the baseline's major> --baseline ${options.baselinePath}.`);
  }
  if (options.json) {
    throw new UsageError(`--json prints one results document, but --pg-major lists ${majors.join(', ')}: omit --json and read <out>/pg<major>/results.json and <out>/majors.json.`);
  }
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = path.resolve(options.outDir ?? path.join(PROJECT_ROOT, 'reports', runId));
  const log = options.provider.log;
  const codes: number[] = [];
  const runs: RunResults[] = [];
  for (const major of majors) {
    log(`\nexecbench: --- Postgres ${major} (${majors.indexOf(major) + 1} of ${majors.length}) ---`);
    const dir = path.join(outDir, `pg${major}`);
    codes.push(await runBenchCommand({ ...options, outDir: dir, provider: { ...options.provider, pgMajor: major, image: imageFor(options, major) } }));
    runs.push(JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as RunResults);
  }
  const comparison = compareMajors(runs);
  await writeFile(path.join(outDir, 'majors.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  await writeFile(path.join(outDir, 'majors.md'), renderMajorComparisonMarkdown(comparison));
  const exitCode = SEVERITY.find((c) => codes.includes(c)) ?? EXIT.ok;
  process.stdout.write(`\n${renderMajorComparison(comparison)}\n\nReports: ${path.relative(process.cwd(), outDir) || outDir}/pg{${majors.join(',')}}/, majors.md, majors.json\n` +
    `Gate per major: ${majors.map((m, i) => `Postgres ${m} exit ${codes[i]}`).join(', ')}; overall exit ${exitCode}.\n`);
  return exitCode;
}

/** The image for one major of a list: the default tag follows the major; an explicit image cannot. */
function imageFor(options: RunOptions, major: EmbeddedMajor): string {
  const image = options.provider.image;
  return /^postgres:\d+-alpine$/.test(image) ? `postgres:${major}-alpine` : image;
}
