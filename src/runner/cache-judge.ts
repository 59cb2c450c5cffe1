// Pure: what the cold-cache measurement (cold-cache.ts) says about the spec's "smaller index = better cache hit rate
// = faster queries" (Index Design Principles §2, and §3's "90% smaller than a full index ... better cache hit rate,
// faster queries, less disk I/O"). The claim is judged on blocks read, which are counted exactly and do not vary
// between runs; latencies are reported beside them as evidence (a cold read's time is the disk's, and varies).
import type { Finding } from '../results.ts';
import type { ColdCacheFacts, VariantFacts } from './cold-cache.ts';
import { median } from './statistics.ts';

/** A partial index at least this much smaller than its full counterpart is "smaller" (below: the same size). */
export const SMALLER_RATIO = 0.9;
/**
 * Fewer blocks read counts only when it is at least this fraction fewer, and at least MIN_BLOCKS fewer: one block of
 * tree height is the difference any two btrees of different sizes have, and is not what "better cache hit rate"
 * promises.
 */
export const FEWER_READS = 0.2;
export const MIN_BLOCKS = 2;

/** One variant's figures, as the table and the findings use them. */
export interface VariantSummary {
  label: string;
  kind: 'partial' | 'full';
  name: string;
  indexBytes: number;
  /** The plan used this variant's index in every sample. */
  usedIndex: boolean;
  /** Medians over the cold samples (null without cold samples). */
  cold: { read: number; indexRead: number; heapRead: number; ms: number; readIoMs: number | null } | null;
  /** Median over the warm samples, and the most blocks any warm sample read. */
  warm: { ms: number; maxRead: number } | null;
  /** The stream over every key: blocks read, overall hit rate, the index's own hit rate. */
  stream: { queries: number; keys: number; read: number; indexRead: number; heapRead: number; hitRatio: number; indexHitRatio: number; ms: number } | null;
  error?: string;
}

/** Pure: the medians and ratios of one variant's samples. */
export function summarizeVariant(v: VariantFacts): VariantSummary {
  const samples = [...v.cold, ...v.warm];
  const io = v.cold.map((s) => s.readIoMs);
  return {
    label: v.label, kind: v.kind, name: v.name, indexBytes: v.indexBytes,
    usedIndex: samples.length > 0 && samples.every((s) => s.indexesUsed.includes(v.name)),
    cold: v.cold.length === 0 ? null : {
      read: median(v.cold.map((s) => s.sharedRead)),
      indexRead: median(v.cold.map((s) => s.indexRead)),
      heapRead: median(v.cold.map((s) => s.heapRead)),
      ms: median(v.cold.map((s) => s.executionMs)),
      readIoMs: io.some((x) => x === null) ? null : median(io as number[]),
    },
    warm: v.warm.length === 0 ? null : { ms: median(v.warm.map((s) => s.executionMs)), maxRead: Math.max(...v.warm.map((s) => s.sharedRead)) },
    stream: v.stream === null ? null : {
      queries: v.stream.queries, keys: v.stream.keys, read: v.stream.sharedRead, indexRead: v.stream.indexRead, heapRead: v.stream.heapRead,
      hitRatio: ratio(v.stream.sharedHit, v.stream.sharedHit + v.stream.sharedRead),
      indexHitRatio: ratio(v.stream.indexFetched - v.stream.indexRead, v.stream.indexFetched),
      ms: v.stream.totalMs,
    },
    ...(v.error ? { error: v.error } : {}),
  };
}

const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
const ms = (x: number) => (x < 1 ? x.toFixed(2) : x < 10 ? x.toFixed(1) : x.toFixed(0));
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** How `fewer` compares with `more`: materially fewer, fewer by little, or not fewer. */
export function compareReads(partial: number, full: number): 'fewer' | 'marginal' | 'not-fewer' {
  const saved = full - partial;
  if (saved <= 0) return 'not-fewer';
  return saved >= MIN_BLOCKS && saved >= FEWER_READS * full ? 'fewer' : 'marginal';
}

/** Pure: the findings of one scale's measurement: how the cold start was made, then one per partial/full pair. */
export function judgeColdCache(facts: ColdCacheFacts, scale: string): Finding[] {
  const findings: Finding[] = [];
  const a = facts.ability;
  const method = [
    a.evictSharedBuffers ? 'shared buffers emptied of the table and its indexes (pg_buffercache_evict)' : 'shared buffers NOT emptied',
    a.dropOsCache ? 'their files dropped from the OS page cache (fsync, then posix_fadvise DONTNEED through dd iflag=nocache)' : 'the OS page cache NOT dropped',
  ].join(', ');
  const left = facts.comparisons.flatMap((c) => c.variants.flatMap((v) => v.cold.map((s) => s.osResidentBytes))).filter((x): x is number => x !== null);
  findings.push({
    id: `cache/method@${scale}`,
    severity: a.evictSharedBuffers && a.dropOsCache ? 'info' : 'warning',
    spec: 'Index Design Principles §2 Partial Indexes for Selectivity',
    title: a.evictSharedBuffers && a.dropOsCache ? 'Cold start: both caches emptied before each cold sample, without root or a restart' : 'Cold start: not fully possible on this server',
    detail: `At ${scale}, with shared_buffers ${facts.sharedBuffers} against a ${mb(facts.heapBytes)} table: ${method}` +
      `${left.length > 0 ? `; fincore found ${Math.max(...left)} bytes of those files still cached after a drop (at most)` : ''}.` +
      `${a.missing.length > 0 ? ` Missing: ${a.missing.join('; ')}.` : ''}`,
    scale,
  });
  for (const comparison of facts.comparisons) {
    const summaries = comparison.variants.map(summarizeVariant);
    const partial = summaries.find((s) => s.kind === 'partial');
    if (!partial) continue;
    for (const full of summaries.filter((s) => s.kind === 'full')) {
      findings.push(judgePair(comparison.scenarioId, comparison.spec, scale, partial, full));
    }
  }
  return findings;
}

function judgePair(scenarioId: string, spec: string, scale: string, partial: VariantSummary, full: VariantSummary): Finding {
  const id = `cache/${scenarioId}/${full.name}@${scale}`;
  const base = { id, spec, scenarioId, scale };
  const broken = [partial, full].find((s) => s.error !== undefined || !s.usedIndex || s.cold === null);
  if (broken) {
    return {
      ...base, severity: 'warning',
      title: `${scenarioId}: ${partial.name} against ${full.label} not judged at ${scale}`,
      detail: broken.error ?? (broken.cold === null ? `${broken.name} has no cold sample.` : `The plan did not use ${broken.name} in every sample, so its reads are not that index's.`),
    };
  }
  const pc = partial.cold!;
  const fc = full.cold!;
  const sizeRatio = partial.indexBytes / Math.max(1, full.indexBytes);
  const verdict = compareReads(pc.read, fc.read);
  const streamVerdict = partial.stream && full.stream ? compareReads(partial.stream.read, full.stream.read) : undefined;
  const evidence = [
    `${partial.name} (${partial.label}) is ${mb(partial.indexBytes)}, ${full.label} (${full.name}) ${mb(full.indexBytes)}: ${pct(sizeRatio)} of its size.`,
    `From a cold start the query read ${pc.read} blocks (index ${pc.indexRead}, table ${pc.heapRead}) in ${ms(pc.ms)} ms against ${fc.read} (index ${fc.indexRead}, table ${fc.heapRead}) in ${ms(fc.ms)} ms` +
      `${pc.readIoMs !== null && fc.readIoMs !== null ? ` (${ms(pc.readIoMs)} and ${ms(fc.readIoMs)} ms of it waiting for reads)` : ''}; warm, ${partial.warm!.maxRead} and ${full.warm!.maxRead} blocks read, ${ms(partial.warm!.ms)} and ${ms(full.warm!.ms)} ms (medians).`,
  ];
  if (partial.stream && full.stream) {
    evidence.push(`Over every tenant's every environment (${partial.stream.keys} keys, ${partial.stream.queries} queries from one cold start): ${partial.stream.read} blocks read against ${full.stream.read}, a hit rate of ${pct(partial.stream.hitRatio)} against ${pct(full.stream.hitRatio)}; the index's own blocks hit ${pct(partial.stream.indexHitRatio)} against ${pct(full.stream.indexHitRatio)} (${partial.stream.indexRead} and ${full.stream.indexRead} of them read).`);
  }
  const detail = evidence.join(' ');
  if (sizeRatio > SMALLER_RATIO) {
    return {
      ...base, severity: 'warning',
      title: `${scenarioId}: ${partial.name}'s predicate does not make it smaller, so it cannot cache better (${pct(sizeRatio)} of the full index's size at ${scale})`,
      detail: `The spec gives "smaller index = better cache hit rate" as the reason for its partial indexes; this one excludes almost nothing. ${detail}`,
      fix: `Keep or drop the WHERE clause for what it excludes from the query's answer, not for the cache: a full index of the same columns is as big and reads ${verdict === 'not-fewer' ? 'as many' : 'about as many'} blocks cold.`,
    };
  }
  const heapSaved = fc.heapRead - pc.heapRead;
  const indexSaved = fc.indexRead - pc.indexRead;
  if (verdict === 'fewer' || streamVerdict === 'fewer') {
    const why = heapSaved >= indexSaved
      ? `The saving is in the table's blocks (${heapSaved} of ${fc.read - pc.read} cold): ${full.label} does not hold the predicate's column where the scan can use it, so the query visits rows only to throw them away. It is the predicate that saves the reads, not the index's size.`
      : `The saving is in the index's own blocks (${indexSaved} of ${fc.read - pc.read} cold): a smaller tree.`;
    return {
      ...base, severity: 'info',
      title: `${scenarioId}: ${partial.name} reads fewer blocks from a cold start than ${full.label} at ${scale} (${pc.read} against ${fc.read})`,
      detail: `${detail} ${why}`,
    };
  }
  return {
    ...base, severity: 'warning',
    title: `${scenarioId}: ${pct(1 - sizeRatio)} smaller is not fewer reads: ${partial.name} against ${full.label} at ${scale}, ${pc.read} against ${fc.read} blocks from a cold start`,
    detail: `${detail} A lookup reads one path from the root to a leaf and then its rows, whatever the index's size; ${full.label} keeps the same entries side by side, so the query touches as many pages in it. The size shows only in the index's own blocks, and the table's blocks are most of what a cold query reads.`,
    fix: `Expect the partial index to save disk, write and vacuum cost (${mb(full.indexBytes - partial.indexBytes)} here), not cold-read time: with the filter column in the key, a full index reads ${fc.read - pc.read <= 0 ? 'as many' : `${fc.read - pc.read} more`} block${fc.read - pc.read === 1 ? '' : 's'} per cold lookup.`,
  };
}
