// `npm run bench:scale -- cache [scales]`: the spec's "smaller index = better cache hit rate = faster queries", judged
// where it can be true: a cache smaller than the data (shared_buffers CACHE_SHARED_BUFFERS), a cold start (the table's
// and the index's pages in neither shared buffers nor the OS page cache) against warm, per index, partial against
// full. The datasets are seeded (or reused) on the server as execbench starts it; the embedded server is then
// restarted with the small shared_buffers for the measurement. Saved stamped to reports/bench-scale/cache.json;
// renderCacheFigures turns that into markdown (scale.ts's `figures`, and docs/cache-measured.md).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { resolveProviderOptions } from '../config.ts';
import { EMBEDDED_MAJOR, startEmbedded } from '../db/embedded.ts';
import type { Database, ProviderOptions } from '../db/provider.ts';
import { serverSettingsFor } from '../db/settings.ts';
import { EXIT_ON_SIGNAL, withDatabase } from '../db/with-database.ts';
import { EXIT } from '../errors.ts';
import type { Finding } from '../results.ts';
import { judgeColdCache, summarizeVariant } from '../runner/cache-judge.ts';
import { measureColdCache, specCacheQueries, type ColdCacheFacts } from '../runner/cold-cache.ts';
import { loadParamPools } from '../runner/params.ts';
import { connectToDataset, prepareDatasetSession } from '../runner/session.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import type { ScaleSpec } from '../seed/types.ts';
import { benchRequest } from './common.ts';
import { loadFigure, saveFigure, stampLine, type SavedFigure } from './load-figures.ts';

/**
 * The measurement's shared_buffers: well under the working set at every named scale (the 100k table alone is 43 MB,
 * 1M's 428 MB), and still room for the catalog and a query's own pages (16 MB = 2048 buffers).
 */
export const CACHE_SHARED_BUFFERS = '16MB';
export const CACHE_DIR = path.join(PROJECT_ROOT, 'reports', 'bench-scale');
export const CACHE_PAGE = path.join(PROJECT_ROOT, 'docs', 'cache-measured.md');
const log = (line: string) => process.stderr.write(`${line}\n`);

/** What `cache` saves. */
export interface CacheResult {
  /** Where it ran: 'embedded restarted with shared_buffers 16MB', or the server as it was. */
  server: string;
  scales: { scale: string; rows: number; facts: ColdCacheFacts; findings: Finding[] }[];
}

/** `cache [scales]`: measures, prints the findings, saves reports/bench-scale/cache.json; returns the exit code. */
export async function cacheMode(scaleLabels: string[], dir: string = CACHE_DIR): Promise<number> {
  const specs = scaleLabels.map(parseScale);
  const options = resolveProviderOptions({}, process.env, log);
  const out: CacheResult = { server: '', scales: [] };
  let postgres: string | undefined;
  // Seeding is faster with the server's usual 2GB shared_buffers; a server execbench did not start is measured as is.
  const measuredAlready = await withDatabase(options, async (db) => {
    for (const scale of specs) await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
    if (db.kind === 'embedded') return false;
    postgres = db.serverVersion;
    out.server = `the ${db.kind} server as it runs (execbench cannot restart it with a smaller shared_buffers)`;
    await measureScales(db, specs, out);
    return true;
  });
  if (!measuredAlready) {
    await withSmallSharedBuffers(options, async (db) => {
      postgres = db.serverVersion;
      out.server = `embedded PostgreSQL ${db.serverVersion}, restarted with shared_buffers ${CACHE_SHARED_BUFFERS}`;
      await measureScales(db, specs, out);
    });
  }
  process.stdout.write(`Saved: ${saveFigure('cache', out, postgres, dir)}\n`);
  return EXIT.ok;
}

async function measureScales(db: Database, specs: ScaleSpec[], out: CacheResult): Promise<void> {
  const queries = specCacheQueries(await loadScenarios());
  for (const scale of specs) {
    const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
    const client = await connectToDataset(db.connectionString, dataset.schema);
    try {
      await prepareDatasetSession(client, dataset.schema);
      const pools = await loadParamPools(client, dataset);
      const facts = await measureColdCache(client, pools, queries, {
        ...(db.kind === 'embedded' && db.dataDir ? { dataDir: db.dataDir } : {}),
        mayCreateExtension: db.kind !== 'url',
        log,
      });
      const findings = judgeColdCache(facts, scale.label);
      out.scales.push({ scale: scale.label, rows: dataset.counts.totalRows, facts, findings });
      process.stdout.write(`${scale.label}:\n${findings.map((f) => `  [${f.severity}] ${f.title}`).join('\n')}\n`);
    } finally {
      await client.end();
    }
  }
}

/**
 * The embedded server of `options`' cache folder, started with shared_buffers CACHE_SHARED_BUFFERS for fn and stopped
 * after it, also on SIGINT/SIGTERM (withDatabase cannot pass server settings).
 */
async function withSmallSharedBuffers(options: ProviderOptions, fn: (db: Database) => Promise<void>): Promise<void> {
  const major = options.pgMajor ?? EMBEDDED_MAJOR;
  const db = await startEmbedded({
    cacheDir: options.cacheDir, port: options.port, major, log,
    settings: { ...serverSettingsFor(), shared_buffers: CACHE_SHARED_BUFFERS },
    reason: `the embedded Postgres ${major} restarted with shared_buffers ${CACHE_SHARED_BUFFERS} (data in ${options.cacheDir}).`,
  });
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    log(`bench:scale: ${signal} received: stopping the embedded server started with shared_buffers ${CACHE_SHARED_BUFFERS}...`);
    void db.stop().finally(() => process.exit(EXIT_ON_SIGNAL[signal]));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    await fn(db);
  } finally {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
    await db.stop();
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x < 1 ? x.toFixed(2) : x < 10 ? x.toFixed(1) : x.toFixed(0));
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/**
 * The `cache` section (a `##` heading and below) from what is saved: a table per scale of every index measured, then
 * the findings. `read` is loadFigure by default; tests hand it a saved document.
 */
export function renderCacheFigures(read: <T>(mode: string) => SavedFigure<T> | undefined = (mode) => loadFigure(mode, CACHE_DIR)): string {
  const lines = ['## A cache smaller than the data (`cache`)', ''];
  const saved = read<CacheResult>('cache');
  if (!saved) return `${[...lines, 'Not measured yet: `npm run bench:scale -- cache`.'].join('\n')}\n`;
  const r = saved.result;
  lines.push(stampLine(saved.stamp), '', `Server: ${r.server}. How cold is made, and what it needs: [cache.md](cache.md).`, '');
  for (const s of r.scales) {
    const f = s.facts;
    lines.push(`### ${s.scale} (${s.rows.toLocaleString('en-US')} rows; table ${mb(f.heapBytes)}, shared_buffers ${f.sharedBuffers})`, '');
    lines.push('| query | index | size | cold: blocks read (index + table) | cold ms (waiting for reads) | warm: blocks read, ms | every key twice from cold: blocks read, hit rate (index\'s own) |', '|---|---|---|---|---|---|---|');
    for (const c of f.comparisons) {
      for (const v of c.variants.map(summarizeVariant)) {
        const cold = v.cold ? `${v.cold.read} (${v.cold.indexRead} + ${v.cold.heapRead})` : '—';
        const coldMs = v.cold ? `${ms(v.cold.ms)} (${ms(v.cold.readIoMs)})` : '—';
        const warm = v.warm ? `${v.warm.maxRead}, ${ms(v.warm.ms)}` : '—';
        const stream = v.stream ? `${v.stream.read}, ${pct(v.stream.hitRatio)} (${pct(v.stream.indexHitRatio)})` : '—';
        lines.push(`| ${c.scenarioId} | ${v.label}: \`${v.name}\`${v.usedIndex ? '' : ' (not used by the plan)'}${v.error ? ` (${v.error})` : ''} | ${mb(v.indexBytes)} | ${cold} | ${coldMs} | ${warm} | ${stream} |`);
      }
    }
    lines.push('', 'Cold and warm figures are medians of the samples; blocks are 8 kB. Findings:', '');
    for (const finding of s.findings) {
      lines.push(`- **${finding.severity}**: ${finding.title}. ${finding.detail}${finding.fix ? ` Fix: ${finding.fix}` : ''}`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** docs/cache-measured.md: the section under its own title; returns the file written. */
export function writeCachePage(page: string = CACHE_PAGE, read?: <T>(mode: string) => SavedFigure<T> | undefined): string {
  writeFileSync(page, renderCachePage(read));
  return page;
}

/** docs/cache-measured.md: the cache section under a page title of its own. */
export function renderCachePage(read?: <T>(mode: string) => SavedFigure<T> | undefined): string {
  const section = renderCacheFigures(read).replace(/^## A cache smaller than the data \(`cache`\)\n/, '');
  return `# A cache smaller than the data, measured (\`npm run bench:scale -- cache\`)\n\nWritten from reports/bench-scale/cache.json (kept in docs/data/scale-measured/) by \`renderCacheFigures\` (src/bench/scale-cache.ts); re-run the mode, never edit by hand.\n${section}`;
}
