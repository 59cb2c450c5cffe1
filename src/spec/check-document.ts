// Checks the document against what execbench runs: every scenario's documented SQL must still be printed in it,
// every statement it prints must be run by a scenario or built by a schema file, and the benchmark tables' figures
// must still be the thresholds the scenarios cite. Pure: the caller reads the document and the schema files.
import type { Finding } from '../results.ts';
import { NAMED_SCALES, type NamedScale } from '../scenario/define.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { splitStatements, type SpecDocument, type SqlToken } from './read-document.ts';
import { command, commonEnds, createdObject, elidedEnds, fitsElided, sameTokens, withoutExplain } from './match-sql.ts';

/** What kind of drift an item is. */
export type DriftKind =
  /** A scenario's documented SQL is printed nowhere in the document. */
  | 'scenario-sql-missing'
  /** A statement of the document that no scenario runs and no schema file builds. */
  | 'statement-uncovered'
  /** A CREATE INDEX of the document differs from the schema file's index of the same name. */
  | 'index-ddl-differs'
  /** Another CREATE (materialized view, table, view, function) differs from the schema file's object of the same name. */
  | 'schema-ddl-differs'
  /** A schema file builds an object the document no longer prints. */
  | 'schema-ddl-undocumented'
  /** A benchmark table's figure is not the threshold a scenario cites it for. */
  | 'threshold-differs'
  /** A threshold cites a benchmark table row (or table) the document no longer has. */
  | 'table-row-missing'
  /** A benchmark table row no threshold cites: a figure execbench does not judge. */
  | 'table-row-unjudged';

/** One place where the document and execbench no longer agree. */
export interface DriftItem {
  kind: DriftKind;
  /** The document section (a scenario's spec field for scenario items; the schema file for schema-ddl-undocumented). */
  section: string;
  /** 1-based line in the document. */
  line?: number;
  scenarioId?: string;
  scale?: NamedScale;
  /** The object or table row the item is about, when it is not a scenario. */
  subject?: string;
  /** One sentence a reader can act on. */
  message: string;
}

/** A scenario whose SQL execbench wrote where the document prints none to compare it with. */
export interface NotCheckable {
  scenarioId: string;
  section: string;
  reason: string;
}

/** The outcome of checking one document. */
export interface DocumentCheck {
  file: string;
  items: DriftItem[];
  notCheckable: NotCheckable[];
  checked: { scenarios: number; statements: number; tableRows: number };
  /**
   * Scenarios whose documented SQL the document no longer prints because it prints execbench's correction instead
   * (the fix applied to the team's copy): not drift. Absent when there are none.
   */
  correctionsApplied?: string[];
}

/** A schema SQL file as the caller read it (schema/002-spec-indexes.sql, schema/optional/*.sql). */
export interface SchemaSqlFile {
  file: string;
  sql: string;
}

/**
 * The two benchmark tables thresholds cite, by the prefix src/scenario/spec-thresholds.ts writes in a threshold's
 * source and the section path of the heading the table sits under.
 */
const BENCHMARK_TABLES = [
  { cite: 'spec "Query Performance Benchmarks", 100k table', path: ['Query Performance Benchmarks', 'Results'], qualifierOptional: false },
  // The 1M table names its rows without the 100k table's parenthesised sizes ("Paginated listing" for "Paginated
  // listing (50 records)"), and fromBothTables cites one name for both tables: here a cited row also matches its
  // name without the trailing "(...)". Only here: in the 100k table a dropped qualifier is a rename to report.
  { cite: 'spec "1M+ Executions (Large Tenant)" table', path: ['Query Performance Benchmarks', '1M+ Executions (Large Tenant)'], qualifierOptional: true },
] as const;

const FIGURE_COLUMN = 'execution time';
/** Below this share of equal leading and trailing tokens a statement is not "the closest" one worth quoting. */
const RESEMBLANCE = 0.75;

interface DocStatement {
  /** Tokens with a leading EXPLAIN [(options)] removed. */
  tokens: SqlToken[];
  /** The statement's text and the offset of its first token in the text it was tokenized from. */
  text: string;
  base: number;
  line: number;
  section: string;
  sectionPath: string[];
}

/**
 * Checks the document against the scenarios and, for the objects it CREATEs, the schema files (without them every
 * CREATE is reported as built by nothing). Statements no scenario runs (VACUUM, REINDEX, the troubleshooting
 * snippets) are reported, not excused: the report is the list of what the document says and execbench does not test.
 */
export function checkDocument(doc: SpecDocument, scenarios: LoadedScenario[], schemaSql: SchemaSqlFile[] = []): DocumentCheck {
  const items: DriftItem[] = [];
  const notCheckable: NotCheckable[] = [];
  const statements: DocStatement[] = doc.sqlBlocks.flatMap((block) => block.statements.map((s) => ({
    tokens: withoutExplain(s.tokens), text: s.text, base: s.tokens[0]?.start ?? 0, line: s.line, section: block.section, sectionPath: block.sectionPath,
  })));
  // A team's query (origin 'team') is not the document's: it neither claims a statement nor cites a table.
  const documentScenarios = scenarios.filter((s) => s.definition.origin !== 'team');
  const covered = new Set<DocStatement>();
  const correctionsApplied: string[] = [];
  let scenariosChecked = 0;

  for (const scenario of documentScenarios) {
    const { spec, documented } = scenario.definition;
    const written = documented.writtenByExecbench !== undefined;
    const named = statements.filter((d) => namesSection(spec, d.sectionPath));
    let checkable = true;
    const missing: DriftItem[] = [];
    for (const part of splitStatements(documented.sql)) {
      const tokens = withoutExplain(part.tokens);
      // Where execbench completed the SQL (writtenByExecbench) it is held only to what the section its spec names
      // prints: the document's `...` stands for anything, and a parameter or another string may stand where the
      // document prints a literal. If that section prints no statement of the same command (no SELECT for a
      // SELECT), the document elides the query entirely and there is nothing to check it against.
      const matches = statements.filter((d) => sameTokens(d.tokens, tokens) || (written && named.includes(d) && fitsElided(d.tokens, tokens)));
      matches.forEach((d) => covered.add(d));
      if (matches.length > 0) continue;
      if (written && !named.some((d) => command(d.tokens) === command(tokens))) {
        checkable = false;
        continue;
      }
      const source = { text: part.text, base: part.tokens[0]?.start ?? 0 };
      missing.push(missingScenarioItem(scenario, tokens, source, named.length > 0 ? named : statements));
    }
    // The documented SQL is gone because the document now prints execbench's correction of it (a team applied the
    // finding's fix to its copy): the document and the scenario agree on what should run, so that is not drift.
    const corrected = scenario.definition.corrected;
    const fixParts = corrected ? splitStatements(corrected.sql).map((p) => withoutExplain(p.tokens)) : [];
    const fixPrinted = missing.length > 0 && fixParts.length > 0 && fixParts.every((t) => statements.some((d) => sameTokens(d.tokens, t)));
    if (fixPrinted) {
      for (const t of fixParts) statements.filter((d) => sameTokens(d.tokens, t)).forEach((d) => covered.add(d));
      correctionsApplied.push(scenario.id);
    } else items.push(...missing);
    if (checkable) scenariosChecked++;
    else notCheckable.push({ scenarioId: scenario.id, section: spec, reason: `the document prints no SQL to match it against (${documented.writtenByExecbench})` });
  }

  const schemaObjects = schemaSql.flatMap(({ file, sql }) => splitStatements(sql).flatMap((s) => {
    const object = createdObject(s.tokens);
    return object ? [{ file, ...object, tokens: s.tokens, text: s.text, base: s.tokens[0]?.start ?? 0, line: s.line }] : [];
  }));
  const documentedObjects = new Set<string>();
  for (const d of statements) {
    const object = createdObject(d.tokens);
    const built = object && schemaObjects.find((o) => o.name === object.name);
    if (object && built) {
      documentedObjects.add(object.name);
      if (sameTokens(d.tokens, built.tokens)) continue;
      const { prefix, suffix } = commonEnds(d.tokens, built.tokens);
      items.push({
        kind: object.kind === 'index' ? 'index-ddl-differs' : 'schema-ddl-differs',
        section: d.section,
        line: (d.tokens[prefix] ?? d.tokens[prefix - 1])?.line ?? d.line,
        subject: object.name,
        message: `The document's ${object.kind} ${object.name} has ${quote(d.tokens.slice(prefix, d.tokens.length - suffix), d)} where ${built.file} line ${built.line} has ${quote(built.tokens.slice(prefix, built.tokens.length - suffix), built)}; update ${built.file} (execbench builds what the schema creates) or the document.`,
      });
      continue;
    }
    if (covered.has(d)) continue;
    items.push({
      kind: 'statement-uncovered',
      section: d.section,
      line: d.line,
      ...(object ? { subject: object.name } : {}),
      message: object
        ? `No schema file creates ${object.kind} ${object.name} and no scenario runs it; add it to the schema files (schema/002-spec-indexes.sql or schema/optional/) so execbench builds and judges it.`
        : `No scenario runs \`${oneLine(d.text)}\`; add a scenario for it, or accept that execbench does not execute this statement.`,
    });
  }
  for (const o of schemaObjects) {
    if (documentedObjects.has(o.name)) continue;
    items.push({
      kind: 'schema-ddl-undocumented',
      section: o.file,
      subject: o.name,
      message: `${o.file} line ${o.line} creates ${o.kind} ${o.name}, which the document no longer prints; drop it from ${o.file} or restore it in the document.`,
    });
  }

  const tableRows = checkBenchmarkTables(doc, documentScenarios, items);
  return { file: doc.file, items, notCheckable, checked: { scenarios: scenariosChecked, statements: statements.length, tableRows }, ...(correctionsApplied.length > 0 ? { correctionsApplied } : {}) };
}

function missingScenarioItem(scenario: LoadedScenario, tokens: SqlToken[], source: { text: string; base: number }, candidates: DocStatement[]): DriftItem {
  const { label } = scenario;
  const written = scenario.definition.documented.writtenByExecbench !== undefined;
  const base = { kind: 'scenario-sql-missing' as const, section: scenario.definition.spec, scenarioId: scenario.id };
  // SQL execbench completed is compared the way it is matched (elisions, literals), so only the document's side of
  // the difference can be quoted; SQL printed in full is compared token for token and both sides are quoted.
  const compared = candidates.map((d) => {
    const ends = written ? elidedEnds(d.tokens, tokens) : commonEnds(d.tokens, tokens);
    const score = (ends.prefix + ends.suffix) / Math.max(d.tokens.length, written ? 1 : tokens.length, 1);
    return { d, ends, score };
  });
  const best = compared.reduce<(typeof compared)[number] | undefined>((a, b) => (a === undefined || b.score > a.score ? b : a), undefined);
  if (!best || best.score < RESEMBLANCE) {
    return { ...base, message: `Scenario ${scenario.id} runs SQL that no statement of the document matches or resembles (its query block is gone or rewritten); restore the block or update ${label}.` };
  }
  const { d, ends } = best;
  const docPart = quote(d.tokens.slice(ends.prefix, d.tokens.length - ends.suffix), d);
  const line = (d.tokens[ends.prefix] ?? d.tokens[ends.prefix - 1])?.line ?? d.line;
  const at = line !== d.line ? ` at line ${line}` : '';
  const theirs = written
    ? `, which ${label} does not fit`
    : ` where ${label} has ${quote(tokens.slice(ends.prefix, tokens.length - ends.suffix), source)}`;
  return {
    ...base,
    line,
    message: `Scenario ${scenario.id} runs SQL the document does not print: its closest statement (line ${d.line}) has ${docPart}${at}${theirs}; update ${label} or the document.`,
  };
}

/** Checks every threshold that cites a benchmark table row, and names rows no threshold cites. Returns the rows read. */
function checkBenchmarkTables(doc: SpecDocument, scenarios: LoadedScenario[], items: DriftItem[]): number {
  let rowsRead = 0;
  for (const spec of BENCHMARK_TABLES) {
    const table = doc.tables.find((t) => t.sectionPath.length >= spec.path.length && spec.path.every((p, k) => t.sectionPath[t.sectionPath.length - spec.path.length + k] === p));
    const heading = spec.path.at(-1)!;
    const figureAt = table?.header.findIndex((h) => h.toLowerCase() === FIGURE_COLUMN) ?? -1;
    const rows = (table?.rows ?? []).map((r) => ({ ...r, name: r.cells[0] ?? '', figure: figureAt >= 0 ? r.cells[figureAt] ?? '' : '' }));
    rowsRead += rows.length;
    const cited = new Set<number>();
    for (const scenario of scenarios) {
      for (const scale of NAMED_SCALES) {
        const threshold = scenario.definition.thresholds?.[scale];
        if (!threshold || !threshold.source.startsWith(`${spec.cite}: `)) continue;
        const rowName = threshold.source.slice(spec.cite.length + 2);
        const base = { scenarioId: scenario.id, scale, subject: rowName };
        if (!table) {
          items.push({ ...base, kind: 'table-row-missing', section: spec.path.join(' > '), message: `Scenario ${scenario.id} cites the "${heading}" table for its ${scale} threshold, but the document has no table under a "${heading}" heading; restore the table or change the threshold's source.` });
          continue;
        }
        const row = rows.find((r) => r.name === rowName) ?? (spec.qualifierOptional ? rows.find((r) => r.name === withoutQualifier(rowName)) : undefined);
        if (!row) {
          items.push({ ...base, kind: 'table-row-missing', section: table.section, line: table.line, message: `Scenario ${scenario.id} cites row '${rowName}' of the "${heading}" table for its ${scale} threshold, but the table has no such row; restore the row or cite its new name in the scenario's thresholds.` });
          continue;
        }
        cited.add(row.line);
        const upper = upperEndMs(row.figure);
        if (upper === threshold.p95Ms) continue;
        items.push({
          ...base,
          kind: 'threshold-differs',
          section: table.section,
          line: row.line,
          message: upper === undefined
            ? `Row '${row.name}' has no readable Execution Time figure ('${row.figure}'), so scenario ${scenario.id}'s ${scale} p95 of ${threshold.p95Ms} ms is unsupported; write the figure as a range such as 5-10ms.`
            : `Row '${row.name}' reads ${row.figure} (upper end ${upper} ms) but scenario ${scenario.id} holds its ${scale} p95 to ${threshold.p95Ms} ms; set the threshold to ${upper} ms or restore the figure.`,
        });
      }
    }
    for (const row of rows) {
      if (cited.has(row.line) || !table) continue;
      items.push({
        kind: 'table-row-unjudged',
        section: table.section,
        line: row.line,
        subject: row.name,
        message: `Row '${row.name}' (${row.figure}) is cited by no scenario's threshold, so execbench does not judge it; cite it from a scenario's thresholds or drop it from the table.`,
      });
    }
  }
  return rowsRead;
}

/** The upper end of a figure such as '5-10ms', '20-40ms per batch', '~2ms' or '1.5 s', in ms. */
export function upperEndMs(figure: string): number | undefined {
  const range = /(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*(ms|s)\b/.exec(figure);
  const single = range ? undefined : /(\d+(?:\.\d+)?)\s*(ms|s)\b/.exec(figure);
  const value = range ? Number(range[2]) : single ? Number(single[1]) : undefined;
  const unit = range?.[3] ?? single?.[2];
  if (value === undefined) return undefined;
  return unit === 's' ? value * 1000 : value;
}

function withoutQualifier(row: string): string {
  return row.replace(/\s*\([^()]*\)\s*$/, '');
}

/**
 * Whether a scenario's spec field names a section on this path ('§2 idx_executions_tenant_env_started' names the
 * heading `idx_executions_tenant_env_started`): the heading's plain title occurs in it as a whole phrase.
 */
function namesSection(spec: string, sectionPath: string[]): boolean {
  return sectionPath.some((title) => {
    let at = spec.indexOf(title);
    while (at !== -1) {
      const before = spec[at - 1];
      const after = spec[at + title.length];
      if ((before === undefined || !/\w/.test(before)) && (after === undefined || !/\w/.test(after))) return true;
      at = spec.indexOf(title, at + 1);
    }
    return false;
  });
}

/** Tokens quoted from their source text, or 'nothing'. */
function quote(tokens: SqlToken[], source: { text: string; base: number }): string {
  if (tokens.length === 0) return 'nothing';
  return `\`${oneLine(source.text.slice(tokens[0]!.start - source.base, tokens.at(-1)!.end - source.base))}\``;
}

function oneLine(sql: string, max = 70): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

const TITLES: Record<DriftKind, string> = {
  'scenario-sql-missing': 'A scenario runs SQL the document no longer prints',
  'statement-uncovered': 'A document statement no scenario runs',
  'index-ddl-differs': 'A document index differs from the schema execbench builds',
  'schema-ddl-differs': 'A document object differs from the schema execbench builds',
  'schema-ddl-undocumented': 'The schema builds an object the document no longer prints',
  'threshold-differs': 'A benchmark figure differs from its threshold',
  'table-row-missing': 'A threshold cites a benchmark row the document no longer has',
  'table-row-unjudged': 'A benchmark row no threshold judges',
};

/** The drift items as warnings for the run's findings, ids prefixed 'document-drift-'. */
export function documentFindings(check: DocumentCheck): Finding[] {
  return check.items.map((item) => ({
    id: ['document-drift', item.kind, item.scenarioId, item.scale, item.line !== undefined ? `line-${item.line}` : undefined, item.line === undefined ? item.subject : undefined]
      .filter((part): part is string => part !== undefined)
      .join('-')
      .replace(/[^A-Za-z0-9_-]+/g, '-'),
    severity: 'warning',
    spec: item.section,
    title: TITLES[item.kind],
    detail: item.message,
    ...(item.scenarioId !== undefined ? { scenarioId: item.scenarioId } : {}),
    ...(item.scale !== undefined ? { scale: item.scale } : {}),
  }));
}

/** A short console block: the counts, one line per drift item, and the scenarios that could not be checked. */
export function renderDocumentCheck(check: DocumentCheck): string {
  const { scenarios, statements, tableRows } = check.checked;
  const drifted = check.items.length;
  const lines = [`Document ${check.file}: checked against the ${scenarios} scenarios that quote it (${statements} statements, ${tableRows} table rows); ${drifted === 0 ? 'none' : drifted} drifted${drifted === 0 ? '.' : ':'}`];
  for (const item of check.items) {
    lines.push(`  ${item.section}${item.line !== undefined ? `, line ${item.line}` : ''}: ${item.message}`);
  }
  if (check.correctionsApplied) {
    lines.push(`  The document prints execbench's correction instead of the original SQL (the fix applied, not drift): ${check.correctionsApplied.join(', ')}.`);
  }
  if (check.notCheckable.length > 0) {
    lines.push(`  Not checkable (the document prints no SQL for them): ${check.notCheckable.map((n) => n.scenarioId).join(', ')}.`);
  }
  return lines.join('\n');
}
