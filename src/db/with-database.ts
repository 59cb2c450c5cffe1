// Scoped Postgres: whatever execbench starts, it stops, on success, error, SIGINT and SIGTERM; and a signal
// always ends the process, even when the cleanup itself hangs.
import type { Database, ProviderOptions } from './provider.ts';
import { provideDatabase } from './select.ts';

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
    if (database.kind === 'url') return 'Your server is left as it was (execbench only connected to it).';
    return database.abandon?.() ?? `The ${database.kind} server may still be running; testcontainers' reaper removes a container within a minute.`;
  };

  let received: 'SIGINT' | 'SIGTERM' | undefined;
  let deadline: NodeJS.Timeout | undefined;
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
    options.log(`execbench: ${signal} received, stopping Postgres (a second ${signal === 'SIGINT' ? 'Ctrl-C' : signal} exits at once)...`);
    // From here on the process only cleans up and exits: a connection the stopping server drops mid-COPY
    // raises an 'error' nobody listens to any more, and that must not kill the process before the server
    // (a container, without a reaper) is removed.
    process.on('uncaughtException', (error) => {
      if (process.env.EXECBENCH_DEBUG) options.log(`execbench: while stopping: ${String((error as Error)?.message ?? error)}`);
    });
    void stopOnce().finally(() => process.exit(EXIT_ON_SIGNAL[signal]));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  try {
    database = await provisioning;
    return await fn(database, abort.signal);
  } finally {
    await stopOnce();
    clearTimeout(deadline);
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
    // fn failed because the server went away under it: the signal, not that error, is the outcome.
    if (received && exitOnSignal) process.exit(EXIT_ON_SIGNAL[received]);
  }
}
