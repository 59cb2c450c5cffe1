// Reads a results.json written by `execbench run` and checks it is one, before any comparison trusts it.
import { readFile } from 'node:fs/promises';
import { BaselineError } from '../errors.ts';
import { RESULTS_SCHEMA_VERSION, type RunResults } from '../results.ts';

/**
 * Reads and validates a results.json. Every failure is a BaselineError (exit 4) naming the file and the fix:
 * missing or unreadable file, text that is not JSON, another schemaVersion, or a document missing the fields
 * the gate reads. Nothing is written.
 */
export async function readResultsFile(path: string, role: 'baseline' | 'current' | 'results' = 'results'): Promise<RunResults> {
  const what = role === 'results' ? 'results file' : `${role} file`;
  const remake = 'Point to a results.json written by `execbench run` (reports/<run-id>/results.json), or make a new one with `execbench run`.';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
    throw new BaselineError(`Cannot read ${what} '${path}': ${why}. ${remake}`, { cause });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new BaselineError(`Cannot read ${what} '${path}': not JSON (${(cause as Error).message}). ${remake}`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new BaselineError(`Cannot read ${what} '${path}': expected a JSON object, found ${Array.isArray(doc) ? 'an array' : String(doc)}. ${remake}`);
  }
  const version = (doc as { schemaVersion?: unknown }).schemaVersion;
  if (version !== RESULTS_SCHEMA_VERSION) {
    throw new BaselineError(
      `Cannot use ${what} '${path}': schemaVersion ${JSON.stringify(version)}, this execbench reads ${RESULTS_SCHEMA_VERSION}. ` +
        'Re-create it with this version of `execbench run`.',
    );
  }
  const missing = missingFields(doc as Record<string, unknown>);
  if (missing.length > 0) {
    throw new BaselineError(`Cannot use ${what} '${path}': missing or malformed ${missing.join(', ')}. ${remake}`);
  }
  return doc as RunResults;
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
