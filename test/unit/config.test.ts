import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { defaultCacheDir, resolveProviderOptions } from '../../src/config.ts';
import { UsageError } from '../../src/errors.ts';

const silent = () => {};

test('with no flags and no env, defaults apply: auto provider, postgres:17-alpine, a free port, the project cache', () => {
  const o = resolveProviderOptions({}, {}, silent);
  assert.equal(o.provider, 'auto');
  assert.equal(o.image, 'postgres:17-alpine');
  assert.equal(o.port, 0);
  assert.equal(o.fresh, false);
  assert.equal(o.databaseUrl, undefined);
  assert.equal(o.cacheDir, defaultCacheDir());
  assert.equal(o.cpus, undefined);
  assert.equal(o.memoryMb, undefined);
});

test('the default cache folder is <project root>/node_modules/.cache/execbench', () => {
  const root = path.resolve(import.meta.dirname, '..', '..');
  assert.equal(defaultCacheDir(), path.join(root, 'node_modules', '.cache', 'execbench'));
});

test('env overrides defaults: DATABASE_URL, EXECBENCH_CACHE_DIR, EXECBENCH_PROVIDER, PG_IMAGE, limits', () => {
  const o = resolveProviderOptions({}, {
    DATABASE_URL: 'postgres://u:p@h:5432/d', EXECBENCH_CACHE_DIR: '/var/tmp/eb', EXECBENCH_PROVIDER: 'url',
    PG_IMAGE: 'postgres:16', EXECBENCH_PORT: '6543', EXECBENCH_CPUS: '4', EXECBENCH_MEMORY_MB: '8192', EXECBENCH_FRESH: '1',
  }, silent);
  assert.deepEqual(
    { ...o, log: undefined },
    { provider: 'url', databaseUrl: 'postgres://u:p@h:5432/d', databaseUrlFrom: 'DATABASE_URL', cacheDir: '/var/tmp/eb', image: 'postgres:16', port: 6543, cpus: 4, memoryMb: 8192, fresh: true, log: undefined },
  );
});

test('EXECBENCH_PG_IMAGE wins over PG_IMAGE', () => {
  assert.equal(resolveProviderOptions({}, { PG_IMAGE: 'a:1', EXECBENCH_PG_IMAGE: 'b:2' }, silent).image, 'b:2');
});

test('flags override env', () => {
  const o = resolveProviderOptions(
    { provider: 'embedded', cacheDir: '/tmp/flag-cache', image: 'postgres:17', port: 7000, cpus: 2, memoryMb: 4096, fresh: false },
    { EXECBENCH_PROVIDER: 'container', EXECBENCH_CACHE_DIR: '/var/tmp/eb', PG_IMAGE: 'postgres:16', EXECBENCH_PORT: '6543', EXECBENCH_CPUS: '4', EXECBENCH_MEMORY_MB: '8192', EXECBENCH_FRESH: 'true' },
    silent,
  );
  assert.equal(o.provider, 'embedded');
  assert.equal(o.cacheDir, '/tmp/flag-cache');
  assert.equal(o.image, 'postgres:17');
  assert.equal(o.port, 7000);
  assert.equal(o.cpus, 2);
  assert.equal(o.memoryMb, 4096);
  assert.equal(o.fresh, false);
});

test('--database-url overrides DATABASE_URL', () => {
  const o = resolveProviderOptions({ databaseUrl: 'postgres://flag@h/d' }, { DATABASE_URL: 'postgres://env@h/d' }, silent);
  assert.equal(o.databaseUrl, 'postgres://flag@h/d');
  assert.equal(o.databaseUrlFrom, '--database-url');
});

test('empty env values count as unset', () => {
  const o = resolveProviderOptions({}, { DATABASE_URL: '', EXECBENCH_PROVIDER: ' ', EXECBENCH_CACHE_DIR: '' }, silent);
  assert.equal(o.databaseUrl, undefined);
  assert.equal(o.provider, 'auto');
  assert.equal(o.cacheDir, defaultCacheDir());
});

test('an explicit embedded provider ignores a DATABASE_URL exported for another tool', () => {
  const o = resolveProviderOptions({ provider: 'embedded' }, { DATABASE_URL: 'postgres://app@h/d' }, silent);
  assert.equal(o.databaseUrl, undefined);
});

test('--provider container with --database-url is refused naming both', () => {
  assert.throws(
    () => resolveProviderOptions({ provider: 'container', databaseUrl: 'postgres://x@h/d' }, {}, silent),
    (e: unknown) => e instanceof UsageError && /--provider container/.test(e.message) && /--database-url/.test(e.message),
  );
});

test('an unknown provider is a usage error listing the valid ones', () => {
  assert.throws(
    () => resolveProviderOptions({ provider: 'podman' }, {}, silent),
    (e: unknown) => e instanceof UsageError && e.message === "Unknown --provider 'podman': use one of auto, url, container, embedded.",
  );
  assert.throws(
    () => resolveProviderOptions({}, { EXECBENCH_PROVIDER: 'k8s' }, silent),
    (e: unknown) => e instanceof UsageError && /EXECBENCH_PROVIDER 'k8s'/.test(e.message),
  );
});

test('--provider url without any URL is refused with the fix', () => {
  assert.throws(() => resolveProviderOptions({ provider: 'url' }, {}, silent), (e: unknown) => e instanceof UsageError && /DATABASE_URL/.test(e.message));
});

test('bad numbers are usage errors naming the value', () => {
  assert.throws(() => resolveProviderOptions({ port: 70000 }, {}, silent), /Invalid --port '70000'/);
  assert.throws(() => resolveProviderOptions({ port: 1.5 }, {}, silent), /Invalid --port '1.5'/);
  assert.throws(() => resolveProviderOptions({ cpus: 0 }, {}, silent), /Invalid --cpus '0'/);
  assert.throws(() => resolveProviderOptions({ memoryMb: 10 }, {}, silent), /Invalid --memory '10'/);
  assert.throws(() => resolveProviderOptions({}, { EXECBENCH_PORT: 'abc' }, silent), /Invalid EXECBENCH_PORT 'abc'/);
  assert.throws(() => resolveProviderOptions({}, { EXECBENCH_FRESH: 'maybe' }, silent), /Invalid EXECBENCH_FRESH 'maybe'/);
  // A value from the environment is named by its variable, not by a flag the user never typed.
  assert.throws(() => resolveProviderOptions({}, { EXECBENCH_PORT: '-1' }, silent), /Invalid EXECBENCH_PORT '-1'/);
  assert.throws(() => resolveProviderOptions({}, { EXECBENCH_CPUS: '0' }, silent), /Invalid EXECBENCH_CPUS '0'/);
  assert.throws(() => resolveProviderOptions({}, { EXECBENCH_MEMORY_MB: '100' }, silent), /Invalid EXECBENCH_MEMORY_MB '100'/);
  assert.equal(resolveProviderOptions({}, { EXECBENCH_FRESH: 'yes' }, silent).fresh, true);
  assert.equal(resolveProviderOptions({ fresh: false }, { EXECBENCH_FRESH: 'yes' }, silent).fresh, false, 'the flag wins');
});

test('a relative --cache-dir is resolved against the working directory', () => {
  assert.equal(resolveProviderOptions({ cacheDir: 'rel/cache' }, {}, silent).cacheDir, path.resolve('rel/cache'));
});

test('the log sink passed in is the one returned', () => {
  const lines: string[] = [];
  resolveProviderOptions({}, {}, (l) => lines.push(l)).log('hello');
  assert.deepEqual(lines, ['hello']);
});
