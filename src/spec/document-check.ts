// The document a run checks its scenarios against: docs/execution-indexes.md (the repository's copy) unless --spec
// names the team's own. Read and checked before any server starts: a bad path is one line, exit 3.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../results.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { SCHEMA_DIR } from '../seed/schema-files.ts';
import { checkDocument, documentFindings, renderDocumentCheck, type DocumentCheck, type SchemaSqlFile } from './check-document.ts';
import { parseDocument, readDocumentFile } from './read-document.ts';

/** The repository's copy of the document: what execbench checks when --spec names no other. */
export const DEFAULT_DOCUMENT = fileURLToPath(new URL('../../docs/execution-indexes.md', import.meta.url));

/** What a run says about the document: the check, its findings, and the lines to print. */
export interface DocumentReview {
  check: DocumentCheck;
  /** Findings for the results document: every drift item with --spec; none for the default copy (its summary line says how many). */
  findings: Finding[];
  /** Printed at the end of the run: the full block with --spec, else one line. */
  lines: string[];
}

/** The schema files whose CREATE statements the document's DDL is checked against. */
function schemaSql(): SchemaSqlFile[] {
  const read = (file: string): SchemaSqlFile => ({ file: path.relative(path.resolve(SCHEMA_DIR, '..'), file), sql: readFileSync(file, 'utf8') });
  const optional = path.join(SCHEMA_DIR, 'optional');
  return [
    read(path.join(SCHEMA_DIR, '002-spec-indexes.sql')),
    ...readdirSync(optional).filter((f) => f.endsWith('.sql')).sort().map((f) => read(path.join(optional, f))),
  ];
}

/** Reads and checks the document; `given` is --spec's path (undefined: the repository's copy). */
export async function reviewDocument(given: string | undefined, scenarios: LoadedScenario[]): Promise<DocumentReview> {
  const file = given ?? DEFAULT_DOCUMENT;
  const shown = path.relative(process.cwd(), file) || file;
  const check = checkDocument(parseDocument(await readDocumentFile(file), shown), scenarios, schemaSql());
  if (given !== undefined) return { check, findings: documentFindings(check), lines: [renderDocumentCheck(check)] };
  // Statements no scenario runs (maintenance commands, troubleshooting snippets) are said apart: they are not drift.
  const uncovered = check.items.filter((i) => i.kind === 'statement-uncovered').length;
  const drifted = check.items.length - uncovered;
  return {
    check,
    findings: [],
    lines: [`Document ${shown}: checked against the ${check.checked.scenarios} scenarios that quote it (${check.checked.statements} statements, ${check.checked.tableRows} table rows); ` +
      `${drifted === 0 ? 'no drift' : `${drifted} item(s) drifted (SQL, figures or DDL that moved)`}` +
      `${uncovered > 0 ? `; ${uncovered} statement(s) no scenario runs (maintenance commands, troubleshooting snippets)` : ''}` +
      `${check.correctionsApplied ? `; it prints execbench's correction for ${check.correctionsApplied.join(', ')} (the fix applied, not drift)` : ''}` +
      `${check.items.length > 0 ? `: --spec ${shown} lists them` : ''}.`],
  };
}
