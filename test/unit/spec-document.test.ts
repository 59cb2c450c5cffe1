import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../src/errors.ts';
import { loadScenarios, type LoadedScenario } from '../../src/scenario/load.ts';
import { checkDocument, documentFindings, renderDocumentCheck, upperEndMs, type DocumentCheck, type DriftItem, type SchemaSqlFile } from '../../src/spec/check-document.ts';
import { parseDocument, readDocumentFile, splitStatements } from '../../src/spec/read-document.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCUMENT = 'docs/execution-indexes.md';

let markdown = '';
let scenarios: LoadedScenario[] = [];
let schema: SchemaSqlFile[] = [];
let baseline: DocumentCheck;

before(async () => {
  markdown = await readFile(path.join(ROOT, DOCUMENT), 'utf8');
  scenarios = await loadScenarios();
  const optional = (await readdir(path.join(ROOT, 'schema/optional'))).filter((f) => f.endsWith('.sql')).sort().map((f) => `schema/optional/${f}`);
  schema = await Promise.all(['schema/002-spec-indexes.sql', ...optional].map(async (file) => ({ file, sql: await readFile(path.join(ROOT, file), 'utf8') })));
  baseline = check(markdown);
});

function check(md: string, with_: LoadedScenario[] = scenarios, schemaFiles: SchemaSqlFile[] = schema): DocumentCheck {
  return checkDocument(parseDocument(md, DOCUMENT), with_, schemaFiles);
}

/** Replaces exactly one occurrence: an edit that matches nothing (or twice) would make a test pass vacuously. */
function edit(md: string, from: string, to: string): string {
  const at = md.indexOf(from);
  assert.ok(at !== -1 && md.indexOf(from, at + 1) === -1, `the document holds '${from}' exactly once`);
  return md.slice(0, at) + to + md.slice(at + from.length);
}

type Key = Pick<DriftItem, 'kind' | 'section' | 'line' | 'scenarioId' | 'scale'>;
const key = (i: DriftItem): Key => ({ kind: i.kind, section: i.section, line: i.line, scenarioId: i.scenarioId, scale: i.scale });

/** The items an edit adds to (and removes from) the unedited document's report. */
function delta(after: DocumentCheck): { added: Key[]; removed: Key[] } {
  const s = (k: Key) => JSON.stringify(k);
  const was = new Set(baseline.items.map((i) => s(key(i))));
  const now = new Set(after.items.map((i) => s(key(i))));
  return {
    added: after.items.map(key).filter((k) => !was.has(s(k))),
    removed: baseline.items.map(key).filter((k) => !now.has(s(k))),
  };
}

const STATUS = '§2 idx_executions_tenant_env_status_started';

describe('the repository document checked against the real scenarios and schema', () => {
  it('reports the six maintenance statements no scenario runs, nothing else', () => {
    assert.deepEqual(baseline.items.map(key), [
      { kind: 'statement-uncovered', section: 'Maintenance & Monitoring > §1 Weekly VACUUM ANALYZE', line: 272, scenarioId: undefined, scale: undefined },
      { kind: 'statement-uncovered', section: 'Maintenance & Monitoring > §2 Monitor Index Bloat', line: 293, scenarioId: undefined, scale: undefined },
      { kind: 'statement-uncovered', section: 'Troubleshooting > Query is slow despite index', line: 393, scenarioId: undefined, scale: undefined },
      { kind: 'statement-uncovered', section: 'Troubleshooting > Query is slow despite index', line: 399, scenarioId: undefined, scale: undefined },
      { kind: 'statement-uncovered', section: 'Troubleshooting > Query is slow despite index', line: 404, scenarioId: undefined, scale: undefined },
      { kind: 'statement-uncovered', section: 'Troubleshooting > Index bloat', line: 411, scenarioId: undefined, scale: undefined },
    ]);
    assert.match(baseline.items[0]!.message, /No scenario runs `VACUUM ANALYZE executions;`/);
  });

  it('names the four scenarios whose SQL the document does not print as not checkable, and counts what it checked', () => {
    assert.deepEqual(baseline.notCheckable.map((n) => n.scenarioId), ['covering-percentiles', 'daily-stats-live-aggregate', 'daily-stats-view', 'single-execution-lookup']);
    assert.deepEqual(baseline.checked, { scenarios: scenarios.length - 4, statements: 29, tableRows: 10 });
  });

  it('a status member is matched against the printed success example only because it is marked writtenByExecbench', () => {
    const unmarked = scenarios.map((s) => (s.id === 'status-filtered-error'
      ? { ...s, definition: { ...s.definition, documented: { sql: s.definition.documented.sql, params: s.definition.documented.params } } }
      : s));
    const after = check(markdown, unmarked);
    assert.deepEqual(delta(after), { added: [{ kind: 'scenario-sql-missing', section: STATUS, line: 72, scenarioId: 'status-filtered-error', scale: undefined }], removed: [] });
    assert.match(after.items.find((i) => i.scenarioId === 'status-filtered-error')!.message, /closest statement \(line 71\) has `'success'` at line 72 where scenarios\/status-filtered-error\.ts has `'error'`/);
  });

  it("a team query (origin 'team') that the document does not print is no drift", () => {
    const team: LoadedScenario = { ...scenarios[0]!, id: 'my-query', definition: { ...scenarios[0]!.definition, origin: 'team', documented: { sql: 'SELECT 1 FROM executions WHERE id = $1', params: () => [] } } };
    const withTeam = check(markdown, [...scenarios, team]);
    assert.deepEqual(delta(withTeam), { added: [], removed: [] });
    assert.equal(withTeam.checked.scenarios, baseline.checked.scenarios);
  });
});

describe('copies of the document edited in memory', () => {
  it('a changed LIMIT in the recent-failures query -> the scenario is missing at that line and the new statement is uncovered', () => {
    const after = check(edit(markdown, '  LIMIT 10;\n', '  LIMIT 20;\n'));
    assert.deepEqual(delta(after), {
      added: [
        { kind: 'scenario-sql-missing', section: '§3 idx_executions_tenant_env_failed_started', line: 96, scenarioId: 'recent-failures', scale: undefined },
        { kind: 'statement-uncovered', section: 'Index Inventory > §3 Error Tracking Index > idx_executions_tenant_env_failed_started', line: 93, scenarioId: undefined, scale: undefined },
      ],
      removed: [],
    });
    assert.match(after.items.find((i) => i.scenarioId === 'recent-failures')!.message, /has `20` at line 96 where scenarios\/recent-failures\.ts has `10`/);
  });

  it('a figure changed from 5-10ms to 5-8ms -> both scenarios citing the row differ from it at 100k', () => {
    const after = check(edit(markdown, '| 5-10ms |', '| 5-8ms |'));
    const section = 'Query Performance Benchmarks > Results';
    assert.deepEqual(delta(after), {
      added: [
        { kind: 'threshold-differs', section, line: 244, scenarioId: 'paginated-listing', scale: '100k' },
        { kind: 'threshold-differs', section, line: 244, scenarioId: 'plan-validation-example', scale: '100k' },
      ],
      removed: [],
    });
    assert.match(after.items.find((i) => i.kind === 'threshold-differs')!.message, /reads 5-8ms \(upper end 8 ms\) but scenario paginated-listing holds its 100k p95 to 10 ms/);
  });

  it('the recent-failures query block removed -> the scenario is missing and nothing resembles it', () => {
    const block = markdown.split('\n').slice(90, 97).join('\n');
    assert.match(block, /^- \*\*Query Pattern:\*\*\n {2}```sql[\s\S]*LIMIT 10;\n {2}```$/);
    // Blank lines in its place keep every later line number, so the rest of the report is comparable.
    const after = check(edit(markdown, block, '\n'.repeat(6)));
    assert.deepEqual(delta(after), {
      added: [{ kind: 'scenario-sql-missing', section: '§3 idx_executions_tenant_env_failed_started', line: undefined, scenarioId: 'recent-failures', scale: undefined }],
      removed: [],
    });
    assert.match(after.items.find((i) => i.scenarioId === 'recent-failures')!.message, /no statement of the document matches or resembles/);
  });

  it('a table row renamed -> its citation is missing and the renamed row is unjudged', () => {
    const after = check(edit(markdown, '| Recent failures (10 records) |', '| Recent failures (last 10) |'));
    const section = 'Query Performance Benchmarks > Results';
    assert.deepEqual(delta(after), {
      added: [
        { kind: 'table-row-missing', section, line: 242, scenarioId: 'recent-failures', scale: '100k' },
        { kind: 'table-row-unjudged', section, line: 247, scenarioId: undefined, scale: undefined },
      ],
      removed: [],
    });
  });

  it('a 1M row renamed -> only the 1M citations of it are missing (the 100k row keeps its name)', () => {
    const after = check(edit(markdown, '| Sparkline data | 150-300ms |', '| Sparkline (7d) | 150-300ms |'));
    const section = 'Query Performance Benchmarks > 1M+ Executions (Large Tenant)';
    assert.deepEqual(delta(after), {
      added: [
        { kind: 'table-row-missing', section, line: 254, scenarioId: 'sparkline-7d', scale: '1m' },
        { kind: 'table-row-unjudged', section, line: 257, scenarioId: undefined, scale: undefined },
      ],
      removed: [],
    });
  });

  it('an index DDL changed -> it differs from schema/002-spec-indexes.sql at that line, naming both texts', () => {
    const after = check(edit(markdown, 'ON executions(tenant_id, environment_id, started_at DESC)\nWHERE normalized_status', 'ON executions(tenant_id, environment_id, started_at ASC)\nWHERE normalized_status'));
    assert.deepEqual(delta(after), {
      added: [{ kind: 'index-ddl-differs', section: 'Index Inventory > §3 Error Tracking Index > idx_executions_tenant_env_failed_started', line: 87, scenarioId: undefined, scale: undefined }],
      removed: [],
    });
    assert.match(after.items.find((i) => i.kind === 'index-ddl-differs')!.message, /index idx_executions_tenant_env_failed_started has `ASC` where schema\/002-spec-indexes\.sql line 19 has `DESC`/);
  });

  it('the upsert ON CONFLICT target changed -> both upsert scenarios are missing though the document elides the rest', () => {
    const after = check(edit(markdown, 'ON CONFLICT (tenant_id, environment_id, execution_id)\n', 'ON CONFLICT (tenant_id, environment_id, execution_id) WHERE execution_id IS NOT NULL\n'));
    const section = '§6 idx_executions_unique_tenant_env_execution';
    assert.deepEqual(delta(after), {
      added: [
        { kind: 'scenario-sql-missing', section, line: 180, scenarioId: 'upsert-conflict', scale: undefined },
        { kind: 'scenario-sql-missing', section, line: 180, scenarioId: 'upsert-insert', scale: undefined },
        { kind: 'statement-uncovered', section: 'Index Inventory > §6 Idempotent Ingestion Index > idx_executions_unique_tenant_env_execution', line: 178, scenarioId: undefined, scale: undefined },
      ],
      removed: [],
    });
    assert.match(after.items.find((i) => i.scenarioId === 'upsert-conflict')!.message, /has `WHERE execution_id IS NOT NULL` at line 180, which scenarios\/upsert-conflict\.ts does not fit/);
  });

  it('an index the schema builds but the document no longer prints is named with its schema file', () => {
    const extra = { file: 'schema/optional/extra.sql', sql: '-- not in the document\nCREATE INDEX idx_extra ON executions(mode);\n' };
    const after = check(markdown, scenarios, [...schema, extra]);
    const added = after.items.filter((i) => !baseline.items.some((b) => b.message === i.message));
    assert.deepEqual(added.map((i) => [i.kind, i.section, i.subject]), [['schema-ddl-undocumented', 'schema/optional/extra.sql', 'idx_extra']]);
    assert.match(added[0]!.message, /schema\/optional\/extra\.sql line 2 creates index idx_extra/);
  });
});

describe('findings and the console block', () => {
  it('every drift item becomes a warning whose id starts with document-drift- and whose spec is the section', () => {
    const findings = documentFindings(baseline);
    assert.equal(findings.length, baseline.items.length);
    assert.ok(findings.every((f) => f.severity === 'warning' && f.id.startsWith('document-drift-')));
    assert.equal(new Set(findings.map((f) => f.id)).size, findings.length, 'ids are unique');
    assert.deepEqual([findings[0]!.id, findings[0]!.spec], ['document-drift-statement-uncovered-line-272', 'Maintenance & Monitoring > §1 Weekly VACUUM ANALYZE']);
  });

  it('the console block counts what was checked and gives one line per item with its section and line', () => {
    const lines = renderDocumentCheck(baseline).split('\n');
    assert.equal(lines[0], `Document ${DOCUMENT}: checked against the 18 scenarios that quote it (29 statements, 10 table rows); 6 drifted:`);
    assert.equal(lines.length, 1 + 6 + 1);
    assert.match(lines[1]!, /^ {2}Maintenance & Monitoring > §1 Weekly VACUUM ANALYZE, line 272: No scenario runs/);
    assert.equal(lines.at(-1), '  Not checkable (the document prints no SQL for them): covering-percentiles, daily-stats-live-aggregate, daily-stats-view, single-execution-lookup.');
  });

  it('a document that agrees with every scenario renders "none drifted."', () => {
    const clean: DocumentCheck = { ...baseline, items: [], notCheckable: [] };
    assert.equal(renderDocumentCheck(clean), `Document ${DOCUMENT}: checked against the 18 scenarios that quote it (29 statements, 10 table rows); none drifted.`);
  });
});

describe('parseDocument', () => {
  const md = [
    '# Title', //                     1
    '## Part', //                     2
    '### 1. First `thing`', //        3
    '- **Pattern:**', //              4
    '  ```sql', //                    5
    "  SELECT ';' FROM t -- a; b", // 6
    '  WHERE a = ?;', //              7
    '  -- note', //                   8
    '  CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;', // 9
    '  ```', //                       10
    '| Name | Time |', //             11
    '|------|------|', //             12
    '| A (1) | 1-2ms |', //           13
    '```sql', //                      14
    '# not a heading', //             15
    '```', //                         16
  ].join('\n');
  const doc = parseDocument(md, 'x.md');

  it('reads headings with their level, line, plain path and §-numbered label', () => {
    assert.deepEqual(doc.sections.map((s) => [s.level, s.line, s.path, s.label]), [
      [1, 1, [], 'Title'],
      [2, 2, ['Part'], 'Part'],
      [3, 3, ['Part', 'First thing'], 'Part > §1 First thing'],
    ]);
  });

  it('splits an indented sql block at top-level semicolons only, with each statement on its own line', () => {
    const [first, second] = doc.sqlBlocks;
    assert.equal(first!.line, 6);
    assert.equal(first!.section, 'Part > §1 First thing');
    assert.deepEqual(first!.statements.map((s) => [s.line, s.text]), [
      [6, "SELECT ';' FROM t -- a; b\nWHERE a = ?;"],
      [9, 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;'],
    ]);
    assert.equal(second!.text, '# not a heading', 'a # line inside a fence is not a heading');
    assert.equal(doc.sections.length, 3);
  });

  it('reads a pipe table with its header and each row with its line', () => {
    assert.deepEqual(doc.tables.map((t) => [t.line, t.section, t.header, t.rows]), [[11, 'Part > §1 First thing', ['Name', 'Time'], [{ cells: ['A (1)', '1-2ms'], line: 13 }]]]);
  });

  it('splitStatements keeps a trailing statement without a semicolon', () => {
    assert.deepEqual(splitStatements('SELECT 1;\nSELECT 2').map((s) => [s.line, s.text]), [[1, 'SELECT 1;'], [2, 'SELECT 2']]);
  });

  it('upperEndMs reads the upper end of a range, a single figure and seconds', () => {
    assert.deepEqual(['5-10ms', '20-40ms per batch', '~2ms', '1.5 s', 'fast'].map(upperEndMs), [10, 40, 2, 1500, undefined]);
  });
});

describe('readDocumentFile', () => {
  it('returns the text of a readable document', async () => {
    assert.equal(await readDocumentFile(path.join(ROOT, DOCUMENT)), markdown);
  });

  it('a missing, non-file or empty document is a UsageError naming the path and the fix', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'execbench-spec-'));
    const empty = path.join(dir, 'empty.md');
    await writeFile(empty, '  \n');
    const missing = path.join(dir, 'nope.md');
    for (const [file, what] of [[missing, /no such file/], [dir, /is not a file/], [empty, /is empty/]] as const) {
      await assert.rejects(readDocumentFile(file), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.ok(error.message.includes(`'${file}'`), error.message);
        assert.match(error.message, what);
        assert.match(error.message, /--spec/);
        assert.equal(error.message.split('\n').length, 1);
        return true;
      });
    }
  });

  it('a copy of the document that prints execbench\'s correction instead of the original SQL has applied the fix: not drift', () => {
    const listing = scenarios.find((s) => s.id === 'paginated-listing')!;
    const original = listing.definition.documented.sql.trim().replace(/;$/, '');
    const at = markdown.indexOf(original.split('\n')[0]!);
    assert.ok(at !== -1, 'the document prints the listing query');
    const end = markdown.indexOf(';', at);
    const fixed = markdown.slice(0, at) + listing.definition.corrected!.sql.trim().replace(/;$/, '') + markdown.slice(end);
    const result = check(fixed);
    assert.deepEqual(result.items.filter((i) => i.scenarioId === 'paginated-listing'), [], 'no drift item for the fixed statement');
    assert.ok(result.correctionsApplied?.includes('paginated-listing'));
    assert.match(renderDocumentCheck(result), /prints execbench's correction instead of the original SQL \(the fix applied, not drift\): .*paginated-listing/);
    // Anything else in its place is still drift.
    const rewritten = markdown.slice(0, at) + 'SELECT 1' + markdown.slice(end);
    assert.ok(check(rewritten).items.some((i) => i.scenarioId === 'paginated-listing' && i.kind === 'scenario-sql-missing'));
    assert.equal(baseline.correctionsApplied, undefined, 'the original document applies no correction');
  });
});
