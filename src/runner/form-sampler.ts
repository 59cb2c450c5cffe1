// One form's sampling step, as a run takes it (measure.ts) and as bench:clock replays it: a timed execution on the
// client clock (sampler.ts), then the server clock's read for that same execution (pg_stat_statements, or an EXPLAIN
// (ANALYZE, TIMING OFF) run beside it). Samples and facts only; no verdicts here.
//
// Spacers. The server clock's read between two timed executions disturbs the second: pg_stat_statements(false)
// walks every entry of the extension's shared hash table, which evicts what the next execution would find in the
// CPU's caches (measured here on a 0.1 ms lookup: +20-35 us, +20-40%; a trivial statement between samples: no
// change). So a fast form's timed execution follows an untimed execution of the same statement with the next
// parameters (a spacer), excluded from pg_stat_statements by switching its tracking off for that one statement.
// Switching it needs superuser or SET privilege on pg_stat_statements.track (PGC_SUSET); where that is refused the
// spacers are off, and the form's latency says so.
import type pg from 'pg';
import { analyzePlan } from '../plan/analyze.ts';
import { explain } from '../plan/explain.ts';
import type { ClientProtocol, ServerClockMethod } from '../results.ts';
import type { ParamPicker, SqlForm } from '../scenario/define.ts';
import { decodeSample, timeQuery, type Untimed } from './sampler.ts';
import { statementQueryId, statementsReader, type StatementsReader } from './server-clock.ts';
import { closeScope, guarded, openScope } from './scope.ts';
import { connectToDataset } from './session.ts';

/** Decode timing (decodeSample) on the first samples and then every this many: enough for a median. */
const DECODE_EVERY = 25;
/**
 * Forms faster than this (EXPLAIN's execution time, ms) get spacers: above it the read's disturbance, tens of
 * microseconds, is under 1% of an execution, and a spacer would double the form's cost for nothing.
 */
export const SPACER_BELOW_MS = 5;
/**
 * A form returning more rows than this is timed on the server with EXPLAIN (ANALYZE, TIMING OFF), which discards
 * the rows as the spec's "Execution Time" does: pg_stat_statements' executor time would include converting every row
 * to text and handing it to the socket, waiting whenever the client reads slower than the server writes. The
 * pg_stat_statements figure is still recorded, as the server's part of sending (breakdown.sendMs).
 */
export const BULK_ROWS = 1000;

export interface FormSamplerInput {
  client: pg.ClientBase;
  form: SqlForm;
  picker: (iteration: number) => ParamPicker;
  protocol: ClientProtocol;
  /** A write: every execution in a transaction (or savepoint, nested) that is rolled back. */
  write: boolean;
  /** The caller holds an open transaction: savepoints instead of BEGIN. */
  nested: boolean;
  /** Schema of a readable pg_stat_statements (probeStatements); absent: the server clock uses EXPLAIN TIMING OFF. */
  statementsSchema?: string;
  /** What the form's EXPLAIN ANALYZE found: rows returned (bulk results) and execution time (fast forms). */
  plan: { rowsReturned: number; executionMs: number };
}

export interface FormSampler {
  /** Client round trips (ms) of the timed executions. */
  readonly client: number[];
  /** How the server clock is read for this form. */
  readonly serverMethod: ServerClockMethod;
  /** Server times (ms) by serverMethod. */
  readonly server: number[];
  /** A bulk form read by EXPLAIN with pg_stat_statements available: its executor time there (the bulk sending). */
  readonly statements: number[];
  /** Decode timings (ms) on some of the samples. */
  readonly decode: number[];
  /** Rows the last timed execution returned. */
  readonly rows: number;
  /** For a fast form (spacers asked for): whether its timed executions follow a spacer, and why (not). */
  readonly spacers: { used: boolean; why: string } | undefined;
  /** One execution (with its spacer); timed: its samples are kept. */
  sample(timed: boolean): Promise<void>;
}

export async function createFormSampler(input: FormSamplerInput): Promise<FormSampler> {
  const { client, form, protocol, write, nested } = input;
  let statements: StatementsReader | undefined;
  if (input.statementsSchema) {
    const queryId = await statementQueryId(client, form.sql, form.params(input.picker(0))).catch(() => undefined);
    if (queryId) statements = statementsReader(client, input.statementsSchema, queryId);
  }
  // Bulk results: pg_stat_statements still read (the server's side of sending), the server clock from EXPLAIN.
  const explainServer = !statements || input.plan.rowsReturned > BULK_ROWS;
  const wantSpacers = input.plan.executionMs < SPACER_BELOW_MS;
  const scoped = write || nested;
  const clientSamples: number[] = [];
  const serverSamples: number[] = [];
  const statementSamples: number[] = [];
  const decodeSamples: number[] = [];
  let rows = 0;
  let iteration = 0;
  const track = statements && wantSpacers ? await trackingSwitch(client) : undefined;
  const spacers = !wantSpacers
    ? undefined
    : statements && !track
      ? { used: false, why: 'pg_stat_statements.track cannot be switched off for a spacer here (it needs superuser or SET privilege on it): each timed execution follows the previous sample\'s server-clock read' }
      : { used: true, why: 'each timed execution follows an untimed one of the same statement, so the server clock\'s read in between does not disturb it' };
  let counters = statements ? await statements.read() : undefined;
  const open: Untimed[] = scoped ? [{ sql: openScope(nested, 'execbench_sample') }] : [];
  const close: Untimed[] = scoped ? [{ sql: closeScope(nested, 'execbench_sample') }] : [];

  const sample = async (timed: boolean): Promise<void> => {
    // One step on the wire (sampler.ts): the spacer's statements and the scope's BEGIN, each sent the moment the
    // previous one is done, the timed execution likewise, then its ROLLBACK and the server clock's read in one
    // write. A statement that fails fails the sample, after all of them ran.
    const before: Untimed[] = [];
    if (spacers?.used) {
      const spacer = { sql: form.sql, values: form.params(input.picker(iteration++)), protocol };
      before.push(...(track ? [{ sql: track.off }] : []), ...open, spacer, ...close, ...(track ? [{ sql: track.on }] : []));
    }
    before.push(...open);
    const values = form.params(input.picker(iteration++));
    const after = [...close, ...(statements ? [statements.query] : [])];
    const step = await timeQuery(client, form.sql, values, protocol, { before, after });
    if (statements) {
      const now = statements.fromResult(step.after[after.length - 1]!());
      // Exactly one new call: this execution (another session running the same statement would make it ambiguous).
      const serverMs = now.calls - counters!.calls === 1 ? now.totalMs - counters!.totalMs : undefined;
      counters = now;
      if (timed && serverMs !== undefined) (explainServer ? statementSamples : serverSamples).push(serverMs);
    }
    if (!timed) return;
    clientSamples.push(step.clientMs);
    rows = step.rows;
    if (clientSamples.length <= 3 || clientSamples.length % DECODE_EVERY === 0) decodeSamples.push(decodeSample(step.result()));
    if (explainServer) {
      // A failure here costs this sample its server time, not the form (the timed execution itself succeeded).
      await guarded(client, write, nested, async () => {
        serverSamples.push(analyzePlan(await explain(client, form.sql, values, { timing: false })).executionMs);
      });
      // The EXPLAIN run's own pg_stat_statements entry is another statement: the next delta stays this query's.
      if (statements) counters = await statements.read();
    }
  };

  return {
    serverMethod: explainServer ? 'explain-timing-off' : 'pg_stat_statements',
    client: clientSamples, server: serverSamples, statements: statementSamples, decode: decodeSamples,
    get rows() { return rows; },
    spacers,
    sample,
  };
}

/**
 * The two statements that switch pg_stat_statements' tracking off for a spacer and back to this session's setting,
 * or undefined where this role may not set it.
 */
async function trackingSwitch(client: pg.ClientBase): Promise<{ off: string; on: string } | undefined> {
  const current = (await client.query<{ track: string }>(`SELECT current_setting('pg_stat_statements.track') AS track`)).rows[0]?.track ?? 'top';
  if (!/^[a-z]+$/.test(current)) return undefined;
  const on = `SET pg_stat_statements.track = '${current}'`;
  try {
    await client.query(`SET pg_stat_statements.track = 'none'`);
  } catch {
    return undefined;
  }
  await client.query(on);
  return { off: `SET pg_stat_statements.track = 'none'`, on };
}

/**
 * One block of `count` timed samples of a read form on a connection of its own, as each pgbench block has (bench:clock,
 * run --calibrate). Where the scheduler puts a client and its backend (one CPU or two) moves a 0.1 ms round trip by
 * up to 2x on a small machine, and a connection keeps its placement: blocks that share one connection would draw it
 * once for all of them while pgbench draws it anew for every block.
 */
export async function sampleBlock(
  connectionString: string, schema: string, input: Omit<FormSamplerInput, 'client' | 'write' | 'nested'>, count: number,
): Promise<{ client: number[]; spacers: FormSampler['spacers'] }> {
  const own = await connectToDataset(connectionString, schema);
  try {
    const sampler = await createFormSampler({ ...input, client: own, write: false, nested: false });
    for (let i = 0; i < count; i++) await sampler.sample(true);
    return { client: sampler.client, spacers: sampler.spacers };
  } finally {
    await own.end();
  }
}
