// Pure: what a partitioned layout (a table variant) changes, as findings: the spec's Option 1 judged on its own rows.
// Inputs are the variant's run (rows, generic plans, the layout probe) and the reference variant's run at the same
// scale; nothing here touches a database.
import type { Finding } from '../results.ts';
import type { VariantFormRow, VariantRun } from './types.ts';

const SPEC = 'Scaling Beyond 1M Executions, Option 1: Table Partitioning';

/** One finding per structural consequence and one for latency, per table-variant run. */
export function layoutFindings(runs: readonly VariantRun[], referenceName: string): Finding[] {
  const out: Finding[] = [];
  for (const run of runs) {
    const layout = run.layout;
    if (!layout) continue;
    const reference = runs.find((r) => r.scale === run.scale && r.variant === referenceName && !r.layout)
      ?? runs.find((r) => r.scale === run.scale && !r.layout);
    const at = `${run.variant}:${run.scale}`;
    const where = `${layout.partitions.length} partitions of executions (${layout.every}ly by ${layout.partitionColumn}, plus DEFAULT) at ${run.scale}`;
    const probe = layout.probe;
    const base = { spec: SPEC, scale: run.scale } as const;
    if (!probe) {
      out.push({ ...base, id: `partition:probe:${at}`, severity: 'warning', title: `The partitioned layout's keys were not probed (${run.variant})`, detail: layout.probeError ?? 'no probe result' });
    } else {
      const def = probe.defaultPartition;
      out.push({
        ...base, id: `partition:null-key:${at}`, severity: 'info',
        title: `Never-started executions (${layout.partitionColumn} IS NULL) can only live in a DEFAULT partition`,
        detail: `A range partition cannot hold a NULL key: ${probe.nullKeyRows.toLocaleString('en-US')} rows have ${layout.partitionColumn} NULL, ` +
          (def ? `and all of them are in ${def.name} (${def.rows.toLocaleString('en-US')} rows). ` : 'and with no DEFAULT partition their INSERT fails. ') +
          'A DEFAULT partition also forbids DETACH PARTITION ... CONCURRENTLY (PostgreSQL refuses it while one exists), so retention by partition takes an ACCESS EXCLUSIVE lock on executions.',
        fix: `Keep a DEFAULT partition for them (as here) and detach without CONCURRENTLY, or partition by a column that is set at insert and never NULL (created_at) where the queries can filter on it.`,
      });
      const lookup = row(run, 'single-execution-lookup', 'documented');
      const lookupRef = reference ? row(reference, 'single-execution-lookup', 'documented') : undefined;
      out.push({
        ...base, id: `partition:no-primary-key:${at}`, scenarioId: 'single-execution-lookup', severity: 'error',
        title: 'executions has no PRIMARY KEY: id is unique only together with started_at, and GET /api/executions/{id} probes every partition',
        detail: [
          probe.primaryKey ? `Primary key: ${probe.primaryKey}.` : `No primary key: a unique constraint on a partitioned table must include the partition key, and ${layout.partitionColumn} is nullable, so the most the layout enforces is UNIQUE (id, ${layout.partitionColumn}).`,
          probe.duplicateId.accepted
            ? `A copy of an existing row with the same id and a started_at 31 days later was accepted: ${probe.duplicateId.rowsWithId} rows share that id.`
            : `A row with an existing id was refused: ${probe.duplicateId.error}.`,
          lookup?.partitions ? `The lookup by id read ${lookup.partitions.executed} of ${lookup.partitions.total} partitions (${lookup.access}).` : '',
          latencyWords(lookup, lookupRef, run.variant, reference?.variant),
        ].filter(Boolean).join(' '),
        fix: `Look executions up by (id, ${layout.partitionColumn}) where the API can carry the start time (prunes to one partition), or keep a small id -> ${layout.partitionColumn} table beside it; enforce id's uniqueness at ingestion.`,
      });
      const upserts = run.rows.filter((r) => r.scenarioId.startsWith('upsert-') && r.status !== 'skipped');
      const failedUpserts = upserts.filter((r) => r.status === 'failed' || r.status === 'errored');
      const redelivery = probe.redelivery;
      out.push({
        ...base, id: `partition:upsert:${at}`, severity: 'error', scenarioId: 'upsert-conflict',
        title: 'The idempotent upsert loses its arbiter, and with started_at in the key it is no longer idempotent',
        detail: [
          failedUpserts.length > 0
            ? `${failedUpserts.map((r) => `${r.scenarioId} (${r.form})`).join(', ')}: ${[...new Set(failedUpserts.map((r) => r.reason))].join('; ')}.`
            : `The upsert scenarios ran (${upserts.map((r) => `${r.scenarioId} ${r.status}`).join(', ') || 'none measured'}).`,
          'rowsAfter' in redelivery
            ? `With the widest key the layout allows, ON CONFLICT ${redelivery.conflictTarget}, an execution delivered first before it started (started_at NULL) and again once started ended as ${redelivery.rowsAfter} row${redelivery.rowsAfter === 1 ? '' : 's'}${redelivery.rowsAfter > 1 ? ': the second delivery was an INSERT, not an update' : ''}.`
            : `The redelivery probe failed: ${redelivery.error}.`,
        ].join(' '),
        fix: 'Give every execution its started_at (or the partition column) at the first insert and never change it, so the conflict key is stable; or keep the idempotency key in a small unpartitioned table and upsert there first.',
      });
    }
    const touched = run.rows.filter((r) => r.partitions && r.partitions.total > 0 && r.status !== 'skipped' && r.partitions.inPlan + r.partitions.removedAtStart > 0);
    if (touched.length > 0) {
      const total = touched[0]!.partitions!.total;
      const pruned = touched.filter((r) => r.partitions!.executed < total);
      const all = touched.filter((r) => r.partitions!.executed >= total);
      const genericWorse = run.generic.filter((g) => g.partitions && g.partitions.generic.executed > g.partitions.custom.executed);
      const atStart = run.generic.filter((g) => g.partitions && g.partitions.generic.removedAtStart > 0);
      out.push({
        ...base, id: `partition:pruning:${at}`, severity: all.length > pruned.length ? 'warning' : 'info',
        title: `Partition pruning: ${pruned.length} of ${touched.length} forms read fewer than all ${total} partitions`,
        detail: [
          `On ${where}.`,
          pruned.length > 0 ? `Pruned: ${pruned.map((r) => `${label(r)} ${r.partitions!.executed}/${total}`).join(', ')}.` : 'No form was pruned.',
          all.length > 0 ? `Every partition read (no bound on ${layout.partitionColumn} in the query, so one index descent per partition and a merge): ${all.map(label).join(', ')}.` : '',
          atStart.length > 0 ? `Prepared statements (generic plans) prune at executor start instead of plan time: ${atStart.map((g) => `${g.scenarioId} (${g.form}) ${g.partitions!.generic.removedAtStart} removed at start`).join(', ')}.` : '',
          genericWorse.length > 0 ? `Generic plans read more partitions than custom ones: ${genericWorse.map((g) => `${g.scenarioId} (${g.form}) ${g.partitions!.generic.executed} vs ${g.partitions!.custom.executed}`).join(', ')}.` : (run.generic.length > 0 ? 'Generic plans read no more partitions than custom plans.' : ''),
        ].filter(Boolean).join(' '),
        fix: `Partitioning by ${layout.partitionColumn} pays only for queries bounded on ${layout.partitionColumn}; the listing pages, filtered by tenant and environment and ordered by ${layout.partitionColumn} without a bound, read every partition.`,
      });
    }
    if (reference) {
      const compared = run.rows.flatMap((r) => {
        const other = row(reference, r.scenarioId, r.form);
        const verdict = compare(r, other);
        return verdict ? [{ r, verdict }] : [];
      });
      const faster = compared.filter((c) => c.verdict.word === 'faster');
      const slower = compared.filter((c) => c.verdict.word === 'slower');
      const same = compared.filter((c) => c.verdict.word === 'same');
      out.push({
        ...base, id: `partition:latency:${at}`, severity: slower.length > faster.length ? 'warning' : 'info',
        title: `Partitioned vs '${reference.variant}' at ${run.scale}: ${faster.length} forms faster, ${slower.length} slower, ${same.length} not distinguishable`,
        detail: [
          `Judged latency (p95, with its interval) of each form on ${where}, against the same rows unpartitioned with '${reference.variant}''s indexes; a form is faster or slower only when the two intervals do not overlap (measured one variant after the other, so drift on a busy machine can move both).`,
          faster.length > 0 ? `Faster: ${faster.map((c) => `${label(c.r)} ${c.verdict.ratio}`).join(', ')}.` : '',
          slower.length > 0 ? `Slower: ${slower.map((c) => `${label(c.r)} ${c.verdict.ratio}`).join(', ')}.` : '',
        ].filter(Boolean).join(' '),
      });
    }
  }
  return out;
}

function row(run: VariantRun, scenarioId: string, form: string): VariantFormRow | undefined {
  return run.rows.find((r) => r.scenarioId === scenarioId && r.form === form);
}

function label(r: VariantFormRow): string {
  return `${r.scenarioId}${r.form === 'corrected' ? ' (fix)' : ''}`;
}

/** faster/slower when the judged intervals do not overlap (same clock), same when they do; undefined when not comparable. */
export function compare(a: VariantFormRow | undefined, b: VariantFormRow | undefined): { word: 'faster' | 'slower' | 'same'; ratio: string } | undefined {
  const x = a?.judged;
  const y = b?.judged;
  if (!x || !y || x.clock !== y.clock || x.ciLowMs === undefined || x.ciHighMs === undefined || y.ciLowMs === undefined || y.ciHighMs === undefined) return undefined;
  const ratio = `${(x.estimateMs / y.estimateMs).toFixed(2)}x`;
  if (x.ciHighMs < y.ciLowMs) return { word: 'faster', ratio };
  if (x.ciLowMs > y.ciHighMs) return { word: 'slower', ratio };
  return { word: 'same', ratio };
}

function latencyWords(a: VariantFormRow | undefined, b: VariantFormRow | undefined, variant: string, reference: string | undefined): string {
  const verdict = compare(a, b);
  if (!verdict || !reference || !a?.judged || !b?.judged) return '';
  const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  return `p95 ${ms(a.judged.estimateMs)} ms on '${variant}' vs ${ms(b.judged.estimateMs)} ms on '${reference}' (${verdict.ratio}, ${verdict.word === 'same' ? 'intervals overlap' : verdict.word}).`;
}
