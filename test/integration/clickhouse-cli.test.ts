// `execbench run --engine clickhouse`: bad input is one line and exit 3 before anything starts; an unreachable
// ClickHouse server is one line and exit 2, with nothing left running.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function execbench(args: string[], env: NodeJS.ProcessEnv = {}, preload: string[] = []) {
  const r = spawnSync(process.execPath, [...preload, '--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', ...env }, timeout: 120_000 });
  return { status: r.status, stderr: r.stderr.trim(), lines: r.stderr.trim().split('\n').filter((l) => l !== '') };
}

describe('run --engine clickhouse, bad input', () => {
  it('a --clickhouse-url that is not http(s) -> exit 3, one line naming it and the fix', () => {
    const r = execbench(['run', '--engine', 'clickhouse', '--clickhouse-url', 'ftp://127.0.0.1:8123']);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.lines.length, 1, r.stderr);
    assert.match(r.stderr, /Invalid --clickhouse-url 'ftp:\/\/127\.0\.0\.1:8123': ftp is not http or https/);
  });
  it('three URLs -> exit 3 (one server, or two shards)', () => {
    const r = execbench(['run', '--engine', 'clickhouse', '--clickhouse-url', 'http://a:1,http://b:2,http://c:3']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /give one server's URL .* or two comma-separated/);
  });
  it('--clickhouse-url without --engine clickhouse -> exit 3', () => {
    const r = execbench(['run', '--clickhouse-url', 'http://127.0.0.1:8123']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /--clickhouse-url applies to --engine clickhouse/);
  });
  it('a PostgreSQL-only flag with --engine clickhouse -> exit 3 naming it', () => {
    const r = execbench(['run', '--engine', 'clickhouse', '--baseline', 'x.json']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /--baseline does not apply with --engine clickhouse/);
  });
  it('the embedded engine without chdb installed -> exit 3, one line with the chdb:install command, nothing started', () => {
    const r = execbench(['run', '--engine', 'clickhouse', '--scale', '100k'], {}, ['--import', './test/support/no-chdb.mjs']);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.lines.length, 1, r.stderr);
    assert.match(r.stderr, /The embedded ClickHouse engine needs chdb, which is not installed .* Run: npm run chdb:install \(once, into .*\), or give --clickhouse-url/);
  });
  it('an unreachable ClickHouse server -> exit 2, one line naming host and port and the fix, before any PostgreSQL starts', () => {
    const r = execbench(['run', '--engine', 'clickhouse', '--clickhouse-url', 'http://127.0.0.1:1', '--scale', '100k', '--out', '/tmp/execbench-ch-unreachable']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.lines.length, 1, r.stderr);
    assert.match(r.stderr, /Cannot reach ClickHouse at 127\.0\.0\.1:1 \(ECONNREFUSED\)\. Start it .* or omit --clickhouse-url/);
  });
});
