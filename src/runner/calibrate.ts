// run --calibrate: pgbench's p50 for a read form beside execbench's, on the same server, the same parameters and
// the same minutes, so any reader can check the instrument against the reference client. Both clients run in
// alternating blocks (as bench:clock does, in small): execbench by the form's own sampling step (spacers and the
// server clock's read included, as in the run), pgbench as one client; each block on a connection of its own
// (form-sampler.ts, sampleBlock, says why). The ratio is the median
// over rounds of the two blocks' p50s, so the machine's drift from one second to the next cancels out of it.
//
// The execbench figure here is from these blocks, on the form's first parameters (pgbench's script has fixed
// values), not the run's p50 over rotating parameters: it checks the clock, not the parameter mix.
import type { ClientProtocol, FormLatency, ScenarioResult } from '../results.ts';
import type { ParamPicker, SqlForm } from '../scenario/define.ts';
import { sampleBlock } from './form-sampler.ts';
import { runPgbench } from './pgbench.ts';
import { SESSION_SETTINGS } from './session.ts';
import { median } from './statistics.ts';

/** Alternating rounds of one execbench block and one pgbench block. */
export const CALIBRATION_ROUNDS = 5;
/** About this much time per block: 10 to 100 executions. */
const BLOCK_MS = 60;
/** The first executions of every block are dropped, on both sides (a new pgbench connection, a statement switch). */
const BLOCK_WARMUP = 3;

export interface CalibrationTarget {
  connectionString: string;
  schema: string;
  protocol: ClientProtocol;
  /** Where pg_stat_statements is readable (the run's server clock), else undefined. */
  statementsSchema: string | undefined;
}

/** Calibrates a measured read form; undefined for forms it does not apply to. */
export async function calibrateForm(
  result: ScenarioResult, form: SqlForm, pick: ParamPicker, target: CalibrationTarget,
): Promise<FormLatency['calibration']> {
  // Reads only: pgbench runs the statement in autocommit, so a write would commit.
  if (result.kind !== 'read' || !result.latency || result.outcome.status === 'errored') return undefined;
  const values = form.params(pick);
  const perBlock = Math.max(10, Math.min(100, Math.round(BLOCK_MS / Math.max(result.latency.client.p50Ms, 0.05))));
  const mode = target.protocol === 'prepared' ? 'prepared' : 'extended';
  const input = {
    form, picker: () => pick, protocol: target.protocol,
    plan: { rowsReturned: result.latency.breakdown.rows, executionMs: result.plan?.executionMs ?? result.latency.server.p50Ms },
    ...(target.statementsSchema ? { statementsSchema: target.statementsSchema } : {}),
  };
  const execbench: number[] = [];
  const pgbench: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < CALIBRATION_ROUNDS; round++) {
    const ours = (await sampleBlock(target.connectionString, target.schema, input, perBlock + BLOCK_WARMUP)).client.slice(BLOCK_WARMUP);
    const theirs = (await runPgbench({
      connectionString: target.connectionString, schema: target.schema, sql: form.sql, values, mode,
      transactions: perBlock + BLOCK_WARMUP, settings: SESSION_SETTINGS,
    })).slice(BLOCK_WARMUP);
    execbench.push(...ours);
    pgbench.push(...theirs);
    ratios.push(median(ours) / median(theirs));
  }
  return {
    pgbenchP50Ms: median(pgbench), execbenchP50Ms: median(execbench), ratio: median(ratios), mode,
    transactions: pgbench.length, rounds: CALIBRATION_ROUNDS,
  };
}
