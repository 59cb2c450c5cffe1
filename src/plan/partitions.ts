// Plans on a partitioned executions: the scans name partitions and the partitions' own indexes. The plan contract is
// written in the table's terms (executions, idx_executions_tenant_env_started), so each partition index is mapped to
// the partitioned index it belongs to, each partition to executions, and the partitions a plan touched are counted:
// those left after plan-time pruning, those removed at executor start ("Subplans Removed", what a generic plan of a
// prepared statement does), and those actually scanned.
import type pg from 'pg';
import type { PlanFacts } from './types.ts';

/** The partitions of the `executions` in search_path and their indexes' parents; null when it is not partitioned. */
export interface PartitionMap {
  table: string;
  partitions: string[];
  /** partition index name -> partitioned (parent) index name */
  indexParents: Record<string, string>;
  /** partition -> its heap pages (relpages, from the last VACUUM/ANALYZE) */
  pages: Record<string, number>;
}

/**
 * A Seq Scan on a partition this small (64 kB) reads no more pages than an index descent would, and it is what the
 * planner picks for the DEFAULT partition of never-started rows or an empty partition made ahead of its month: it is
 * shown under the partition's own name, so a contract on executions does not count it.
 */
export const SMALL_PARTITION_PAGES = 8;

const cache = new WeakMap<pg.ClientBase, Promise<PartitionMap | null>>();

/** Reads (once per client) the partition map of the `executions` search_path resolves to. */
export function partitionMapFor(client: pg.ClientBase): Promise<PartitionMap | null> {
  let found = cache.get(client);
  if (!found) {
    found = readPartitionMap(client);
    cache.set(client, found);
  }
  return found;
}

/** Forgets a client's map (after its indexes changed in a way that adds partition indexes). */
export function forgetPartitionMap(client: pg.ClientBase): void {
  cache.delete(client);
}

async function readPartitionMap(client: pg.ClientBase): Promise<PartitionMap | null> {
  const kind = await client.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = to_regclass('executions')`);
  if (kind.rows[0]?.relkind !== 'p') return null;
  const partitions = await client.query<{ name: string; pages: number }>(
    `SELECT c.relname AS name, c.relpages AS pages FROM pg_partition_tree('executions'::regclass) t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf ORDER BY 1`);
  const indexes = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_index pi JOIN pg_class p ON p.oid = pi.indexrelid
       CROSS JOIN LATERAL pg_partition_tree(pi.indexrelid) t JOIN pg_class c ON c.oid = t.relid
      WHERE pi.indrelid = 'executions'::regclass AND t.isleaf`);
  return {
    table: 'executions',
    partitions: partitions.rows.map((r) => r.name),
    indexParents: Object.fromEntries(indexes.rows.map((r) => [r.child, r.parent])),
    pages: Object.fromEntries(partitions.rows.map((r) => [r.name, Number(r.pages)])),
  };
}

/**
 * Pure: the facts of a plan on a partitioned table, in the table's terms, with the partitions it touched. Indexes keep
 * the partition's own name in partitionIndex; relations, and seq scans of partitions larger than SMALL_PARTITION_PAGES,
 * name the table. Returns `facts` unchanged for null.
 */
export function resolvePartitions(facts: PlanFacts, map: PartitionMap | null): PlanFacts {
  if (!map) return facts;
  const isPartition = new Set(map.partitions);
  const toTable = (relation: string | undefined) => (relation !== undefined && isPartition.has(relation) ? map.table : relation);
  const scanned = Object.entries(facts.scanLoops ?? {}).filter(([relation]) => isPartition.has(relation));
  const relations = [...new Set((facts.relations ?? []).map((r) => toTable(r)!))];
  return {
    ...facts,
    indexes: facts.indexes.map((use) => {
      const parent = map.indexParents[use.index];
      const relation = toTable(use.relation);
      return {
        ...use,
        ...(parent ? { index: parent, partitionIndex: use.index } : {}),
        ...(relation !== undefined ? { relation } : {}),
      };
    }),
    seqScans: facts.seqScans.map((s) => (isPartition.has(s.relation) && (map.pages[s.relation] ?? 0) > SMALL_PARTITION_PAGES
      ? { ...s, relation: map.table, partition: s.relation }
      : s)),
    relations,
    partitions: {
      total: map.partitions.length,
      inPlan: scanned.length,
      removedAtStart: facts.subplansRemoved ?? 0,
      executed: scanned.filter(([, loops]) => loops > 0).length,
      scanned: scanned.filter(([, loops]) => loops > 0).map(([relation]) => relation).sort(),
    },
  };
}
