// Pure: the output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) -> PlanFacts. No I/O, testable from saved fixtures.
import { ExecbenchError } from '../errors.ts';
import type { IndexAccess, IndexUse, PlanFacts } from './types.ts';

/** The input was not the output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON). */
export class PlanFormatError extends ExecbenchError {}

/** One node of EXPLAIN's JSON tree; only the keys this module reads are typed. */
interface PlanNode {
  'Node Type': string;
  'Parallel Aware'?: boolean;
  Operation?: string;
  Strategy?: string;
  'Partial Mode'?: string;
  'Join Type'?: string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Relation Name'?: string;
  'Function Name'?: string;
  'CTE Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: 'Forward' | 'Backward' | 'NoMovement';
  'Index Cond'?: string;
  'Conflict Arbiter Indexes'?: string[];
  'Sort Key'?: string[];
  'Sort Method'?: string;
  'Sort Space Used'?: number;
  'Sort Space Type'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Heap Fetches'?: number;
  'Subplans Removed'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Shared Dirtied Blocks'?: number;
  'Shared Written Blocks'?: number;
  'Temp Read Blocks'?: number;
  'Temp Written Blocks'?: number;
  Plans?: PlanNode[];
}

/** The single object of EXPLAIN's JSON array. */
interface ExplainDocument {
  Plan: PlanNode;
  'Planning Time'?: number;
  'Execution Time'?: number;
  Triggers?: { 'Trigger Name'?: string; Relation?: string; Time?: number; Calls?: number }[];
  JIT?: unknown;
}

const INDEX_ACCESS: Record<string, IndexAccess> = {
  'Index Scan': 'Index Scan',
  'Index Only Scan': 'Index Only Scan',
  'Bitmap Index Scan': 'Bitmap Index Scan',
};

/** Nodes that read table rows; a Bitmap Index Scan is left out because its Bitmap Heap Scan counts the same rows. */
const TABLE_SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan', 'Tid Scan', 'Tid Range Scan', 'Sample Scan']);

/**
 * Extracts the facts execbench judges from one EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) output.
 * Accepts the array EXPLAIN returns (node-postgres parses the json column), the single object inside it,
 * or the JSON text of either. Throws PlanFormatError on anything else.
 */
export function analyzePlan(explainJson: unknown, options: { estimated?: boolean } = {}): PlanFacts {
  const doc = toExplainDocument(explainJson, options.estimated ?? false);
  const root = doc.Plan;

  const facts: PlanFacts = {
    rootNodeType: root['Node Type'],
    nodeTypes: [],
    shape: '',
    indexes: [],
    seqScans: [],
    tidScans: [],
    sorts: [],
    buffers: {
      sharedHit: num(root['Shared Hit Blocks']),
      sharedRead: num(root['Shared Read Blocks']),
      sharedDirtied: num(root['Shared Dirtied Blocks']),
      sharedWritten: num(root['Shared Written Blocks']),
      tempRead: num(root['Temp Read Blocks']),
      tempWritten: num(root['Temp Written Blocks']),
    },
    rowsReturned: Math.round(num(root['Actual Rows']) * loopsOf(root)),
    rowsRemovedByFilter: 0,
    rowsScanned: 0,
    planningMs: num(doc['Planning Time']),
    executionMs: num(doc['Execution Time']),
    jit: doc.JIT !== undefined && doc.JIT !== null,
    ...(options.estimated ? { estimated: true } : {}),
  };
  if (Array.isArray(doc.Triggers) && doc.Triggers.length > 0) {
    facts.triggerMs = doc.Triggers.reduce((sum, t) => sum + num(t.Time), 0);
  }

  const shapeLines: string[] = [];
  const relations: string[] = [];
  const scanLoops: Record<string, number> = {};
  let subplansRemoved = 0;
  walk(root, [], undefined, (node, path, heapRelation) => {
    const type = node['Node Type'];
    facts.nodeTypes.push(type);
    const relationName = node['Relation Name'];
    if (relationName !== undefined && !relations.includes(relationName)) relations.push(relationName);
    if (relationName !== undefined && TABLE_SCANS.has(type)) scanLoops[relationName] = Math.max(scanLoops[relationName] ?? 0, loopsOf(node));
    subplansRemoved += num(node['Subplans Removed']);
    shapeLines.push('  '.repeat(path.length - 1) + shapeLine(node));
    facts.rowsRemovedByFilter += removedRows(node);
    if (TABLE_SCANS.has(type)) {
      facts.rowsScanned = (facts.rowsScanned ?? 0) + Math.round(num(node['Actual Rows']) * loopsOf(node)) + removedRows(node);
    }

    const access = INDEX_ACCESS[type];
    if (access && node['Index Name']) {
      const use: IndexUse = { index: node['Index Name'], access, path };
      // A Bitmap Index Scan names no relation: its table is the Bitmap Heap Scan above it.
      const relation = node['Relation Name'] ?? (access === 'Bitmap Index Scan' ? heapRelation : undefined);
      if (relation) use.relation = relation;
      if (node['Scan Direction'] && access !== 'Bitmap Index Scan') use.direction = node['Scan Direction'];
      if (node['Index Cond']) use.indexCond = node['Index Cond'];
      facts.indexes.push(use);
    }
    for (const arbiter of node['Conflict Arbiter Indexes'] ?? []) {
      const use: IndexUse = { index: arbiter, access: 'Conflict Arbiter', path };
      if (node['Relation Name']) use.relation = node['Relation Name'];
      facts.indexes.push(use);
    }
    if (type === 'Seq Scan') {
      facts.seqScans.push({
        relation: node['Relation Name'] ?? '?',
        rowsRemovedByFilter: Math.round(num(node['Rows Removed by Filter']) * loopsOf(node)),
        path,
      });
    }
    if (type === 'Tid Scan' || type === 'Tid Range Scan') {
      facts.tidScans.push({ relation: node['Relation Name'] ?? '?' });
    }
    if (type === 'Sort' || type === 'Incremental Sort') {
      const sort: PlanFacts['sorts'][number] = { sortKey: node['Sort Key'] ?? [] };
      if (node['Sort Method'] !== undefined) sort.method = node['Sort Method'];
      if (node['Sort Space Used'] !== undefined) sort.spaceKb = node['Sort Space Used'];
      if (node['Sort Space Type'] !== undefined) sort.spaceType = node['Sort Space Type'];
      facts.sorts.push(sort);
    }
  });
  facts.shape = shapeLines.join('\n');
  facts.relations = relations;
  facts.scanLoops = scanLoops;
  if (subplansRemoved > 0) facts.subplansRemoved = subplansRemoved;
  return facts;
}

/**
 * A compact text rendering of the plan tree for reports: one node per line, indented by depth, with the
 * numbers a reader checks first (rows x loops, time, shared buffers, rows removed), then the totals.
 */
export function describePlanTree(explainJson: unknown): string {
  const doc = toExplainDocument(explainJson);
  const lines: string[] = [];
  walk(doc.Plan, [], undefined, (node, path) => {
    const depth = path.length - 1;
    const prefix = depth === 0 ? '' : '  '.repeat(depth - 1) + '-> ';
    const numbers = [
      `rows=${formatNumber(num(node['Actual Rows']))}`,
      `loops=${loopsOf(node)}`,
      `time=${formatNumber(num(node['Actual Total Time']))}ms`,
      `shared hit=${num(node['Shared Hit Blocks'])} read=${num(node['Shared Read Blocks'])}`,
    ];
    const removed = removedRows(node);
    if (removed > 0) numbers.push(`removed=${removed}`);
    if (node['Heap Fetches'] !== undefined) numbers.push(`heap fetches=${node['Heap Fetches']}`);
    if (node['Sort Method']) numbers.push(`sort=${node['Sort Method']}${node['Sort Space Used'] !== undefined ? ` ${node['Sort Space Used']}kB ${node['Sort Space Type'] ?? ''}`.trimEnd() : ''}`);
    lines.push(`${prefix}${shapeLine(node)}  (${numbers.join(' ')})`);
  });
  const totals = [`Planning ${formatNumber(num(doc['Planning Time']))} ms`, `Execution ${formatNumber(num(doc['Execution Time']))} ms`];
  if (Array.isArray(doc.Triggers) && doc.Triggers.length > 0) {
    totals.push(`Triggers ${formatNumber(doc.Triggers.reduce((s, t) => s + num(t.Time), 0))} ms`);
  }
  if (doc.JIT !== undefined && doc.JIT !== null) totals.push('JIT');
  lines.push(totals.join(', '));
  return lines.join('\n');
}

/**
 * The part of a node that defines the plan's shape, without any number or parameter value
 * (so two runs of the same plan give the same text even when the data or the parameters differ).
 */
function shapeLine(node: PlanNode): string {
  const parts: string[] = [];
  if (node['Parallel Aware']) parts.push('Parallel');
  parts.push(node['Node Type']);
  if (node.Operation && node['Node Type'] === 'ModifyTable') parts.push(node.Operation);
  if (node['Scan Direction'] === 'Backward') parts.push('Backward');
  if (node.Strategy) parts.push(`[${node.Strategy}${node['Partial Mode'] && node['Partial Mode'] !== 'Simple' ? ` ${node['Partial Mode']}` : ''}]`);
  if (node['Join Type']) parts.push(`[${node['Join Type']}]`);
  if (node['Index Name']) parts.push(node['Node Type'] === 'Bitmap Index Scan' ? `on ${node['Index Name']}` : `using ${node['Index Name']}`);
  const relation = node['Relation Name'] ?? node['CTE Name'] ?? node['Function Name'];
  if (relation && node['Node Type'] !== 'Bitmap Index Scan') parts.push(`on ${relation}`);
  if (node['Conflict Arbiter Indexes']?.length) parts.push(`arbiter ${node['Conflict Arbiter Indexes'].join(',')}`);
  if (node['Subplan Name']) parts.push(`(${node['Subplan Name']})`);
  return parts.join(' ');
}

/** Depth-first, parents before children; `path` ends with the node itself. */
function walk(
  node: PlanNode,
  parentPath: string[],
  heapRelation: string | undefined,
  visit: (node: PlanNode, path: string[], heapRelation: string | undefined) => void,
): void {
  const path = [...parentPath, node['Node Type']];
  visit(node, path, heapRelation);
  const childHeap = node['Node Type'] === 'Bitmap Heap Scan' ? node['Relation Name'] : heapRelation;
  for (const child of node.Plans ?? []) walk(child, path, childHeap, visit);
}

/** EXPLAIN prints removed-row counts divided by the node's loops (explain.c show_instrumentation_count); undo that. */
function removedRows(node: PlanNode): number {
  const perLoop = num(node['Rows Removed by Filter']) + num(node['Rows Removed by Index Recheck']);
  return Math.round(perLoop * loopsOf(node));
}

function loopsOf(node: PlanNode): number {
  return typeof node['Actual Loops'] === 'number' ? node['Actual Loops'] : 1;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return `an object with keys ${Object.keys(value as object).slice(0, 5).join(', ') || '(none)'}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Validates the input's shape once, so the walkers above can trust it. */
/** estimated: the output of EXPLAIN without ANALYZE (--plans-only): no execution time, no buffers, no actual rows. */
function toExplainDocument(input: unknown, estimated = false): ExplainDocument {
  const fix = 'Pass the output of EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON): an array with one object having Plan.';
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (cause) {
      throw new PlanFormatError(`Not EXPLAIN JSON: the text does not parse as JSON (${(cause as Error).message}). ${fix}`, { cause });
    }
  }
  if (Array.isArray(value)) {
    if (value.length !== 1) throw new PlanFormatError(`Not EXPLAIN JSON: expected an array with one object, received ${describeValue(value)}. ${fix}`);
    value = value[0];
  }
  if (typeof value !== 'object' || value === null || !('Plan' in value)) {
    throw new PlanFormatError(`Not EXPLAIN JSON: expected an object having Plan, received ${describeValue(value)}. ${fix}`);
  }
  const doc = value as ExplainDocument;
  checkNode(doc.Plan, 'Plan', fix);
  if (estimated) return doc;
  if (typeof doc['Execution Time'] !== 'number') {
    throw new PlanFormatError(`EXPLAIN JSON without 'Execution Time': the plan was not executed. Run EXPLAIN with ANALYZE.`);
  }
  if (typeof doc.Plan['Shared Hit Blocks'] !== 'number') {
    throw new PlanFormatError(`EXPLAIN JSON without buffer counts on the root node. Run EXPLAIN with BUFFERS.`);
  }
  return doc;
}

function checkNode(node: unknown, where: string, fix: string): void {
  if (typeof node !== 'object' || node === null || typeof (node as PlanNode)['Node Type'] !== 'string') {
    throw new PlanFormatError(`Not EXPLAIN JSON: ${where} has no 'Node Type' (received ${describeValue(node)}). ${fix}`);
  }
  const children = (node as PlanNode).Plans;
  if (children === undefined) return;
  if (!Array.isArray(children)) throw new PlanFormatError(`Not EXPLAIN JSON: ${where}.Plans is not an array. ${fix}`);
  children.forEach((child, i) => checkNode(child, `${where}.Plans[${i}]`, fix));
}
