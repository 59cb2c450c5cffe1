// A fast seeded PRNG and the samplers the generator needs. sfc32 passes PractRand to large sizes
// and costs a few integer ops per draw; splitmix32 spreads a small integer seed into its state.

/** A source of uniform 32-bit integers and doubles in [0, 1). */
export interface Prng {
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** Uniform double in [0, 1). */
  next(): number;
}

const TWO_POW_32 = 4_294_967_296;

/** splitmix32: turns one seed into a stream of well-mixed 32-bit words (used only for seeding). */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** sfc32 seeded via splitmix32; `stream` derives independent generators from one seed. */
export function createPrng(seed: number, stream = 0): Prng {
  const mix = splitmix32((Math.trunc(seed) ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const nextUint32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  // Warm up: the first outputs of sfc32 correlate with the seed words.
  for (let i = 0; i < 12; i++) nextUint32();
  return { nextUint32, next: () => nextUint32() / TWO_POW_32 };
}

/** Uniform integer in [min, max] (inclusive). */
export function uniformInt(rng: Prng, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

/** A weighted choice among `weights.length` options: cumulative table built once, binary search per draw. */
export interface WeightedTable {
  /** Index of the option drawn. */
  pick(rng: Prng): number;
  /** Normalized weights (sum 1), for tests and docs. */
  readonly probabilities: readonly number[];
}

/** Builds a weighted table; weights need not sum to 1. */
export function weightedTable(weights: readonly number[]): WeightedTable {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0) || weights.length === 0) throw new Error(`weightedTable: weights must be positive, got ${JSON.stringify(weights)}`);
  const probabilities = weights.map((w) => w / total);
  const cumulative = new Float64Array(weights.length);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += probabilities[i]!;
    cumulative[i] = acc;
  }
  cumulative[weights.length - 1] = 1; // rounding must never leave a gap at the top
  const last = weights.length - 1;
  return {
    probabilities,
    pick(rng) {
      const u = rng.next();
      let lo = 0;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
}

/** Zipf-like popularity over n ranks: weight(rank r) = 1 / r^s, rank 1 most popular. */
export function zipfTable(n: number, exponent: number): WeightedTable {
  return weightedTable(Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, exponent)));
}

/** A log-normal sampler (Box-Muller; the spare normal is kept for the next draw). */
export function logNormalSampler(rng: Prng, median: number, sigma: number): () => number {
  const mu = Math.log(median);
  let spare = Number.NaN;
  return () => {
    let z: number;
    if (!Number.isNaN(spare)) {
      z = spare;
      spare = Number.NaN;
    } else {
      const u1 = 1 - rng.next(); // (0, 1]: log(0) never happens
      const u2 = rng.next();
      const r = Math.sqrt(-2 * Math.log(u1));
      z = r * Math.cos(2 * Math.PI * u2);
      spare = r * Math.sin(2 * Math.PI * u2);
    }
    return Math.exp(mu + sigma * z);
  };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(n: number): string {
  return HEX[(n >>> 24) & 255]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}

/** A version-4 UUID from 128 random bits (version and variant bits set as RFC 9562 requires). */
export function randomUuid(rng: Prng): string {
  const a = rng.nextUint32();
  const b = ((rng.nextUint32() & 0xffff0fff) | 0x00004000) >>> 0; // version 4: first nibble of group 3
  const c = ((rng.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0; // variant 10: top bits of group 4
  const d = rng.nextUint32();
  const bh = hex32(b);
  const ch = hex32(c);
  return `${hex32(a)}-${bh.slice(0, 4)}-${bh.slice(4)}-${ch.slice(0, 4)}-${ch.slice(4)}${hex32(d)}`;
}

/** Fisher-Yates shuffle in place, driven by the PRNG. */
export function shuffle<T>(rng: Prng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}
