// Preloaded with --import by the clickhouse CLI test: makes `import('chdb')` fail as on a machine where chdb was
// never installed (it is installed on demand), whether or not it is installed here.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'chdb' || specifier.endsWith('/node_modules/chdb/index.mjs')) {
    const error = new Error("Cannot find package 'chdb' imported from execbench (simulated by test/support/no-chdb.mjs)");
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`));
