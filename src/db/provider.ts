import type { EmbeddedMajor } from './embedded-package.ts';
/** Which kind of Postgres server execbench talks to. */
export type ProviderKind = 'url' | 'container' | 'embedded';

/** Options every provider understands (resolved by src/config.ts from defaults < env < flags). */
export interface ProviderOptions {
  provider: 'auto' | ProviderKind;
  /** --database-url / DATABASE_URL. */
  databaseUrl?: string;
  /** Where databaseUrl came from, so a message names what the user typed (or forgot they exported). */
  databaseUrlFrom?: '--database-url' | 'DATABASE_URL';
  /** Cache folder: the embedded data directory lives below it. */
  cacheDir: string;
  /** Rebuild the embedded data directory from scratch. */
  fresh: boolean;
  /** Embedded/container: port to listen on (0 = pick a free one). */
  port: number;
  /** Container image (default postgres:<pgMajor>-alpine, postgres:17-alpine without --pg-major). */
  image: string;
  /** Container limits, to mimic the spec's 4 CPU / 8 GB box. */
  cpus?: number;
  memoryMb?: number;
  /**
   * --pg-major: the Postgres major to start (embedded: one of the pinned binaries; container: the default
   * image's tag). Unset: 17 embedded, the image as given. A server of another major is refused.
   */
  pgMajor?: EmbeddedMajor;
  /** Progress/log sink (stderr). */
  log: (line: string) => void;
  /**
   * --yes: consent to create or rebuild datasets in a server execbench did not start (url); without it execbench
   * asks at a terminal and refuses elsewhere. Servers execbench starts need no consent.
   */
  yes?: boolean;
}

/**
 * A cleanup a signal runs before the server is stopped; resolves to one sentence saying what it did (or nothing).
 * serverStopping: a server execbench started is already being stopped (its connection failed first), so it cannot be reached.
 */
export type InterruptCleanup = (context: { serverStopping: boolean }) => Promise<string | undefined>;

/** A running (or reachable) Postgres that execbench may use. */
export interface Database {
  kind: ProviderKind;
  /** One sentence: why this provider was chosen. */
  reason: string;
  /** Connection string to execbench's own database (embedded/container) or the user's (url). */
  connectionString: string;
  /** Server version string (SHOW server_version) and server_version_num. */
  serverVersion: string;
  serverVersionNum: number;
  /** Settings execbench applied where it started the server (empty for url). */
  appliedSettings: Record<string, string>;
  /** The container's id (container provider only): for inspecting its limits. */
  containerId?: string;
  /** The embedded server's data directory (embedded provider only): where its datasets stay between runs. */
  dataDir?: string;
  /**
   * Set by withDatabase: registers a cleanup that SIGINT/SIGTERM run (bounded in time) before the server is stopped,
   * e.g. removing a half-loaded dataset; returns the function that unregisters it.
   */
  onInterrupt?(cleanup: InterruptCleanup): () => void;
  /** Stops what execbench started; a no-op for url. Idempotent. */
  stop(): Promise<void>;
  /**
   * Optional last resort when stop() hangs (a signal's cleanup ran out of time): ends at once, synchronously,
   * what execbench started, and returns one sentence saying what was done or what may be left.
   */
  abandon?(): string;
}
