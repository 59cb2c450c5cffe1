// The session settings of every execbench connection to a dataset. pgbench, where execbench runs it beside its own
// clock, gets the same ones: a statement_timeout arms and disarms a timer around every statement on the server.

/** A hung query must not hang the run: nothing execbench measures should take a minute. */
export const STATEMENT_TIMEOUT_MS = 120_000;

export const SESSION_SETTINGS: Readonly<Record<string, string>> = { TimeZone: 'UTC', statement_timeout: String(STATEMENT_TIMEOUT_MS) };
