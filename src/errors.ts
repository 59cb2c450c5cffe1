// The error classes, each carrying its context. Messages say what was found and how to fix it.

/** Base class: every error execbench raises on purpose. `exitCode` is what the CLI exits with. */
export class ExecbenchError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT.harness;
  }
}

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** A contract, threshold or baseline gate failed. */
  gate: 1,
  /** The harness itself failed (database, seeding, a bug). */
  harness: 2,
  /** Bad input: flags, files, names. Nothing was changed. */
  usage: 3,
  /** A baseline comparison was refused (other scale, version or dataset) or the baseline is unreadable. */
  baseline: 4,
} as const;

/** Bad input from the user: names the bad value and the fix. */
export class UsageError extends ExecbenchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.usage });
  }
}

/** Postgres could not be provided or reached. */
export class DatabaseError extends ExecbenchError {}

/** execbench refuses to touch something it did not create. */
export class OwnershipError extends ExecbenchError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
  }
}

/**
 * execbench will not write into a server it did not start: the role lacks a privilege it needs, or the user has
 * not consented (--yes, or a `y` at the prompt). Nothing was written.
 */
export class WriteRefusedError extends ExecbenchError {
  constructor(message: string, readonly schemas: string[], readonly database: string) {
    super(message, { exitCode: EXIT.usage });
  }
}

/** A schema file failed to apply: names the file and line. */
export class SchemaError extends ExecbenchError {
  constructor(message: string, readonly file: string, readonly line: number | undefined, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** A scenario module is malformed. */
export class ScenarioError extends ExecbenchError {
  constructor(message: string, readonly scenarioId: string) {
    super(message, { exitCode: EXIT.usage });
  }
}

/** A baseline comparison cannot be made. */
export class BaselineError extends ExecbenchError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, exitCode: EXIT.baseline });
  }
}

/** SQLSTATE -> a sentence, translated in one place (the driver seam). */
export function describePgError(error: unknown): string {
  const e = error as { code?: string; message?: string; position?: string };
  const base = e?.message ?? String(error);
  switch (e?.code) {
    case '57014': return `statement timeout: ${base}`;
    case '28P01': return `wrong password: ${base}`;
    case '28000': return `authentication rejected: ${base}`;
    case '3D000': return `no such database: ${base}`;
    case '42601': return `syntax error: ${base}${e.position ? ` (at character ${e.position})` : ''}`;
    case '42P10': return `no matching ON CONFLICT arbiter: ${base}`;
    case '42703': return `no such column: ${base}`;
    case '42501': return `insufficient privilege: ${base}`;
    case '55P03': return `lock not available: ${base}`;
    case 'ECONNREFUSED': return `connection refused: ${base}`;
    default: return e?.code ? `${base} (SQLSTATE ${e.code})` : base;
  }
}
