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
  seqScans: { relation: string; rowsRemovedByFilter: number; path: string[] }[];
  tidScans: { relation: string }[];
  /**
   * Every relation a plan node names ('Relation Name': scans, ModifyTable), deduplicated in plan order. Optional:
   * absent in plans analysed before it was recorded (readsOnlyCatalog then reads the scans above).
   */
  relations?: string[];
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
