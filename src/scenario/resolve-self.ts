// A team's query files `import { defineQuery } from 'execbench'`, from a folder of their own repository that may
// have no execbench installed (a checkout of execbench run by path, as in CI). Node would answer "Cannot find
// module 'execbench'". Here the name resolves to this very execbench, the one that runs the queries, so the types a
// query is written against are the runner's own: for ESM imports (a resolve hook) and for a .ts file Node loads as
// CommonJS in a package without "type": "module" (require's resolver).
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const ENTRY = new URL('../index.ts', import.meta.url);
let installed = false;

const HOOKS = `let target;
export function initialize(data) { target = data.url; }
export async function resolve(specifier, context, next) {
  // Handed on as the entry's own URL, so the TypeScript loader (tsx) resolves and loads it as it does any .ts file.
  return next(specifier === 'execbench' ? target : specifier, context);
}`;

/** Makes `execbench` resolve to this checkout's src/index.ts for every module loaded from now on. Idempotent. */
export function resolveExecbenchToSelf(): void {
  if (installed) return;
  installed = true;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { url: ENTRY.href } });
  const internal = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = internal._resolveFilename;
  internal._resolveFilename = function resolveFilename(this: unknown, request: string, ...rest: unknown[]) {
    return request === 'execbench' ? fileURLToPath(ENTRY) : original.call(this, request, ...rest);
  };
}
