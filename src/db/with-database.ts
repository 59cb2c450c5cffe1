// Scoped Postgres: whatever execbench starts, it stops, on success, error, SIGINT and SIGTERM; and a signal
// always ends the process, even when the cleanup itself hangs.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, InterruptCleanup, ProviderOptions } from './provider.ts';
import { provideDatabase } from './select.ts';
import { hostPort, redactUrl } from './url.ts';

/** How withDatabase reacts to SIGINT/SIGTERM. */
export interface WithDatabaseOptions {
  /**
   * true (default): stop the server, then exit 130 (SIGINT) or 143 (SIGTERM).
   * false: abort the signal handed to fn and let fn return; the server is stopped as usual
   * (`execbench db`, where Ctrl-C is the normal way to finish).
   */
  exitOnSignal?: boolean;
  /** How long the cleanup after a signal may take before execbench gives up on it and exits (default 5 s). */
  cleanupTimeoutMs?: number;
}

/** Exit codes after a signal (128 + the signal's number, as a shell reports a process killed by it). */
export const EXIT_ON_SIGNAL: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

// A fast shutdown of a server execbench started takes well under a second here; 5 s leaves room for a
// shutdown checkpoint after seeding, and is still "a few seconds" for a user at a terminal or a CI runner.
const CLEANUP_TIMEOUT_MS = 5000;
// What the interrupt cleanups (a half-loaded dataset's removal) may take of those 5 s: the rest is the server's stop.
const INTERRUPT_CLEANUP_MS = 3000;
// How long the signal's line waits for those cleanups so it can say what they did: removing a half-loaded schema
// takes tens of milliseconds on a server that answers; one that does not gets its line at once after this.
const CLEANUP_GRACE_MS = 1000;

/** 'removed x' -> 'Removed x.' */
function sentence(note: string): string {
  return `${note.charAt(0).toUpperCase()}${note.slice(1)}${note.endsWith('.') ? '' : '.'}`;
}

/** 'at 127.0.0.1:5432': where the user's server is, as a message names it (never the password). */
function serverName(databaseUrl: string): string {
  try {
    return `at ${hostPort(new URL(databaseUrl))}`;
  } catch {
    return `(${redactUrl(databaseUrl)})`;
  }
}

/** Provides a database, runs fn(db, signal), and always stops the database afterwards. */
export async function withDatabase<T>(
  options: ProviderOptions,
  fn: (db: Database, signal: AbortSignal) => Promise<T>,
  behaviour: WithDatabaseOptions = {},
): Promise<T> {
  const exitOnSignal = behaviour.exitOnSignal ?? true;
  const cleanupMs = behaviour.cleanupTimeoutMs ?? CLEANUP_TIMEOUT_MS;
  const abort = new AbortController();
  let database: Database | undefined;
  let stopping: Promise<void> | undefined;
  const provisioning = provideDatabase(options);

  const stopOnce = (): Promise<void> => {
    stopping ??= (async () => {
      // A signal during start-up: wait for the start to finish (or fail), then stop what started.
      const db = database ?? (await provisioning.catch(() => undefined));
      await db?.stop();
    })();
    return stopping;
  };

  /** What is left when execbench exits before stop() finished: ends what it can at once and says so. */
  const leaveNow = (): string => {
    if (database === undefined) {
      if (options.databaseUrl !== undefined) return 'execbench was still connecting to your server; nothing was started.';
      return 'Postgres was still being provisioned: a server that was starting is told to shut down as execbench exits; ' +
        'a container is removed by testcontainers\' reaper.';
    }
    const loading = cleaningUp
      ? ' A dataset schema it was loading may be left marked \'loading\': the next run rebuilds it, or `execbench clean` removes it.'
      : '';
    if (database.kind === 'url') return `Your server keeps running (execbench only connected to it).${loading}`;
    if (loading) return `${database.abandon?.() ?? `The ${database.kind} server may still be running.`}${loading}`;
    return database.abandon?.() ?? `The ${database.kind} server may still be running; testcontainers' reaper removes a container within a minute.`;
  };

  // Cleanups registered through db.onInterrupt (a seed's half-loaded schema): a signal runs them, bounded, before
  // the server is stopped; each says what it did, in the signal's one line.
  const cleanups = new Set<InterruptCleanup>();
  const onInterrupt = (cleanup: InterruptCleanup) => {
    cleanups.add(cleanup);
    return () => { cleanups.delete(cleanup); };
  };
  let cleaningUp = false;
  const runCleanups = async (): Promise<string[]> => {
    const pending = [...cleanups];
    cleanups.clear();
    cleaningUp = pending.length > 0;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`a cleanup was still running after ${INTERRUPT_CLEANUP_MS / 1000} s; execbench stopped without waiting longer for it`), INTERRUPT_CLEANUP_MS);
    });
    const serverStopping = stopping !== undefined && database?.kind !== 'url';
    const notes = await Promise.all(pending.map((cleanup) => Promise.race([
      cleanup({ serverStopping }).catch((error: unknown) => `a cleanup failed: ${String((error as Error)?.message ?? error)}`),
      bound,
    ])));
    clearTimeout(timer);
    cleaningUp = false;
    return notes.filter((note): note is string => Boolean(note));
  };

  let received: 'SIGINT' | 'SIGTERM' | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let signalled: Promise<void> | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (received !== undefined) {
      // A second signal: leave at once.
      options.log(`execbench: ${signal} again, exiting now. ${leaveNow()}`);
      process.exit(EXIT_ON_SIGNAL[signal]);
    }
    received = signal;
    abort.abort(signal);
    // Whatever happens to the cleanup, the process ends: a hung stop() (a wedged postmaster, a stuck file
    // system call under provisioning) gets cleanupMs, then execbench exits anyway and says what may be left.
    deadline = setTimeout(() => {
      options.log(`execbench: cleanup did not finish within ${cleanupMs / 1000} s of ${signal}; exiting anyway. ${leaveNow()}`);
      process.exit(EXIT_ON_SIGNAL[signal]);
    }, cleanupMs);
    if (!exitOnSignal) return;
    // From here on the process only cleans up and exits: a connection the stopping server (or the interrupt
    // cleanup) drops mid-COPY raises an 'error' nobody listens to any more, and that must not kill the process
    // before the server (a container, without a reaper) is removed.
    process.on('uncaughtException', (error) => {
      if (process.env.EXECBENCH_DEBUG) options.log(`execbench: while stopping: ${String((error as Error)?.message ?? error)}`);
    });
    signalled = (async () => {
      const said = `execbench: ${signal} received: ${whatStops(signal)}`;
      if (cleanups.size === 0) {
        options.log(said);
      } else {
        // One line, with what the cleanup did, when it is quick (it is, unless the server does not answer); else the
        // line now and the cleanup's outcome when it comes.
        const cleaning = runCleanups();
        const quick = await Promise.race([cleaning, sleep(CLEANUP_GRACE_MS).then(() => undefined)]);
        if (quick) {
          options.log([said, ...quick.map(sentence)].join(' '));
        } else {
          options.log(`${said} First it finishes what must not be left half done (a half-loaded dataset removed, a load's copy dropped, what was measured printed).`);
          for (const note of await cleaning) options.log(`execbench: ${sentence(note)}`);
        }
      }
      await stopOnce();
    })().finally(() => process.exit(EXIT_ON_SIGNAL[signal]));
  };

  /** What a signal stops: execbench only (a server it did not start keeps running), or the server it started. */
  const whatStops = (signal: 'SIGINT' | 'SIGTERM'): string => {
    const again = `(a second ${signal === 'SIGINT' ? 'Ctrl-C' : signal} exits at once)`;
    if (options.databaseUrl !== undefined && (database === undefined || database.kind === 'url')) {
      const at = serverName(options.databaseUrl);
      return database === undefined
        ? `execbench stops; it was still connecting to your server ${at}, which it did not start and leaves running.`
        : `execbench stops; your server ${at} keeps running (execbench did not start it).`;
    }
    if (database === undefined) return `stopping the Postgres server execbench is starting ${again}...`;
    return `stopping the ${database.kind === 'container' ? 'Postgres container' : 'embedded Postgres server'} execbench started ${again}...`;
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  try {
    database = await provisioning;
    return await fn({ ...database, onInterrupt }, abort.signal);
  } finally {
    // fn failed because the signal's cleanup (or the server's stop) ended its connection: the signal, not that error,
    // is the outcome; its own path cleans up, says what it did and exits.
    if (signalled) await signalled;
    await stopOnce();
    // A signal during that stop (the server went away under fn first, as a terminal's Ctrl-C that reached an
    // embedded server before execbench does): its line still comes before the exit.
    if (signalled) await signalled;
    clearTimeout(deadline);
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
    if (received && exitOnSignal) process.exit(EXIT_ON_SIGNAL[received]);
  }
}
