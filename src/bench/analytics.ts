// npm run bench:analytics [-- 100k,1m]: the spec's Option 3 on every ClickHouse engine reachable here (embedded
// chdb when installed; the two-shard 18.16 cluster when .ci/clickhouse-cluster can start it), side by side with
// PostgreSQL live and its materialized view, at each scale. Writes reports/option3-bench/, keeps the results document
// (stamped) in docs/data/clickhouse-measured/ and renders docs/clickhouse-measured.md from that copy only, so a test
// can re-render the page from what is committed. Stops the cluster when it started it.
import path from 'node:path';
import { resolveProviderOptions } from '../config.ts';
import { PROJECT_ROOT } from '../commands/run.ts';
import { runClickHouseCommand } from '../commands/run-clickhouse.ts';
import { startLocalCluster, stopLocalCluster } from '../clickhouse/cluster.ts';
import { chdbUnavailableReason } from '../clickhouse/embedded.ts';
import { installChdb } from '../clickhouse/install-chdb.ts';
import { parseScale } from '../seed/scale.ts';
import { exitOnHelp, runScript } from './common.ts';
import { CLICKHOUSE_FIGURES_INPUTS, writeClickHouseFigures } from './analytics-figures.ts';
import { saveFigure } from './load-figures.ts';

const USAGE = `
npm run bench:analytics [-- <scales>]

The spec's Option 3 ("ClickHouse: 100x faster aggregations"): the analytics scenarios on a ClickHouse copy of each
dataset's rows, answers checked against PostgreSQL's, timed beside PostgreSQL live and the materialized view.
Engines: embedded chdb (installed on demand, once, by npm run chdb:install; this bench runs it when chdb is absent) and the two-shard cluster
(.ci/clickhouse-cluster, Debian's clickhouse-server 18.16; started and stopped here when needed).
PostgreSQL: DATABASE_URL when set, else the server execbench starts.

  <scales>   comma-separated, default 100k,1m (5m and 10m also work where those datasets exist)
  figures    only re-render docs/clickhouse-measured.md from docs/data/clickhouse-measured/option3.json

Example: DATABASE_URL=postgres://... npm run bench:analytics -- 100k
`;

exitOnHelp(USAGE);

await runScript(async () => {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (process.argv[2] === 'figures') {
    log(`bench:analytics: wrote ${path.relative(PROJECT_ROOT, writeClickHouseFigures())}`);
    return 0;
  }
  const scales = (process.argv[2] ?? '100k,1m').split(',').map((s) => parseScale(s));
  const provider = resolveProviderOptions({}, process.env, log);
  const skippedEngines: { engine: string; reason: string }[] = [];
  // The bench measures every engine reachable here: the embedded one is installed on demand (once, outside node_modules).
  if (await chdbUnavailableReason()) await installChdb(log);
  const noChdb = await chdbUnavailableReason();
  if (noChdb) skippedEngines.push({ engine: 'embedded (chdb)', reason: noChdb });
  const cluster = await startLocalCluster(PROJECT_ROOT);
  if ('skipped' in cluster) skippedEngines.push({ engine: 'two-shard cluster', reason: `.ci/clickhouse-cluster: ${cluster.skipped}` });
  for (const s of skippedEngines) log(`bench:analytics: not run: ${s.engine}: ${s.reason}`);
  const servers = 'urls' in cluster ? [cluster.urls] : [];
  if (noChdb && servers.length === 0) {
    log('bench:analytics: no ClickHouse engine is reachable here (see the two lines above); nothing to measure.');
    return 2;
  }
  try {
    const outDir = path.join(PROJECT_ROOT, 'reports', 'option3-bench');
    const { exitCode, results } = await runClickHouseCommand(
      { scales, targets: { embedded: !noChdb, servers }, budgetMs: 3000, seed: 20261124, fresh: false, json: false, outDir, provider },
      { skippedEngines },
    );
    saveFigure('option3', results, results.postgres.version, CLICKHOUSE_FIGURES_INPUTS);
    const page = writeClickHouseFigures();
    log(`bench:analytics: wrote ${path.relative(PROJECT_ROOT, page)} (its input: docs/data/clickhouse-measured/option3.json) and ${path.relative(PROJECT_ROOT, outDir)}/`);
    return exitCode;
  } finally {
    if ('urls' in cluster && cluster.startedHere) await stopLocalCluster(PROJECT_ROOT).catch((e: Error) => log(`bench:analytics: could not stop the cluster: ${e.message}`));
  }
});
