/** How a plan node touched an index. */
export type IndexAccess =
  | 'Index Scan'
  | 'Index Only Scan'
  | 'Bitmap Index Scan'
  | 'Conflict Arbiter';

/** One use of an index somewhere in a plan tree. */
export interface IndexUse {
  index: string;
  relation?: string;
  access: IndexAccess;
  /** On a partitioned table: the partition's own index, when `index` names the partitioned index it belongs to. */
  partitionIndex?: string;
  /** Index Scan / Index Only Scan direction as EXPLAIN prints it. */
  direction?: 'Forward' | 'Backward' | 'NoMovement';
  indexCond?: string;
  /** Path of node types from the root to this node, e.g. ['Limit', 'Index Scan']. */
  path: string[];
}

/** Facts extracted from EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) output by analyzePlan(). Pure data. */
export interface PlanFacts {
  /** Root node type, e.g. 'Limit', 'ModifyTable'. */
  rootNodeType: string;
  /** Every node type in depth-first order: a cheap plan-shape signature. */
  nodeTypes: string[];
  /** A stable signature of the plan's shape: node types with relation/index names, indented by depth. */
  shape: string;
  indexes: IndexUse[];
  /** partition: on a partitioned table, the partition read (relation then names the table). */
  seqScans: { relation: string; rowsRemovedByFilter: number; path: string[]; partition?: string }[];
  tidScans: { relation: string }[];
  /**
   * Every relation a plan node names ('Relation Name': scans, ModifyTable), deduplicated in plan order. Optional:
   * absent in plans analysed before it was recorded (readsOnlyCatalog then reads the scans above).
   */
  relations?: string[];
  /** Per scanned relation, its table scan's loops (0: "never executed"). Optional: absent in older results. */
  scanLoops?: Record<string, number>;
  /** Sum of Append/MergeAppend "Subplans Removed": partitions pruned at executor start (generic plans, stable functions). */
  subplansRemoved?: number;
  /**
   * On a partitioned table (resolvePartitions): its partitions, those left in the plan after plan-time pruning, those
   * removed at executor start, and those actually scanned (loops > 0).
   */
  partitions?: { total: number; inPlan: number; removedAtStart: number; executed: number; scanned: string[] };
  sorts: { sortKey: string[]; method?: string; spaceKb?: number; spaceType?: string }[];
  /** Sum of the root node's shared buffers (the root's counters include its children). */
  buffers: { sharedHit: number; sharedRead: number; sharedDirtied: number; sharedWritten: number; tempRead: number; tempWritten: number };
  /** Actual rows returned by the root node (per loop times loops). */
  rowsReturned: number;
  /** Sum over all nodes of 'Rows Removed by Filter' (+ 'Rows Removed by Index Recheck'). */
  rowsRemovedByFilter: number;
  /** Rows touched: over every table scan node (Seq, Index, Index Only, Bitmap Heap, Tid), actual rows x loops plus rows removed. Optional: added by the plan+gate helper. */
  rowsScanned?: number;
  planningMs: number;
  executionMs: number;
  /** Trigger time, when present (ON CONFLICT, FK checks). */
  triggerMs?: number;
  jit: boolean;
  /** true for a plan that was not executed (EXPLAIN without ANALYZE, --plans-only): estimates only, no actual rows, time or buffers. */
  estimated?: boolean;
}
