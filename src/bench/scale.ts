// `npm run bench:scale`: the spec's "Scaling Beyond 1M" advice, measured. Today one mode: `refresh [scales]`, the
// daily-stats materialized view's REFRESH at each scale (plain, and CONCURRENTLY with the document's index and with the
// smallest fix), with a dashboard read sent while each runs; saved stamped to reports/bench-scale/refresh.json.
// `figures` writes docs/scale-measured.md from what is saved. The suite on a partitioned layout, retention by
// partition and the cold cache are not built yet (see the issue's note).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../commands/run.ts';
import { resolveProviderOptions } from '../config.ts';
import { withDatabase } from '../db/with-database.ts';
import { EXIT } from '../errors.ts';
import { createParamPicker, loadParamPools } from '../runner/params.ts';
import { connectToDataset } from '../runner/session.ts';
import { describeRetention, measureRetention, type RetentionFacts } from '../runner/retention-compare.ts';
import { loadVariants } from '../whatif/variants.ts';
import { describeViewRefresh, measureViewRefresh, type ViewRefreshFacts } from '../runner/view-refresh.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { benchRequest, exitOnHelp, runScript } from './common.ts';
import { loadFigure, saveFigure, stampLine } from './load-figures.ts';
import { cacheMode, renderCacheFigures, writeCachePage } from './scale-cache.ts';

const DIR = path.join(PROJECT_ROOT, 'reports', 'bench-scale');
const PAGE = path.join(PROJECT_ROOT, 'docs', 'scale-measured.md');
const log = (line: string) => process.stderr.write(`${line}\n`);

exitOnHelp(`
npm run bench:scale -- refresh [scales]
npm run bench:scale -- retention [scales]
npm run bench:scale -- cache [scales]
npm run bench:scale -- figures

refresh   the daily-stats materialized view's REFRESH at each scale (default 100k,1m; 5m and 10m seed first, about
          2 and 5 minutes): its time, the lock it holds and what a dashboard read sent meanwhile waits; then
          REFRESH ... CONCURRENTLY with the document's index (it needs a unique one) and with the smallest fix.
          Every refresh runs in a transaction that is rolled back: the view is left as it was.
retention one month removed by the corrected batched DELETE on an unpartitioned copy and by DETACH + DROP of its
          partition on a partitioned copy (default 1m): time, WAL, the lock on executions, dead tuples and heap left, and
          an INSERT's latency while each runs; DETACH ... CONCURRENTLY with and without the DEFAULT partition. Both copies
          are scratch schemas execbench creates and drops (about twice the dataset's disk while it runs).
cache     the spec's "smaller index = better cache hit rate": each partial index against full counterparts, from a cold
          start (shared buffers and the OS page cache emptied of the table and the index; no root, no restart) and warm,
          on the embedded server restarted with shared_buffers 16MB (default 100k,1m: about a minute once seeded). Every
          index variant lives in a transaction that is rolled back. How and why: docs/cache.md.
figures   write docs/scale-measured.md from the results saved under reports/bench-scale/

Example: npm run bench:scale -- refresh 100k,1m,5m
`);

interface RefreshResult { scales: { scale: string; facts: ViewRefreshFacts; words: string[] }[] }

async function refresh(scales: string[]): Promise<number> {
  const specs = scales.map(parseScale);
  const read = (await loadScenarios()).find((s) => s.id === 'daily-stats-view')!.definition.documented;
  const out: RefreshResult = { scales: [] };
  let postgres: string | undefined;
  await withDatabase(resolveProviderOptions({}, process.env, log), async (db) => {
    postgres = db.serverVersion;
    for (const scale of specs) {
      const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
      const client = await connectToDataset(db.connectionString, dataset.schema);
      let params: unknown[];
      try {
        params = read.params(createParamPicker(await loadParamPools(client, dataset), 0));
      } finally {
        await client.end();
      }
      const facts = await measureViewRefresh(db.connectionString, dataset.schema, read.sql, params);
      const words = describeViewRefresh(facts);
      out.scales.push({ scale: scale.label, facts, words });
      process.stdout.write(`${scale.label}:\n${words.map((w) => `  ${w}`).join('\n')}\n`);
    }
  });
  process.stdout.write(`Saved: ${saveFigure('refresh', out, postgres, DIR)}\n`);
  return EXIT.ok;
}

interface RetentionResult { scales: { scale: string; facts: RetentionFacts; words: string[] }[] }

async function retention(scales: string[]): Promise<number> {
  const specs = scales.map(parseScale);
  const [variant] = loadVariants(['partitioned']);
  const out: RetentionResult = { scales: [] };
  let postgres: string | undefined;
  await withDatabase(resolveProviderOptions({}, process.env, log), async (db) => {
    postgres = db.serverVersion;
    for (const scale of specs) {
      const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
      const facts = await measureRetention(db.connectionString, dataset, variant!, log);
      const words = describeRetention(facts);
      out.scales.push({ scale: scale.label, facts, words });
      process.stdout.write(`${scale.label}:\n${words.map((w) => `  ${w}`).join('\n')}\n`);
    }
  });
  process.stdout.write(`Saved: ${saveFigure('retention', out, postgres, DIR)}\n`);
  return EXIT.ok;
}

/** docs/scale-measured.md from what is saved. */
export function renderScaleFigures(): string {
  const lines = ['# Beyond 1M, measured (`npm run bench:scale`)', '', 'Written by `npm run bench:scale -- figures` from the results saved under reports/bench-scale/; re-run the modes and this command, never edit by hand.', '', '## The daily-stats view\'s refresh (`refresh`)', ''];
  const saved = loadFigure<RefreshResult>('refresh', DIR);
  if (!saved) return `${[...lines, 'Not measured yet.'].join('\n')}\n`;
  lines.push(stampLine(saved.stamp), '');
  const ms = (n: number) => (n < 10 ? n.toFixed(1) : n.toFixed(0));
  lines.push('| scale | view rows | REFRESH ms (lock) | read meanwhile / alone ms | CONCURRENTLY, document\'s index | CONCURRENTLY with a unique key, ms (lock) | read meanwhile / alone ms |', '|---|---|---|---|---|---|---|');
  for (const { scale, facts: f } of saved.result.scales) {
    const fix = 'run' in f.concurrentWithFix ? f.concurrentWithFix.run : undefined;
    lines.push(`| ${scale} | ${f.rows.toLocaleString('en-US')} | ${ms(f.plain.refreshMs)} (${f.plain.lockMode ?? '—'}) | ${ms(f.plain.readDuringMs)} / ${ms(f.plain.readAloneMs)} | ${'error' in f.concurrentWithSpecIndex ? 'fails: needs a unique index' : 'runs'} | ${fix ? `${ms(fix.refreshMs)} (${fix.lockMode ?? '—'})` : `fails: ${'error' in f.concurrentWithFix ? f.concurrentWithFix.error : ''}`} | ${fix ? `${ms(fix.readDuringMs)} / ${ms(fix.readAloneMs)}` : '—'} |`);
  }
  lines.push('', ...saved.result.scales.flatMap((x) => [`${x.scale}:`, ...x.words.map((w) => `- ${w}`)]));
  return `${lines.join('\n')}\n`;
}

await runScript(async () => {
  const [mode, scales] = process.argv.slice(2);
  if (mode === 'figures') {
    writeFileSync(PAGE, `${renderScaleFigures()}\n${renderCacheFigures()}`);
    process.stdout.write(`Wrote ${PAGE} and ${writeCachePage()}\n`);
    return EXIT.ok;
  }
  if (mode === 'refresh') return refresh((scales ?? '100k,1m').split(',').map((x) => x.trim()).filter(Boolean));
  if (mode === 'cache') return cacheMode((scales ?? '100k,1m').split(',').map((x) => x.trim()).filter(Boolean));
  if (mode === 'retention') return retention((scales ?? '1m').split(',').map((x) => x.trim()).filter(Boolean));
  log(`bench:scale: unknown mode '${mode ?? ''}': use refresh, retention or cache [scales], or figures (npm run bench:scale -- --help).`);
  return EXIT.usage;
});
