// run --calibrate: pgbench's p50 for a read form, on the same server and parameters, beside execbench's client p50,
// so any reader can check the instrument against the reference client.
import type { ClientProtocol, FormLatency, ScenarioResult } from '../results.ts';
import { median } from './statistics.ts';
import { runPgbench } from './pgbench.ts';
import { SESSION_SETTINGS } from './session.ts';

/** About this much pgbench time per form: 10 to 300 transactions. */
const CALIBRATION_MS = 400;

/** Runs pgbench for a measured read form; returns the calibration, or undefined for forms it does not apply to. */
export async function calibrateForm(
  result: ScenarioResult, sql: string, values: unknown[], target: { connectionString: string; schema: string; protocol: ClientProtocol },
): Promise<FormLatency['calibration']> {
  // Reads only: pgbench runs the statement in autocommit, so a write would commit.
  if (result.kind !== 'read' || !result.latency || result.outcome.status === 'errored') return undefined;
  const execbenchP50Ms = result.latency.client.p50Ms;
  const transactions = Math.max(10, Math.min(300, Math.round(CALIBRATION_MS / Math.max(execbenchP50Ms, 0.05))));
  const mode = target.protocol === 'prepared' ? 'prepared' : 'extended';
  const samples = await runPgbench({ connectionString: target.connectionString, schema: target.schema, sql, values, mode, transactions, settings: SESSION_SETTINGS });
  const pgbenchP50Ms = median(samples);
  return { pgbenchP50Ms, execbenchP50Ms, ratio: execbenchP50Ms / pgbenchP50Ms, mode, transactions: samples.length };
}
