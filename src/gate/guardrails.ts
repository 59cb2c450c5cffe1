// Pure: can two runs be compared at all? Refuses (BaselineError) what would make every verdict meaningless,
// warns about what may explain a difference without invalidating it.
import { BaselineError } from '../errors.ts';
import type { RunResults } from '../results.ts';

/**
 * Settings that change which plan the planner picks (or whether it can pick a parallel or JIT plan).
 * A difference is a warning, not a refusal: the plan-shape check will show whether it mattered.
 */
export const PLAN_SHAPING_SETTINGS: readonly string[] = [
  'random_page_cost', 'seq_page_cost', 'cpu_tuple_cost', 'cpu_index_tuple_cost', 'cpu_operator_cost',
  'effective_cache_size', 'effective_io_concurrency', 'work_mem', 'hash_mem_multiplier', 'default_statistics_target',
  'max_parallel_workers_per_gather', 'max_parallel_workers', 'parallel_setup_cost', 'parallel_tuple_cost',
  'min_parallel_table_scan_size', 'min_parallel_index_scan_size', 'jit', 'jit_above_cost', 'jit_inline_above_cost',
  'jit_optimize_above_cost', 'plan_cache_mode', 'from_collapse_limit', 'join_collapse_limit', 'geqo', 'geqo_threshold',
  'constraint_exclusion', 'cursor_tuple_fraction',
];

/** PG 10+: server_version_num 170010 -> 17. */
export function postgresMajor(versionNum: number): number {
  return Math.floor(versionNum / 10000);
}

/**
 * Refuses a comparison across Postgres major versions, dataset fingerprints or scale sets (BaselineError, one line
 * naming both values and the fix); returns warnings for differing plan-shaping settings, Postgres minor version and machine.
 */
export function checkComparable(baseline: RunResults, current: RunResults): { warnings: string[] } {
  const fix = 'Re-create the baseline with the same setup (run `execbench run` on the main branch) or compare runs of the same setup.';

  const baseMajor = postgresMajor(baseline.environment.postgres.versionNum);
  const curMajor = postgresMajor(current.environment.postgres.versionNum);
  if (baseMajor !== curMajor) {
    throw new BaselineError(`Baseline refused: Postgres ${baseMajor} in the baseline, ${curMajor} now; plans and timings differ across major versions. ${fix}`);
  }

  const baseScales = [...baseline.options.scales].sort();
  const curScales = [...current.options.scales].sort();
  if (baseScales.join(',') !== curScales.join(',')) {
    throw new BaselineError(`Baseline refused: scales ${baseScales.join(',') || '(none)'} in the baseline, ${curScales.join(',') || '(none)'} now. Run with --scale ${baseScales.join(',')} or make a new baseline at ${curScales.join(',')}.`);
  }

  for (const scale of curScales) {
    const a = baseline.datasets.find((d) => d.scale === scale);
    const b = current.datasets.find((d) => d.scale === scale);
    if (!a || !b) {
      throw new BaselineError(`Baseline refused: no dataset summary for scale ${scale} in the ${a ? 'current run' : 'baseline'}, so its fingerprint cannot be checked. ${fix}`);
    }
    if (a.fingerprint !== b.fingerprint) {
      throw new BaselineError(`Baseline refused: dataset fingerprint at ${scale} is ${a.fingerprint} in the baseline, ${b.fingerprint} now (other seed, size or generator). Use the baseline's seed (${a.seed}) or make a new baseline.`);
    }
  }

  const warnings: string[] = [];
  const baseEnv = baseline.environment;
  const curEnv = current.environment;
  if (baseEnv.postgres.version !== curEnv.postgres.version) {
    warnings.push(`Postgres version differs within major ${curMajor}: ${baseEnv.postgres.version} in the baseline, ${curEnv.postgres.version} now.`);
  }
  const names = new Set([...Object.keys(baseEnv.postgres.settings), ...Object.keys(curEnv.postgres.settings)]);
  const differing = [...names]
    .filter((name) => PLAN_SHAPING_SETTINGS.includes(name) || name.startsWith('enable_'))
    .filter((name) => baseEnv.postgres.settings[name] !== curEnv.postgres.settings[name])
    .sort()
    .map((name) => `${name} ${baseEnv.postgres.settings[name] ?? '(unset)'} -> ${curEnv.postgres.settings[name] ?? '(unset)'}`);
  if (differing.length > 0) {
    warnings.push(`Plan-shaping settings differ (baseline -> now): ${differing.join(', ')}. Plan changes may come from these.`);
  }
  const m0 = baseEnv.machine;
  const m1 = curEnv.machine;
  const machine: string[] = [];
  if (m0.cpus !== m1.cpus) machine.push(`cpus ${m0.cpus} -> ${m1.cpus}`);
  if (m0.cpuModel !== m1.cpuModel) machine.push(`cpu '${m0.cpuModel}' -> '${m1.cpuModel}'`);
  if (m0.memoryBytes !== m1.memoryBytes) machine.push(`memory ${gib(m0.memoryBytes)} -> ${gib(m1.memoryBytes)}`);
  if (m0.platform !== m1.platform) machine.push(`platform ${m0.platform} -> ${m1.platform}`);
  if (m0.node !== m1.node) machine.push(`node ${m0.node} -> ${m1.node}`);
  if (machine.length > 0) {
    warnings.push(`Machine differs (baseline -> now): ${machine.join(', ')}. Time comparisons are less meaningful; plans and buffers still hold.`);
  }
  warnings.push(...tableStateWarnings(baseline, current));
  return { warnings };
}

/**
 * Where the two runs measured their executions table (or the database around it) in different states: one warning
 * per scale naming both values. Same dataset fingerprint, different state: rolled-back writes VACUUM could not
 * clean, bloat, or other datasets in the same database (which catalog queries read). Buffers and rows move with
 * these without a code change. Runs without a recorded state (older results) are not compared on it.
 */
export function tableStateWarnings(baseline: RunResults, current: RunResults): string[] {
  const warnings: string[] = [];
  for (const b of current.datasets) {
    const a = baseline.datasets.find((d) => d.scale === b.scale);
    const before = a?.tableState;
    const now = b.tableState;
    if (!a || !before || !now) continue;
    const differences: string[] = [];
    if (a.fingerprint !== b.fingerprint) differences.push(`dataset fingerprint ${a.fingerprint} -> ${b.fingerprint}`);
    // Tolerances: reltuples after VACUUM is exact only where VACUUM read every page; a few pages and dead tuples
    // come and go with hint bits and the visibility map; a few relations with temporary tables.
    const rows = Math.max(before.rows, now.rows, 0);
    if (differs(before.rows, now.rows, 0.01, 10)) differences.push(`rows ${before.rows} -> ${now.rows}`);
    if (differs(before.deadTuples, now.deadTuples, 0, Math.max(100, rows * 0.001))) differences.push(`dead tuples ${before.deadTuples} -> ${now.deadTuples}`);
    if (differs(before.relpages, now.relpages, 0.02, 2)) differences.push(`relpages ${before.relpages} -> ${now.relpages}`);
    const catalog = differs(before.catalogRelations, now.catalogRelations, 0.01, 5);
    if (catalog) differences.push(`relations in pg_class ${before.catalogRelations} -> ${now.catalogRelations}`);
    if (differences.length === 0) continue;
    warnings.push(`Table state at ${b.scale} differs (baseline -> now): ${differences.join(', ')}. Buffers and rows compare only like for like: ` +
      'a table with other dead tuples or pages reads other amounts with unchanged code' +
      (catalog ? ', and catalog queries (pg_stat_user_indexes) read the whole catalog, so their buffers and rows are reported, not gated' : '') +
      '. Make the baseline and this run on the same database state (e.g. both on a fresh server) to compare them strictly.');
  }
  return warnings;
}

/** Whether two amounts differ by more than a relative tolerance of the larger, and more than an absolute slack. */
function differs(a: number, b: number, relative: number, absolute: number): boolean {
  const gap = Math.abs(a - b);
  return gap > absolute && gap > relative * Math.max(Math.abs(a), Math.abs(b));
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}
