// docs/providers-measured.md: what `npm run bench:providers` writes from what its modes saved
// (reports/bench-providers/<mode>.json, committed in docs/data/providers-measured/): the suite on several embedded
// PostgreSQL majors side by side (what differs between them, each major's run time and what its binaries weigh),
// and the suite on a container (the image, the server it started, the run time, what was left behind).
// Pure apart from writeProvidersFigures.
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { renderMajorComparisonMarkdown, type MajorComparison } from '../report/compare-majors.ts';
import type { RunResults } from '../results.ts';
import { figuresInputsDir, loadFigure, stampLine, type SavedFigure, writeFiguresPage } from './load-figures.ts';

export const PROVIDERS_FIGURES_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-providers');
export const PROVIDERS_FIGURES_INPUTS = figuresInputsDir('providers-measured');
export const PROVIDERS_FIGURES_PAGE = path.join(PROJECT_ROOT, 'docs', 'providers-measured.md');

/** One run's facts, from its results document. */
export interface RunFacts { version: string; provider: string; providerReason: string; totalMs: number; gated: number; failedGated: string[] }

export interface MajorsFigure { args: string[]; exitCode: number; runs: (RunFacts & { major: number; binariesMb: number | null })[]; comparison: MajorComparison }
export interface ContainerFigure { args: string[]; exitCode: number; image: string; run: RunFacts; leftContainers: number | null; leftVolumes: number | null }

/** A run's facts. Pure. */
export function runFacts(results: RunResults): RunFacts {
  const gated = results.scenarios.filter((r) => r.gated);
  return {
    version: results.environment.postgres.version, provider: results.environment.provider.kind, providerReason: results.environment.provider.reason,
    totalMs: results.timings.totalMs ?? Date.parse(results.finishedAt) - Date.parse(results.startedAt), gated: gated.length,
    failedGated: gated.filter((r) => r.outcome.status === 'failed').map((r) => `${r.scenarioId}@${r.scale}/${r.form}`),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const failed = (f: RunFacts) => (f.failedGated.length === 0 ? `all ${f.gated} gated forms passed` : `${f.failedGated.length} of ${f.gated} gated forms failed (${f.failedGated.join(', ')})`);

/** The page from what is saved (pure but for `read`); a mode never run says how to run it. */
export function renderProvidersFigures(read: <T>(mode: string) => SavedFigure<T> | undefined = (mode) => loadFigure(mode, PROVIDERS_FIGURES_INPUTS)): string {
  const out = [
    '# Providers and PostgreSQL majors, measured (`npm run bench:providers`)', '',
    'Written by `npm run bench:providers -- figures` from what `npm run bench:providers -- majors` and `-- container` saved under',
    'reports/bench-providers/ (kept in docs/data/providers-measured/); re-run those, never edit by hand. How providers are chosen: [providers.md](providers.md).', '',
    '## The suite on several embedded majors (`-- majors`)', '',
  ];
  const majors = read<MajorsFigure>('majors');
  if (!majors) out.push('Not measured yet: `npm run bench:providers -- majors`.', '');
  else {
    const m = majors.result;
    out.push(stampLine(majors.stamp), '', `\`execbench run ${m.args.join(' ')}\`: exit ${m.exitCode}.`, '',
      '| major | server | run time | gate | embedded binaries |', '|---|---|---|---|---|',
      ...m.runs.map((r) => `| ${r.major} | ${r.version} (${r.provider}) | ${seconds(r.totalMs)} | ${failed(r)} | ${r.binariesMb === null ? '—' : `${r.binariesMb} MB`} |`), '',
      ...renderMajorComparisonMarkdown(m.comparison).split('\n').slice(2).filter((l) => !/^- Postgres .*: `pg\d+\/`/.test(l)).join('\n').replace(/^\n+/, '').split('\n'));
  }
  out.push('## The suite on a container (`-- container`)', '');
  const container = read<ContainerFigure>('container');
  if (!container) out.push('Not measured yet: `npm run bench:providers -- container <image>` (a Docker engine that can start the image).', '');
  else {
    const c = container.result;
    const left = c.leftContainers === null ? 'not checked (no docker CLI)' : `${c.leftContainers} container(s) and ${c.leftVolumes} volume(s) left behind`;
    out.push(stampLine(container.stamp), '', `\`execbench run ${c.args.join(' ')}\`: the ${c.run.provider} provider (${c.run.providerReason.replace(/\.$/, '')}) ran the suite on PostgreSQL ${c.run.version} from \`${c.image}\` in ${seconds(c.run.totalMs)}, exit ${c.exitCode}; ${failed(c.run)}; ${left}.`, '');
  }
  return `${out.join('\n')}`.replace(/\n*$/, '\n');
}

/** Commits what bench:providers saved, then writes the page from the committed inputs; returns its path. */
export function writeProvidersFigures(): string {
  return writeFiguresPage(PROVIDERS_FIGURES_DIR, PROVIDERS_FIGURES_INPUTS, PROVIDERS_FIGURES_PAGE, () => renderProvidersFigures());
}
