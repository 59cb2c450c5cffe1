// `npm run chdb:install`: the embedded ClickHouse engine on demand. chdb's native library is 566 MB, more than the rest
// of node_modules together, so it is not a dependency (docs/clickhouse.md has the measurements); this puts the pinned
// release in a folder of its own outside node_modules (chdbDir(): ~/.cache/execbench/chdb-<version>, or
// EXECBENCH_CHDB_DIR), where `npm ci` leaves it, and prints what it cost.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../commands/run.ts';
import { saveFigure } from '../bench/load-figures.ts';
import { chdbDir, CHDB_VERSION, chdbUnavailableReason } from './embedded.ts';

/** Where an install's cost is saved (reports/chdb-install/chdb-install.json). */
export const CHDB_INSTALL_DIR = path.join(PROJECT_ROOT, 'reports', 'chdb-install');

/** What one install cost: seconds, and the folder's size beside the project's node_modules without its .cache (MB; null where du failed). */
export interface ChdbInstall { version: string; seconds: number; mb: number | null; nodeModulesMb: number | null }

/** Installs chdb into chdbDir() unless it loads already; returns the exit code. */
export async function installChdb(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<number> {
  if ((await chdbUnavailableReason()) === undefined) {
    log(`chdb ${CHDB_VERSION} is already installed (${chdbDir()}).`);
    return 0;
  }
  const dir = chdbDir();
  mkdirSync(dir, { recursive: true });
  // A package.json of its own, so npm installs here and not into the nearest project above.
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'execbench-chdb', private: true }, null, 2));
  log(`Installing chdb ${CHDB_VERSION} (about 545 MB) into ${dir} ...`);
  const t0 = performance.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--prefix', dir, `chdb@${CHDB_VERSION}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    log(`chdb:install: npm install chdb@${CHDB_VERSION} failed (exit ${result.status ?? result.signal}); see npm's message above. Without it, --clickhouse-url still works.`);
    return 2;
  }
  const seconds = (performance.now() - t0) / 1000;
  // node_modules without its .cache (execbench keeps its embedded servers' data there), as an install leaves it.
  const mb = (folder: string) => {
    const du = spawnSync('du', ['-sm', '--exclude=.cache', folder], { encoding: 'utf8' });
    return du.status === 0 ? Number(du.stdout.split('\t')[0]) : null;
  };
  const installed: ChdbInstall = { version: CHDB_VERSION, seconds: Math.round(seconds * 10) / 10, mb: mb(dir), nodeModulesMb: mb(path.join(PROJECT_ROOT, 'node_modules')) };
  log(`chdb ${CHDB_VERSION} installed in ${seconds.toFixed(0)} s${installed.mb === null ? '' : `, ${installed.mb} MB`}.`);
  // What it cost, kept for bench:analytics' page (reports/ is git-ignored; the bench commits a copy).
  saveFigure('chdb-install', installed, undefined, CHDB_INSTALL_DIR);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await installChdb();
