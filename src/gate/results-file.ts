// Reads a results.json written by `execbench run` and checks it is one, before any comparison trusts it.
import { readFile } from 'node:fs/promises';
import { BaselineError } from '../errors.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults } from '../results.ts';

/** Why a file is not a results document, found before any field is read; each reader words it for its command. */
export type ResultsTextProblem =
  | { kind: 'unreadable'; error: NodeJS.ErrnoException }
  | { kind: 'empty' }
  | { kind: 'not-json'; error: Error }
  | { kind: 'not-object'; value: unknown }
  | { kind: 'no-version' }
  | { kind: 'newer'; version: number }
  | { kind: 'other-version'; version: unknown };

/**
 * The file-level checks every reader of a results.json makes, in order: readable, not empty, JSON, an object, and
 * of this schema (schema 1 read as the current one: upgradeFromV1). The fields are the caller's to check.
 */
export async function readResultsText(path: string): Promise<{ doc: Record<string, unknown> } | { problem: ResultsTextProblem }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { problem: { kind: 'unreadable', error: error as NodeJS.ErrnoException } };
  }
  if (text.trim() === '') return { problem: { kind: 'empty' } };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { problem: { kind: 'not-json', error: error as Error } };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { problem: { kind: 'not-object', value: doc } };
  const version = (doc as { schemaVersion?: unknown }).schemaVersion;
  if (version === 1) upgradeFromV1(doc as RunResults);
  else if (version === undefined) return { problem: { kind: 'no-version' } };
  else if (typeof version === 'number' && version > RESULTS_SCHEMA_VERSION) return { problem: { kind: 'newer', version } };
  else if (version !== RESULTS_SCHEMA_VERSION) return { problem: { kind: 'other-version', version } };
  return { doc: doc as Record<string, unknown> };
}

/**
 * Reads and validates a results.json. Every failure is a BaselineError (exit 4) naming the file and the fix:
 * missing or unreadable file, text that is not JSON, another schemaVersion, or a document missing the fields
 * the gate reads. Nothing is written.
 */
export async function readResultsFile(path: string, role: 'baseline' | 'current' | 'results' = 'results'): Promise<RunResults> {
  const what = role === 'results' ? 'results file' : `${role} file`;
  const remake = 'Point to a results.json written by `execbench run` (reports/<run-id>/results.json), or make a new one with `execbench run`.';
  const read = await readResultsText(path);
  if ('problem' in read) {
    const p = read.problem;
    switch (p.kind) {
      case 'unreadable': {
        const code = p.error.code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : p.error.message;
        throw new BaselineError(`Cannot read ${what} '${path}': ${why}. ${remake}`, { cause: p.error });
      }
      case 'empty':
        throw new BaselineError(`Cannot read ${what} '${path}': the file is empty. ${remake}`);
      case 'not-json':
        throw new BaselineError(`Cannot read ${what} '${path}': not JSON (${p.error.message}). ${remake}`, { cause: p.error });
      case 'not-object':
        throw new BaselineError(`Cannot read ${what} '${path}': expected a JSON object, found ${Array.isArray(p.value) ? 'an array' : String(p.value)}. ${remake}`);
      case 'no-version':
        throw new BaselineError(`Cannot use ${what} '${path}': not an execbench results document (it has no schemaVersion). ${remake}`);
      case 'newer':
        throw new BaselineError(`Cannot use ${what} '${path}': it is a results document of schema ${p.version}, from a newer execbench; this one reads ${RESULTS_SCHEMA_VERSION}. Compare it with that execbench, or re-create it with this one.`);
      case 'other-version':
        throw new BaselineError(
          `Cannot use ${what} '${path}': schemaVersion ${JSON.stringify(p.version)}, this execbench reads ${RESULTS_SCHEMA_VERSION}. ` +
            'Re-create it with this version of `execbench run`.',
        );
    }
  }
  const missing = missingFields(read.doc);
  if (missing.length > 0) {
    throw new BaselineError(`Cannot use ${what} '${path}': missing or malformed ${missing.join(', ')}. ${remake}`);
  }
  return read.doc as unknown as RunResults;
}

/**
 * Schema 1 (before the two clocks and latency verdicts) read as schema 2: its client clock included decoding the
 * rows, its server clock was EXPLAIN ANALYZE, and its thresholds judged the client p95. Old baselines keep working:
 * their plans, buffers and rows compare as before, and their time compares on the client clock (compare.ts uses
 * the server clock only where both runs read it the same way).
 */
export function upgradeFromV1(doc: RunResults): void {
  (doc as { schemaVersion: number }).schemaVersion = RESULTS_SCHEMA_VERSION;
  for (const r of Array.isArray(doc.scenarios) ? doc.scenarios : []) {
    if (r.threshold && (r.threshold as { clock?: unknown }).clock === undefined) r.threshold.clock = 'client';
    const latency = r.latency as (Partial<NonNullable<typeof r.latency>> & Pick<NonNullable<typeof r.latency>, 'client' | 'server'>) | undefined;
    if (!latency) continue;
    latency.serverMethod ??= 'explain-analyze';
    latency.protocol ??= 'unnamed';
    latency.breakdown ??= {
      serverMs: latency.server.p50Ms, wireMs: Math.max(0, latency.client.p50Ms - latency.server.p50Ms), decodeMs: 0,
      rows: r.plan?.rowsReturned ?? 0,
    };
  }
}

/** The fields the gate and the guardrails read, checked for type. */
function missingFields(doc: Record<string, unknown>): string[] {
  const missing: string[] = [];
  const at = (path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);
  if (typeof at('runId') !== 'string') missing.push('runId');
  if (!Array.isArray(at('scenarios'))) missing.push('scenarios');
  if (!Array.isArray(at('datasets'))) missing.push('datasets');
  if (!Array.isArray(at('options.scales'))) missing.push('options.scales');
  if (typeof at('options.strictSpec') !== 'boolean') missing.push('options.strictSpec');
  if (typeof at('environment.postgres.versionNum') !== 'number') missing.push('environment.postgres.versionNum');
  if (typeof at('environment.postgres.settings') !== 'object') missing.push('environment.postgres.settings');
  if (typeof at('environment.machine') !== 'object') missing.push('environment.machine');
  const scenarios = at('scenarios');
  if (Array.isArray(scenarios)) {
    const bad = scenarios.findIndex((s) => {
      const r = s as Partial<Record<string, unknown>>;
      return typeof r?.scenarioId !== 'string' || typeof r.scale !== 'string' || typeof r.form !== 'string' ||
        typeof r.gated !== 'boolean' || typeof (r.outcome as { status?: unknown } | undefined)?.status !== 'string';
    });
    if (bad >= 0) missing.push(`scenarios[${bad}] (scenarioId, scale, form, gated, outcome.status)`);
  }
  return missing;
}
