// Scoped Postgres: whatever execbench starts, it stops, on success, error, SIGINT and SIGTERM.
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
}

const EXIT_ON: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/** Provides a database, runs fn(db, signal), and always stops the database afterwards. */
export async function withDatabase<T>(
  options: ProviderOptions,
  fn: (db: Database, signal: AbortSignal) => Promise<T>,
  behaviour: WithDatabaseOptions = {},
): Promise<T> {
  const exitOnSignal = behaviour.exitOnSignal ?? true;
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

  let signals = 0;
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    signals += 1;
    received ??= signal;
    abort.abort(signal);
    if (!exitOnSignal) return;
    if (signals > 1) {
      // A second Ctrl-C: leave now; the server's watchdog stops it once this process is gone.
      options.log(`execbench: ${signal} again, exiting without waiting for Postgres to stop.`);
      process.exit(EXIT_ON[signal]);
    }
    options.log(`execbench: ${signal} received, stopping Postgres...`);
    // From here on the process only cleans up and exits: a connection the stopping server drops mid-COPY
    // raises an 'error' nobody listens to any more, and that must not kill the process before the server
    // (a container, without a reaper) is removed.
    process.on('uncaughtException', (error) => {
      if (process.env.EXECBENCH_DEBUG) options.log(`execbench: while stopping: ${String((error as Error)?.message ?? error)}`);
    });
    void stopOnce().finally(() => process.exit(EXIT_ON[signal]));
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
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
    // fn failed because the server went away under it: the signal, not that error, is the outcome.
    if (received && exitOnSignal) process.exit(EXIT_ON[received]);
  }
}
