// `execbench seed`: seeds (or reuses) one dataset per requested scale and prints one summary line each, then what is
// left in the server.
import type { ProviderOptions } from '../db/provider.ts';
import { withDatabase } from '../db/with-database.ts';
import { EXIT } from '../errors.ts';
import { ensureDataset, type DatasetTarget } from '../seed/dataset.ts';
import { createProgress, type SeedProgress } from '../seed/progress.ts';
import type { DatasetInfo, DatasetRequest } from '../seed/types.ts';
import { confirmDatasetWrites } from '../seed/write-consent.ts';
import { describeLeftBehind } from './left-behind.ts';

/** Options of `execbench seed`. */
export interface SeedCommandOptions {
  provider: ProviderOptions;
  requests: DatasetRequest[];
  progress?: SeedProgress;
  out?: (line: string) => void;
}

/** Provides the server, seeds or reuses each dataset (after consent where execbench did not start the server); exit code. */
export async function runSeedCommand(options: SeedCommandOptions): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const closing = await withDatabase(options.provider, async (db) => {
    options.provider.log(`execbench: ${db.kind} Postgres ${db.serverVersion}: ${db.reason}`);
    await confirmDatasetWrites(db, options.requests, options.provider);
    await seedDatasets(db, options.requests, options.progress ?? createProgress(), out);
    return describeLeftBehind(db, options.provider);
  });
  for (const line of closing) out(line);
  return EXIT.ok;
}

/** Seeds or reuses each requested dataset in turn; prints a summary line per dataset to `out`. */
export async function seedDatasets(
  db: DatasetTarget,
  requests: DatasetRequest[],
  progress: SeedProgress,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<DatasetInfo[]> {
  const infos: DatasetInfo[] = [];
  for (const request of requests) {
    const info = await ensureDataset(db, request, progress);
    infos.push(info);
    out(formatDatasetSummary(info));
  }
  return infos;
}

/** 'execbench_100k: ready (seeded), 140,000 rows (100,000 focus, 10 tenants), seed 42, index-build after, copy 1.9 s, indexes 1.2 s, ...' */
export function formatDatasetSummary(info: DatasetInfo): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const phases = Object.entries(info.phasesMs).map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(1)} s`).join(', ');
  const optional = Object.entries(info.request.optional).filter(([, on]) => on).map(([part]) => part);
  return `${info.schema}: ${info.reused ? 'reused' : 'seeded'}, ${n(info.counts.totalRows)} rows ` +
    `(${n(info.counts.focusRows)} focus-tenant, ${info.counts.tenants} tenants), seed ${info.request.seed}, ` +
    `index-build ${info.request.indexBuild}${optional.length ? `, optional ${optional.join('+')}` : ''}, ` +
    `fingerprint ${info.fingerprint.slice(0, 12)}${phases ? `; ${info.reused ? 'built in: ' : ''}${phases}` : ''}`;
}
