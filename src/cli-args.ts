// Pure parsing of CLI values that yargs cannot type: budgets and comma/repeat lists.
import { UsageError } from './errors.ts';

/** Parses '750', '750ms', '1.5s' into milliseconds. */
export function parseBudget(value: string | number, label = '--time-budget'): number {
  const text = String(value).trim();
  const ms = durationMs(text);
  if (!Number.isFinite(ms) || ms < 50 || ms > 600_000) {
    throw new UsageError(`Invalid ${label} '${text}': give milliseconds per scenario form between 50 and 600000, e.g. 750, 750ms or 1.5s.`);
  }
  return ms;
}

/** A duration flag ('20s', '60000', '1500ms') within bounds; the error names the flag, the value and an example. */
export function parseDuration(flag: string, value: string | number, bounds: { minMs: number; maxMs: number; example: string }): number {
  const text = String(value).trim();
  const ms = durationMs(text);
  if (!Number.isFinite(ms) || ms < bounds.minMs || ms > bounds.maxMs) {
    throw new UsageError(`Invalid --${flag} '${text}': give a duration between ${bounds.minMs} ms and ${bounds.maxMs / 1000} s (a number with ms, s, m or h), e.g. --${flag} ${bounds.example}.`);
  }
  return ms;
}

/** '750', '750ms', '1.5s', '2m', '1h' -> milliseconds (NaN for anything else). */
function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m?.[2] ?? 'ms']!;
  return m ? Number(m[1]) * unit : Number.NaN;
}

/**
 * A list flag that was given must name something: `--fail-on "$UNSET"` would otherwise switch the gate off, and
 * `--scale ""` or `--scenario ""` quietly mean "nothing" or "everything". Absent (undefined): the caller's default.
 */
export function givenList(flag: string, values: unknown, accepted: string): string[] | undefined {
  if (values === undefined) return undefined;
  const items = list(values);
  if (items.length === 0) throw new UsageError(`--${flag} was given no value (an unset variable?): give ${accepted}, or omit it for the default.`);
  return items;
}

export function list(values: unknown): string[] {
  return (Array.isArray(values) ? values : values === undefined ? [] : [values])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}


/**
 * A numeric flag kept as text by yargs, so a bad value is named as typed ('abc', not NaN).
 * `integer` also refuses fractions.
 */
export function numberFlag(name: string, raw: unknown, options: { integer?: boolean; min?: number; example: string }): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const value = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  const ok = Number.isFinite(value) && (!options.integer || Number.isSafeInteger(value)) && value >= (options.min ?? -Infinity);
  if (!ok) {
    const kind = options.integer ? 'a whole number' : 'a number';
    const bound = options.min !== undefined ? ` >= ${options.min}` : '';
    throw new UsageError(`Invalid --${name} '${text}': give ${kind}${bound}, e.g. --${name} ${options.example}.`);
  }
  return value;
}
