// Pure: the flags of `execbench load --search`, checked before anything starts (UsageError, exit 3, one line each).
import { UsageError } from '../errors.ts';
import { PROMISE_CLASSES, type PromiseClass } from './search-report.ts';
import { parseRates } from './traffic.ts';

/** --promise dashboard,pages (default both). */
export function parsePromises(values: readonly string[] | undefined): PromiseClass[] {
  if (values === undefined) return [...PROMISE_CLASSES];
  if (values.length === 0) throw new UsageError(`--promise was given no value (an unset variable?): give ${PROMISE_CLASSES.join(', ')}, or omit it for both.`);
  const chosen = new Set<PromiseClass>();
  for (const v of values) {
    if (!(PROMISE_CLASSES as readonly string[]).includes(v)) throw new UsageError(`Unknown promise '${v}' in --promise: the promises are ${PROMISE_CLASSES.join(' (p95 < 2 s) and ')} (p95 < 500 ms).`);
    chosen.add(v as PromiseClass);
  }
  return PROMISE_CLASSES.filter((p) => chosen.has(p));
}

/** --maintenance both|with|without (default both): ingest and retention beside the promise's class, or not. */
export function parseMaintenance(value: string | undefined): ('without' | 'with')[] {
  switch (value ?? 'both') {
    case 'both': return ['without', 'with'];
    case 'with': return ['with'];
    case 'without': return ['without'];
    default: throw new UsageError(`Invalid --maintenance '${value}': give both (the default), with (ingest and retention beside the promise's class) or without.`);
  }
}

/** --min-capacity dashboard=5/s,pages=100/s: the JUnit case of a promise fails when its capacity bound is below. */
export function parseMinCapacity(values: readonly string[] | undefined): Partial<Record<PromiseClass, number>> {
  if (values === undefined) return {};
  if (values.length === 0) throw new UsageError('--min-capacity was given no value (an unset variable?): give promise=rate pairs, e.g. --min-capacity dashboard=5/s,pages=100/s, or omit it.');
  let rates;
  try {
    rates = parseRates(values);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/--rate/g, '--min-capacity'));
  }
  const result: Partial<Record<PromiseClass, number>> = {};
  for (const [name, perSecond] of Object.entries(rates)) {
    if (!(PROMISE_CLASSES as readonly string[]).includes(name)) throw new UsageError(`--min-capacity names '${name}', which has no promise: give ${PROMISE_CLASSES.join(' or ')}.`);
    result[name as PromiseClass] = perSecond;
  }
  return result;
}

/** Flags of the fixed-rate mode that --search replaces (it finds the rates and windows itself). */
export function refuseFixedRateFlags(typed: readonly string[]): void {
  const bad = typed.find((a) => /^--(rate|duration)(=|$)/.test(a));
  if (bad) throw new UsageError(`${bad.split('=')[0]} is for the fixed-rate mode: --search finds the rates itself and plans each step's window (set the first window with --step, the whole with --max-time).`);
}

/** --max-time: '10m', '90s', '600000ms' or ms; from 5 s to 24 h. */
export function parseMaxTime(value: string | number): number {
  const text = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min)?$/.exec(text);
  const ms = m ? Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, min: 60_000 }[m[2] ?? 'ms'] ?? 1) : Number.NaN;
  if (!(ms >= 5000 && ms <= 24 * 3_600_000)) throw new UsageError(`Invalid --max-time '${text}': give a time between 5 s and 24 h for all the searches, e.g. --max-time 10m or --max-time 90s.`);
  return ms;
}
