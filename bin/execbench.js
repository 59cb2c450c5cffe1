#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx execbench` works without a build step.
import { register as registerRequire } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';
// Both hooks: a team's query file (--queries) may live in a package without "type": "module" (an application
// repository's default), where Node loads a .ts file as CommonJS; with only the ESM hooks that load fails.
registerRequire();
register();
await import('../src/cli.ts');
