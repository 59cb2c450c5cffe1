// npm run bench:seed — is the generator the bottleneck? Seeds 1M focus-tenant rows (1.4M in all) and
// compares the seeder's COPY throughput with the ceiling: the same bytes replayed from a file through
// the same COPY path into an identical fresh table. Targets: ratio >= 0.90, peak RSS <= 300 MB.
// Usage: tsx src/bench/seed-throughput.ts [scale]   (scale defaults to 1m; provider flags via env:
// DATABASE_URL, EXECBENCH_PROVIDER, ... as for execbench itself). Exit 0 when both targets hold, 1 otherwise.
// The last stdout line is one JSON object with every figure.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { resolveProviderOptions } from '../config.ts';
import { withDatabase } from '../db/with-database.ts';
import { EXIT, ExecbenchError, OwnershipError } from '../errors.ts';
import { copyChunks } from '../seed/copy.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { generateCopyChunks } from '../seed/generate.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { readSchemaPlan, applySchemaFile } from '../seed/schema-files.ts';
import type { DatasetRequest } from '../seed/types.ts';
import { exitOnHelp, runScript } from './common.ts';
import { saveFigure } from './load-figures.ts';
import { SEED_FIGURES_DIR, writeSeedFigures } from './seed-figures.ts';


const RATIO_TARGET = 0.9;
const RSS_TARGET_MB = 300;
const SEED_TIME_TARGET_10M_MS = 6 * 60_000;
const SEEDER_SCHEMA = 'execbench_bench_seeder';
const CEILING_SCHEMA = 'execbench_bench_ceiling';
const SEED = 42;
const MB = 1024 * 1024;

exitOnHelp(`
npm run bench:seed [-- scale]
npm run bench:seed -- figures

The seeder's COPY throughput against its ceiling (the same rows replayed from a pre-written file through the same
COPY path), each phase's time and peak RSS. Targets: ratio >= 0.90, peak RSS <= 300 MB. Last line: one JSON object.
  scale   100k, 1m (default), 5m, 10m or a whole number of focus-tenant rows

Each run saves its result to reports/bench-seed/<scale>.json; figures writes docs/seed-measured.md from them.
At 10m the whole seed must also finish within 6 minutes.

Example: npm run bench:seed -- 100k
Example: npm run bench:seed -- 10m
`);

async function main(): Promise<number> {
  if (process.argv[2] === 'figures') {
    out(`Wrote ${writeSeedFigures()} from ${SEED_FIGURES_DIR}`);
    return EXIT.ok;
  }
  const scale = parseScale(process.argv[2] ?? '1m');
  const options = resolveProviderOptions({}, process.env);
  return withDatabase(options, async (db) => {
    log(`bench:seed: ${db.reason} Postgres ${db.serverVersion}.`);
    const request: DatasetRequest = {
      scale, seed: SEED, indexBuild: 'after', optional: { coveringIndex: false, dailyStats: false }, fresh: true,
    };

    // 1. The seeder, end to end (its own schema: the user's execbench_<scale> cache is left alone).
    const rss = sampleRss();
    const seeded = await ensureDataset(db, request, createProgress('bench:seed'), { schemaName: SEEDER_SCHEMA });
    const peakRssMb = Math.max(rss.stop(), process.resourceUsage().maxRSS / 1024);

    // 2. The same bytes to a file (the generator alone, for reference), then 3. replayed through the same COPY path.
    const dir = mkdtempSync(join(tmpdir(), 'execbench-bench-seed-'));
    const file = join(dir, 'executions.copy');
    try {
      const g0 = performance.now();
      await pipeline(Readable.from(generateCopyChunks({ scale, seed: SEED }).chunks), createWriteStream(file));
      const generateMs = performance.now() - g0;
      const bytes = statSync(file).size;
      const ceiling = await replayCeiling(db.connectionString, file);
      if (ceiling.rows !== seeded.counts.totalRows) {
        throw new ExecbenchError(`The ceiling run loaded ${ceiling.rows} rows, the seeder ${seeded.counts.totalRows}: they must load the same rows.`);
      }

      const rows = seeded.counts.totalRows;
      const seederCopyMs = seeded.phasesMs.copy ?? Number.NaN;
      const perSec = (ms: number) => ({ rowsPerSec: Math.round(rows / (ms / 1000)), mbPerSec: round1(bytes / MB / (ms / 1000)) });
      const seeder = { copyMs: Math.round(seederCopyMs), ...perSec(seederCopyMs) };
      const ceilingFigures = { copyMs: Math.round(ceiling.durationMs), ...perSec(ceiling.durationMs) };
      const ratio = round3(ceiling.durationMs / seederCopyMs);
      const totalSeedMs = Object.values(seeded.phasesMs).reduce((a, b) => a + b, 0);

      const table = [
        ['', 'seeder (generate + COPY)', 'ceiling (file -> COPY)'],
        ['rows', rows.toLocaleString('en-US'), rows.toLocaleString('en-US')],
        ['COPY time', `${(seeder.copyMs / 1000).toFixed(1)} s`, `${(ceilingFigures.copyMs / 1000).toFixed(1)} s`],
        ['rows/s', seeder.rowsPerSec.toLocaleString('en-US'), ceilingFigures.rowsPerSec.toLocaleString('en-US')],
        ['MB/s', String(seeder.mbPerSec), String(ceilingFigures.mbPerSec)],
      ];
      const widths = [0, 1, 2].map((c) => Math.max(...table.map((r) => r[c]!.length)));
      for (const r of table) out(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
      out(`ratio seeder/ceiling: ${ratio.toFixed(3)} (target >= ${RATIO_TARGET}) ${ratio >= RATIO_TARGET ? 'PASS' : 'FAIL'}`);
      out(`peak RSS: ${Math.round(peakRssMb)} MB (target <= ${RSS_TARGET_MB} MB) ${peakRssMb <= RSS_TARGET_MB ? 'PASS' : 'FAIL'}`);
      out(`phases: ${Object.entries(seeded.phasesMs).map(([p, ms]) => `${p} ${(ms / 1000).toFixed(1)} s`).join(', ')}; total ${(totalSeedMs / 1000).toFixed(1)} s`);
      out(`generator alone (to a file): ${Math.round(rows / (generateMs / 1000)).toLocaleString('en-US')} rows/s, ${round1(bytes / MB / (generateMs / 1000))} MB/s`);

      // 10M focus rows (14M in all) seeded, indexed and analyzed within 6 minutes (issue: scale): judged at 10m only.
      const timeTargetMs = scale.label === '10m' ? SEED_TIME_TARGET_10M_MS : undefined;
      if (timeTargetMs !== undefined) out(`seeded, indexed and analyzed in ${(totalSeedMs / 1000).toFixed(0)} s (target <= ${timeTargetMs / 1000} s at 10m) ${totalSeedMs <= timeTargetMs ? 'PASS' : 'FAIL'}`);
      const passed = ratio >= RATIO_TARGET && peakRssMb <= RSS_TARGET_MB && (timeTargetMs === undefined || totalSeedMs <= timeTargetMs);
      const document = {
        bench: 'seed-throughput',
        scale: scale.label,
        rows,
        focusRows: seeded.counts.focusRows,
        bytes,
        seeder,
        ceiling: ceilingFigures,
        ratio,
        ratioTarget: RATIO_TARGET,
        phasesMs: seeded.phasesMs,
        totalSeedMs: Math.round(totalSeedMs),
        generatorOnly: { ms: Math.round(generateMs), rowsPerSec: Math.round(rows / (generateMs / 1000)) },
        peakRssMb: Math.round(peakRssMb),
        rssTargetMb: RSS_TARGET_MB,
        provider: db.kind,
        serverVersion: db.serverVersion,
        ...(timeTargetMs !== undefined ? { timeTargetMs } : {}),
        passed,
      };
      out(`saved: ${saveFigure(scale.label, document, db.serverVersion, SEED_FIGURES_DIR)}`);
      out(JSON.stringify(document));
      return passed ? EXIT.ok : EXIT.gate;
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await dropBenchSchemas(db.connectionString);
    }
  });
}

/** Replays the file through copyChunks into a fresh executions table created in the COPY's transaction, like the seeder's. */
async function replayCeiling(connectionString: string, file: string): Promise<{ rows: number; durationMs: number }> {
  const client = new pg.Client({ connectionString, application_name: 'execbench-bench-seed' });
  await client.connect();
  try {
    await client.query("SET TimeZone = 'UTC'");
    await claimSchema(client, CEILING_SCHEMA);
    await client.query(`SET search_path TO ${CEILING_SCHEMA}`);
    await client.query('BEGIN');
    await applySchemaFile(client, readSchemaPlan({ optional: { coveringIndex: false, dailyStats: false } }).table);
    const result = await copyChunks(client, createReadStream(file, { highWaterMark: 256 * 1024 }));
    await client.query('COMMIT');
    return { rows: result.rows, durationMs: result.durationMs };
  } finally {
    await client.end();
  }
}

/** Creates the ceiling schema with a marker; an existing one is dropped only if it carries that marker. */
async function claimSchema(client: pg.Client, schema: string): Promise<void> {
  const found = await client.query<{ exists: boolean; marker: string | null }>(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists, to_regclass($1 || '.execbench_dataset')::text AS marker`, [schema]);
  const row = found.rows[0]!;
  if (row.exists && !row.marker) {
    throw new OwnershipError(`Schema "${schema}" exists without the execbench marker; bench:seed will not drop it. Drop or rename it yourself.`);
  }
  if (row.exists) await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`CREATE TABLE ${schema}.execbench_dataset (generator_version text, status text)`);
  await client.query(`INSERT INTO ${schema}.execbench_dataset VALUES ('bench-ceiling', 'loading')`);
}

async function dropBenchSchemas(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    for (const schema of [SEEDER_SCHEMA, CEILING_SCHEMA]) {
      const marker = await client.query<{ m: string | null }>(`SELECT to_regclass($1 || '.execbench_dataset')::text AS m`, [schema]);
      if (marker.rows[0]?.m) await client.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  } finally {
    await client.end();
  }
}

/** Samples RSS every 50 ms (maxRSS alone would also count the later file-writing step). */
function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 50);
  return { stop: () => { clearInterval(timer); return Math.max(peak, process.memoryUsage.rss()) / MB; } };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const out = (line: string) => process.stdout.write(`${line}\n`);
const log = (line: string) => process.stderr.write(`${line}\n`);

await runScript(main);
