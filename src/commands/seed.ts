// `execbench seed`: seeds (or reuses) one dataset per requested scale and prints one summary line each.
import { ensureDataset } from '../seed/dataset.ts';
import type { SeedProgress } from '../seed/progress.ts';
import type { DatasetInfo, DatasetRequest } from '../seed/types.ts';

/** Seeds or reuses each requested dataset in turn; prints a summary line per dataset to `out`. */
export async function runSeedCommand(
  db: { connectionString: string },
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
