// `npm run bench:clock [scales] [queries] [free|same|split]`: execbench's client clock against pgbench, the reference client, on the same
// server and the same queries, interleaved in rounds so both see the same machine. Prints each p50 side by side with
// the ratio; the target is execbench within 15% of pgbench (either way) for every query returning at most 50 rows,
// judged as the gate judges a latency: the median of the paired per-round ratios with its confidence interval, within
// when the whole interval lies in x0.85-x1.15, outside when it lies wholly beyond an edge, undecided otherwise; an
// undecided query gets more rounds (looks at 30, 60, 120 and 240 rounds: agreement.ts).
// Every method runs in contiguous blocks, in an order that rotates from round to round; execbench's blocks and the
// bare socket's each on a connection of their own, as pgbench's are. execbench samples as a run does (the form's
// sampling step: runner/form-sampler.ts), with the server clock's read between samples. Also shows
// what a plain node-pg call (rows decoded into objects) reads, which is what execbench's clock used to be.
// Last line: one JSON object.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { resolveProviderOptions } from '../config.ts';
import { EXIT } from '../errors.ts';
import { withDatabase } from '../db/with-database.ts';
import type { ClientProtocol } from '../results.ts';
import { textTable } from '../report/console.ts';
import { createParamPicker, loadParamPools } from '../runner/params.ts';
import { findPgbench, PGBENCH_HINT, runPgbench } from '../runner/pgbench.ts';
import { connectToDataset } from '../runner/session.ts';
import { explain } from '../plan/explain.ts';
import { analyzePlan } from '../plan/analyze.ts';
import { sampleBlock } from '../runner/form-sampler.ts';
import { ResponseFramer, timeQuery } from '../runner/sampler.ts';
import { ensureStatementsExtension, probeStatements } from '../runner/server-clock.ts';
import { SESSION_SETTINGS } from '../runner/session.ts';
import { loadScenarios } from '../scenario/load.ts';
import { ensureDataset } from '../seed/dataset.ts';
import { createProgress } from '../seed/progress.ts';
import { parseScale } from '../seed/scale.ts';
import { benchRequest, median, runScript, exitOnHelp } from './common.ts';
import { AGREEMENT_RULE, formatAgreement, judgeAgreement, nextAgreementLook, perLookAgreementConfidence } from './agreement.ts';
import { applyPlacement, parsePlacement } from './placement.ts';
import { CLOCK_FIGURES_DIR, type ClockResult, type ClockRow, clockMisses, countAgreement, writeClockFigures } from './clock-figures.ts';
import { saveFigure } from './load-figures.ts';

/** The queries the issue names: corrected pagination, recent failures, single lookup, status-filtered, sparkline. */
const QUERIES = ['paginated-listing', 'recent-failures', 'single-execution-lookup', 'status-filtered-success', 'sparkline-7d'];
/**
 * Rounds per query before the first look: up to 30 (small queries), fewer for slow ones so a query takes about
 * QUERY_MS, never under 4. Small queries whose agreement is undecided then get more, up to the rule's last look (240).
 */
const FIRST_LOOK = AGREEMENT_RULE.looks[0];
const LAST_LOOK = AGREEMENT_RULE.looks[AGREEMENT_RULE.looks.length - 1]!;
const AGREEMENT_CONFIDENCE = perLookAgreementConfidence();
const MIN_ROUNDS = 4;
const QUERY_MS = 40_000;
/** Per method and round: about this much time, 20 to 400 executions. */
const ROUND_MS = 40;
/** The first executions of every block are dropped, for every method alike (a new pgbench connection, a statement switch). */
const BLOCK_WARMUP = 3;
/** Within 15% either way: a clock reading well under the reference client disagrees with it as much as one over it. */
const TOLERANCE = 0.15;
/** The methods a look judges, and their floors: the rounds after the first look run only these. */
const JUDGED: ReadonlySet<string> = new Set(['unnamed', 'prepared', 'extended', 'pgPrepared', 'bareUnnamed', 'barePrepared']);
const SMALL_ROWS = 50;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A row as measured: the saved ClockRow plus each method's per-round block medians (printed in the JSON line, not saved). */
type Row = ClockRow & { blockMediansMs: Record<string, number[]> };

exitOnHelp(`
npm run bench:clock [-- scales [queries [free|same|split]]]
npm run bench:clock -- figures

execbench's client clock against pgbench (-M extended and -M prepared, one client) on the same server and queries,
interleaved in rounds; each ratio with its interval, judged within / outside / undecided against x0.85-x1.15.
Target, and exit 0: every query of at most 50 rows within on execbench's default protocol (unnamed vs -M extended);
prepared vs -M prepared is shown and counted beside it. Queries not shown within are listed with the gap in us.
Needs pgbench on the PATH (Debian/Ubuntu: apt-get install postgresql-client). Last line: one JSON object.
  scales    comma-separated, default 100k,1m
  queries   comma-separated, default paginated-listing,recent-failures,single-execution-lookup,
            status-filtered-success,sparkline-7d
  placement free (default: the scheduler's), same (client and server on one CPU), split (on two); embedded only
  figures   write docs/clock-measured.md from the results saved under reports/bench-clock/ (one per placement)

Example: npm run bench:clock -- 100k single-execution-lookup,recent-failures split
`);

await runScript(async () => {
  if (process.argv[2] === 'figures') {
    process.stdout.write(`Wrote ${writeClockFigures()}\n`);
    return 0;
  }
  const startedAt = Date.now();
  const pgbenchVersion = await findPgbench();
  if (!pgbenchVersion) {
    process.stderr.write(`bench:clock: ${PGBENCH_HINT}\n`);
    return 3;
  }
  const scales = (process.argv[2] ?? '100k,1m').split(',').map((s) => parseScale(s.trim()));
  const only = process.argv[3]?.split(',').map((q) => q.trim()).filter(Boolean);
  const unknown = only?.find((q) => !QUERIES.includes(q));
  if (unknown) {
    process.stderr.write(`bench:clock: unknown query "${unknown}"; choose from ${QUERIES.join(', ')} (comma-separated).\n`);
    return EXIT.usage;
  }
  const placement = parsePlacement(process.argv[4]);
  if (typeof placement === 'object') {
    process.stderr.write(`bench:clock: ${placement.error}.\n`);
    return EXIT.usage;
  }
  const scenarios = (await loadScenarios()).filter((s) => (only ?? QUERIES).includes(s.id));
  const rows: Row[] = [];
  let serverVersion: string | undefined;
  await withDatabase(resolveProviderOptions({}, process.env, log), async (db) => {
    serverVersion = db.serverVersion;
    log(`bench:clock: ${db.kind} Postgres ${db.serverVersion}; ${pgbenchVersion}; ${FIRST_LOOK} rounds (up to ${LAST_LOOK} while a small query's agreement is undecided), each method a block of ~${ROUND_MS} ms (20 to 100 executions) per round`);
    for (const scale of scales) {
      const dataset = await ensureDataset(db, benchRequest(scale), createProgress(`seed ${scale.label}`));
      const client = await connectToDataset(db.connectionString, dataset.schema);
      try {
        if (placement !== 'free') {
          if (db.kind !== 'embedded') throw new Error(`placement ${placement} pins the server's processes: only for the embedded server (omit DATABASE_URL, or use free)`);
          const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
          log(`bench:clock: ${applyPlacement(placement, backend)}`);
        }
        const pick = createParamPicker(await loadParamPools(client, dataset), 0);
        const tracked = await client.query(`SET pg_stat_statements.track = 'top'`).then(() => true, () => false);
        // The server clock a run would read here (the run creates the extension where it owns the server).
        if (db.kind !== 'url') await ensureStatementsExtension(client);
        const probed = await probeStatements(client);
        const statementsSchema = probed.available ? probed.schema : undefined;
        for (const { id, definition } of scenarios) {
          const form = definition.corrected ?? definition.documented;
          const values = form.params(pick);
          // One probe sizes the rounds: slow queries get fewer executions per round, never fewer than 20.
          await timeQuery(client, form.sql, values, 'unnamed');
          const probe = await timeQuery(client, form.sql, values, 'unnamed');
          const perRound = Math.max(20, Math.min(100, Math.round(ROUND_MS / Math.max(probe.clientMs, 0.05))));
          // The target's queries (at most SMALL_ROWS rows) always get the rule's first look; the others fit QUERY_MS.
          const small = probe.rows <= SMALL_ROWS;
          const rounds = small ? FIRST_LOOK : Math.max(MIN_ROUNDS, Math.min(FIRST_LOOK, Math.floor(QUERY_MS / (perRound * probe.clientMs * 9))));
          const samples = { unnamed: [] as number[], prepared: [] as number[], extended: [] as number[], pgPrepared: [] as number[], nodePg: [] as number[], bareUnnamed: [] as number[], barePrepared: [] as number[], untracked: [] as number[], trackedPair: [] as number[] };
          // execbench as a run samples: the form's sampling step (a spacer where the form is fast, the timed
          // execution, the server clock's read), on fixed parameters as pgbench's -D gives its script, each block on a
          // connection of its own as each pgbench block is (sampleBlock says why).
          const plan = analyzePlan(await explain(client, form.sql, values, { timing: true }));
          let spacers = false;
          const execbench = async (protocol: ClientProtocol, n: number) => {
            const block = await sampleBlock(db.connectionString, dataset.schema, {
              form, picker: () => pick, protocol, plan, ...(statementsSchema ? { statementsSchema } : {}),
            }, n);
            spacers = block.spacers?.used ?? false;
            return block.client;
          };
          // Node's floor, likewise a connection per block.
          const bare = async (protocol: ClientProtocol, n: number) => {
            const socket = await bareSocket(db.connectionString, dataset.schema, form.sql, values, protocol);
            try {
              return await socket.time(n);
            } finally {
              socket.end();
            }
          };
          // The bare timed query in a loop, nothing between samples: for pg_stat_statements' own cost below.
          const tight = async (n: number) => {
            const out: number[] = [];
            for (let i = 0; i < n; i++) out.push((await timeQuery(client, form.sql, values, 'unnamed')).clientMs);
            return out;
          };
          // Every method runs as pgbench does: a contiguous block of executions of one statement on one connection.
          // (Alternating two protocols sample by sample on one connection made execbench's samples follow a different
          // statement every time, which pgbench's never do: x1.2-x1.4 on the tiniest prepared queries here.)
          const methods: { name: keyof typeof samples; run: () => Promise<number[]> }[] = [
            { name: 'unnamed', run: () => execbench('unnamed', perRound + BLOCK_WARMUP) },
            { name: 'prepared', run: () => execbench('prepared', perRound + BLOCK_WARMUP) },
            { name: 'extended', run: () => runPgbench({ connectionString: db.connectionString, schema: dataset.schema, sql: form.sql, values, mode: 'extended', transactions: perRound + BLOCK_WARMUP, settings: SESSION_SETTINGS }) },
            { name: 'pgPrepared', run: () => runPgbench({ connectionString: db.connectionString, schema: dataset.schema, sql: form.sql, values, mode: 'prepared', transactions: perRound + BLOCK_WARMUP, settings: SESSION_SETTINGS }) },
            { name: 'nodePg', run: () => nodePgDefault(client, form.sql, values, perRound + BLOCK_WARMUP) },
            { name: 'bareUnnamed', run: () => bare('unnamed', perRound + BLOCK_WARMUP) },
            { name: 'barePrepared', run: () => bare('prepared', perRound + BLOCK_WARMUP) },
          ];
          if (tracked) {
            // pg_stat_statements' own cost on a statement: the same block with its tracking off for this session, and on.
            methods.push(
              { name: 'untracked', run: async () => { await client.query(`SET pg_stat_statements.track = 'none'`); try { return await tight(perRound + BLOCK_WARMUP); } finally { await client.query(`SET pg_stat_statements.track = 'top'`); } } },
              { name: 'trackedPair', run: () => tight(perRound + BLOCK_WARMUP) },
            );
          }
          // Per round and method, the block's median: a round's methods ran within a second of each other, so their
          // ratio is paired (the machine's drift from round to round cancels out of it).
          const blockMedians = Object.fromEntries(Object.keys(samples).map((k) => [k, [] as number[]])) as Record<keyof typeof samples, number[]>;
          let roundsDone = 0;
          const runRounds = async (count: number, among: typeof methods) => {
            for (let end = roundsDone + count; roundsDone < end; roundsDone++) {
              // The order rotates each round, so no method always follows the same one (or always comes first).
              for (let k = 0; k < among.length; k++) {
                const method = among[(roundsDone + k) % among.length]!;
                const block = (await method.run()).slice(BLOCK_WARMUP);
                samples[method.name].push(...block);
                blockMedians[method.name].push(median(block));
              }
            }
          };
          const pairedRatios = (a: keyof typeof samples, b: keyof typeof samples) => {
            const n = Math.min(blockMedians[a].length, blockMedians[b].length);
            return blockMedians[a].slice(0, n).map((x, i) => x / blockMedians[b][i]!);
          };
          const pairedRatio = (a: keyof typeof samples, b: keyof typeof samples) => median(pairedRatios(a, b));
          const agree = () => ({
            unnamed: judgeAgreement(pairedRatios('unnamed', 'extended'), TOLERANCE, AGREEMENT_CONFIDENCE),
            prepared: judgeAgreement(pairedRatios('prepared', 'pgPrepared'), TOLERANCE, AGREEMENT_CONFIDENCE),
          });
          await runRounds(rounds, methods);
          let agreement = agree();
          // The target's queries: while either protocol's interval still straddles an edge of the band, more rounds
          // (the judged methods and their bare-socket floors only), up to the rule's last look.
          const nextLook = () => (small ? Math.max(nextAgreementLook(agreement.unnamed) ?? 0, nextAgreementLook(agreement.prepared) ?? 0) : 0);
          for (let next = nextLook(); next > roundsDone; next = nextLook()) {
            log(`bench:clock: ${scale.label} ${id}: ${formatAgreement(agreement.unnamed)} / ${formatAgreement(agreement.prepared)} after ${roundsDone} rounds: undecided, ${next} rounds`);
            await runRounds(next - roundsDone, methods.filter((m) => JUDGED.has(m.name)));
            agreement = agree();
          }
          const row: Row = {
            scale: scale.label, query: id, rows: probe.rows,
            execbench: { unnamed: median(samples.unnamed), prepared: median(samples.prepared) },
            pgbench: { extended: median(samples.extended), prepared: median(samples.pgPrepared) },
            nodePgDefault: median(samples.nodePg),
            bareSocket: { unnamed: median(samples.bareUnnamed), prepared: median(samples.barePrepared) },
            overFloor: { unnamed: pairedRatio('unnamed', 'bareUnnamed'), prepared: pairedRatio('prepared', 'barePrepared') },
            floorVsPgbench: { unnamed: pairedRatio('bareUnnamed', 'extended'), prepared: pairedRatio('barePrepared', 'pgPrepared') },
            rounds: roundsDone, perRound, blockMediansMs: Object.fromEntries(Object.entries(blockMedians).filter(([, v]) => v.length > 0).map(([k, v]) => [k, v.map((x) => Math.round(x * 1000) / 1000)])),
            ...(tracked ? { statementsOverheadPct: (pairedRatio('trackedPair', 'untracked') - 1) * 100 } : {}),
            agreement,
            target: small ? agreement.unnamed.status : 'n/a', targetPrepared: small ? agreement.prepared.status : 'n/a', spacers,
          };
          rows.push(row);
          log(`bench:clock: ${scale.label} ${id}: execbench ${fmt(row.execbench.unnamed)} ms vs pgbench ${fmt(row.pgbench.extended)} ms (${formatAgreement(row.agreement.unnamed)} ${row.target}), prepared ${formatAgreement(row.agreement.prepared)} ${row.targetPrepared}; ${row.rounds} rounds`);
        }
      } finally {
        await client.end();
      }
    }
  });
  const x = (r: number) => `x${r.toFixed(2)}`;
  const pct = `${(AGREEMENT_CONFIDENCE * 100).toFixed(2)}%`;
  process.stdout.write(`\n${textTable(
    ['scale', 'query', 'rows', 'rounds', 'execbench unnamed', 'pgbench -M extended', `ratio [${pct} interval]`, 'bare socket (ratio to it)', 'execbench prepared', 'pgbench -M prepared', `ratio [${pct} interval]`, 'bare socket (ratio to it)', 'node-pg default', 'pg_stat_statements cost', 'unnamed within 15%', 'prepared within 15%'],
    rows.map((r) => [r.scale, r.query, String(r.rows), String(r.rounds), fmt(r.execbench.unnamed), fmt(r.pgbench.extended), formatAgreement(r.agreement.unnamed), `${fmt(r.bareSocket.unnamed)} (${x(r.overFloor.unnamed)})`,
      fmt(r.execbench.prepared), fmt(r.pgbench.prepared), formatAgreement(r.agreement.prepared), `${fmt(r.bareSocket.prepared)} (${x(r.overFloor.prepared)})`, fmt(r.nodePgDefault),
      r.statementsOverheadPct === undefined ? '-' : `${r.statementsOverheadPct >= 0 ? '+' : ''}${r.statementsOverheadPct.toFixed(1)}%`, r.target, r.targetPrepared]),
  )}\n  p50 in ms of all samples; ratio: the median over rounds of the two blocks' p50s in that round (paired), with the` +
    `\n  distribution-free interval of that median. Within: the whole interval in x${(1 - TOLERANCE).toFixed(2)}-x${(1 + TOLERANCE).toFixed(2)}; outside: wholly beyond an edge;` +
    `\n  undecided: across one, after ${AGREEMENT_RULE.looks.join(', ')} rounds (looks at ${pct} each, ${AGREEMENT_RULE.confidence * 100}% overall). Each round runs every method` +
    `\n  as a block (20-100 executions, first ${BLOCK_WARMUP} dropped, a new connection each) in an order that rotates; ${FIRST_LOOK} rounds per` +
    `\n  small query (then only the judged methods and their bare sockets while undecided), ${MIN_ROUNDS}-${FIRST_LOOK} for the others; one client each, same server and` +
    `\n  parameters. execbench: sampled as a run samples (a spacer` +
    `\n  execution where the form is fast, the timed one, the server clock's read), the wire round trip (one socket write,` +
    `\n  stop at the last byte, rows not decoded); pgbench: per-transaction latency from its log (-l);` +
    `\n  bare socket: the same request bytes written by Node on a socket with no client library on it (Node's own floor;` +
    `\n  the ratio in brackets is execbench over it: execbench's own cost). node-pg default: await client.query() with rows` +
    `\n  decoded into objects (first ${FIRST_LOOK} rounds). pg_stat_statements cost: the timed query alone in a loop with the extension` +
    `\n  tracking vs not tracking this session (its own overhead on the statement). Target: queries of at most ${SMALL_ROWS} rows.\n\n`);
  const unnamed = countAgreement(rows, 'target');
  const prepared = countAgreement(rows, 'targetPrepared');
  const line = (c: typeof unnamed) => `${c.within} of ${c.small} within, ${c.outside} outside, ${c.undecided} undecided`;
  process.stdout.write(`Within 15% of pgbench (x${(1 - TOLERANCE).toFixed(2)}-x${(1 + TOLERANCE).toFixed(2)}, whole interval) on queries of at most ${SMALL_ROWS} rows: unnamed (execbench's default) ${line(unnamed)}; prepared ${line(prepared)}.\n`);
  // The target is met when every small query is shown within on the default protocol (the exit code says the same).
  const met = unnamed.within === unnamed.small;
  process.stdout.write(`Target (every small query within on execbench's default protocol, unnamed vs -M extended): ${met ? 'met' : 'not met'}.\n`);
  const misses = clockMisses(rows);
  if (misses.length > 0) {
    process.stdout.write(`Not shown within:\n${misses.map((m) => `  ${m}`).join('\n')}\n` +
      `  On a ~0.1 ms round trip 15% is ~15 us: Node's own cost per round trip, and the statements a run sends between two` +
      `\n  samples (the spacer, the server clock's read), move it by that much (docs/latency.md, "How latency is judged").` +
      `\n  No default verdict rests on it: the spec's tables judge the server clock, the client-clock limits are 500 ms and` +
      `\n  2 s, and a baseline's client-clock time check needs a slowdown of 20% and 0.5 ms.\n`);
  }
  // Saved without the per-round block medians (the JSON line keeps them): the page reads the medians and the ratios.
  const result: ClockResult = {
    pgbench: pgbenchVersion, placement, tolerance: TOLERANCE, smallRows: SMALL_ROWS, rule: { ...AGREEMENT_RULE, perLook: AGREEMENT_CONFIDENCE },
    scales: scales.map((s) => s.label), queries: scenarios.map((s) => s.id), totalMs: Date.now() - startedAt, unnamed, prepared, targetMet: met,
    rows: rows.map(({ blockMediansMs: _, ...row }) => row),
  };
  log(`bench:clock: saved ${saveFigure(`clock-${placement}`, result, serverVersion, CLOCK_FIGURES_DIR)} (npm run bench:clock -- figures writes docs/clock-measured.md)`);
  process.stdout.write(JSON.stringify({ pgbench: pgbenchVersion, placement, tolerance: TOLERANCE, rule: { ...AGREEMENT_RULE, perLook: AGREEMENT_CONFIDENCE }, unnamed, prepared, rows }) + '\n');
  return met ? 0 : 1;
});

/** What an application's plain node-pg call costs: unnamed statement, every row decoded into an object. */
async function nodePgDefault(client: pg.Client, sql: string, values: unknown[], count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await client.query(sql, values);
    out.push(performance.now() - t0);
  }
  return out;
}

function fmt(ms: number): string {
  return ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

/**
 * Node's own floor for a round trip: a connection that node-pg opened and authenticated, then took its listeners off,
 * sends the exact bytes execbench's sampler sends for this query (captured from it) and stops the clock at the chunk
 * that completes ReadyForQuery. No client library runs in the timed region or around it; what remains above pgbench
 * here is Node's event loop, not execbench.
 */
async function bareSocket(connectionString: string, schema: string, sql: string, values: unknown[], protocol: ClientProtocol) {
  const client = await connectToDataset(connectionString, schema);
  client.on('error', () => undefined);
  const stream = (client as unknown as { connection: { stream: import('node:net').Socket } }).connection.stream;
  let request: Buffer | undefined;
  // Twice: a prepared statement is parsed by the first, so the second is the Bind/Execute a run repeats.
  await timeQuery(client, sql, values, protocol);
  await timeQuery(client, sql, values, protocol, { onRequest: (bytes) => { request = Buffer.from(bytes); } });
  stream.removeAllListeners('data');
  // The end of each response found as the sampler finds it (message headers only), so both stop at the same byte.
  let framer = new ResponseFramer();
  let done: ((at: number) => void) | undefined;
  stream.on('data', (chunk: Buffer) => {
    const at = performance.now();
    if (framer.feed(chunk) >= 0) done?.(at);
  });
  return {
    async time(count: number): Promise<number[]> {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        out.push(await new Promise<number>((resolve) => {
          framer = new ResponseFramer();
          const sentAt = performance.now();
          done = (at) => resolve(at - sentAt);
          stream.write(request!);
        }));
      }
      return out;
    },
    end(): void { stream.destroy(); },
  };
}
