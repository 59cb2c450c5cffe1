// Pure: the open model's schedule. A class's requests arrive as a Poisson process (independent exponential gaps) drawn
// from a seeded PRNG, or, for a job's loop (retention), one every 1/rate s from a seeded phase; either way the same
// seed gives the same intended start times on every machine. Each class draws
// from its own streams (numbered by its place in LOAD_CLASSES), so adding or dropping a class changes no other class's
// arrivals; which kind of request an arrival is comes from a separate stream of the same class.
import { createPrng, weightedTable, type Prng } from '../seed/prng.ts';
import { LOAD_CLASSES, type LoadClass } from './traffic.ts';

/** One class's part of the schedule: its rate and the shares of its request kinds. */
export interface ClassSchedule {
  name: LoadClass;
  perSecond: number;
  /** poisson (the default) or periodic (a loop: evenly spaced, from a random phase). */
  arrivals?: 'poisson' | 'periodic';
  /** Shares of the class's request kinds (need not sum to 1). */
  shares: readonly number[];
}

/** One request of the schedule. */
export interface Arrival {
  name: LoadClass;
  /** 0-based number of this request within its class (the ParamPicker's iteration). */
  seq: number;
  /** Intended start, ms after the run's start. */
  atMs: number;
  /** Index into the class's request kinds. */
  kind: number;
}

/** Exponential gap with mean 1/perSecond seconds, in ms: -ln(1 - u) / rate, u in [0, 1) so the log is finite. */
export function exponentialGapMs(prng: Prng, perSecond: number): number {
  return (-Math.log(1 - prng.next()) / perSecond) * 1000;
}

/** Intended start times (ms) of a Poisson process of `perSecond` over [0, durationMs). */
export function poissonTimes(perSecond: number, durationMs: number, prng: Prng): number[] {
  if (!(perSecond > 0)) throw new RangeError(`poissonTimes: the rate must be above 0, got ${perSecond}.`);
  const times: number[] = [];
  for (let t = exponentialGapMs(prng, perSecond); t < durationMs; t += exponentialGapMs(prng, perSecond)) times.push(t);
  return times;
}

/** Evenly spaced start times, 1/perSecond s apart, the first at a random phase within the first gap. */
export function periodicTimes(perSecond: number, durationMs: number, prng: Prng): number[] {
  if (!(perSecond > 0)) throw new RangeError(`periodicTimes: the rate must be above 0, got ${perSecond}.`);
  const gap = 1000 / perSecond;
  const times: number[] = [];
  for (let t = prng.next() * gap; t < durationMs; t += gap) times.push(t);
  return times;
}

/** The PRNG streams of a class: gaps and kinds apart, numbered by the class's place in LOAD_CLASSES. */
function streams(seed: number, name: LoadClass): { gaps: Prng; kinds: Prng } {
  const index = LOAD_CLASSES.indexOf(name);
  return { gaps: createPrng(seed, 1000 + 2 * index), kinds: createPrng(seed, 1001 + 2 * index) };
}

/** The whole schedule of a run, every class merged, in order of intended start. */
export function buildSchedule(classes: readonly ClassSchedule[], durationMs: number, seed: number): Arrival[] {
  const all: Arrival[] = [];
  for (const c of classes) {
    const { gaps, kinds } = streams(seed, c.name);
    const table = weightedTable(c.shares);
    const times = c.arrivals === 'periodic' ? periodicTimes(c.perSecond, durationMs, gaps) : poissonTimes(c.perSecond, durationMs, gaps);
    times.forEach((atMs, seq) => {
      all.push({ name: c.name, seq, atMs, kind: table.pick(kinds) });
    });
  }
  // Stable on ties (never in practice: continuous times), so the order is the same on every run of the same seed.
  return all.sort((a, b) => a.atMs - b.atMs || LOAD_CLASSES.indexOf(a.name) - LOAD_CLASSES.indexOf(b.name) || a.seq - b.seq);
}
