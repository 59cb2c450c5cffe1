// `execbench run --pg-major 14,18`: the suite once per major, reports side by side; bad lists refused in one line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { MajorComparison } from '../../src/report/compare-majors.ts';
import type { RunResults } from '../../src/results.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Under /var/tmp: as root the postgres OS user must be able to enter every parent folder.
const tmp = mkdtempSync(path.join(os.platform() === 'linux' ? '/var/tmp' : os.tmpdir(), 'execbench-majors-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function execbench(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', EXECBENCH_PG_IMAGE: '', PG_IMAGE: '', EXECBENCH_PG_MAJOR: '', ...env }, timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('execbench run --pg-major <list>', () => {
  for (const [args, message] of [
    [['run', '--pg-major', '13'], /^execbench: Invalid --pg-major '13': execbench pins Postgres 14, 15, 16, 17, 18 /],
    [['run', '--pg-major', '14,18', '--image', 'localpg:15'], /^execbench: --pg-major lists 14, 18, but an image was named .* one image is one major/],
    [['run', '--pg-major', '14,18', '--json'], /^execbench: --json prints one results document, but --pg-major lists 14, 18/],
    [['run', '--pg-major', '14,18', '--baseline', 'x.json'], /^execbench: --baseline compares runs of one Postgres major/],
    [['run', '--pg-major', '14', '--database-url', 'postgres://u@127.0.0.1:1/db'], /^execbench: --pg-major chooses the server execbench starts, but --database-url was given: that server's own version is used\. Drop one of them\.$/m],
    [['run', '--pg-major', ''], /^execbench: --pg-major was given no value \(an unset variable\?\)/],
    [['seed', '--pg-major', '14,15'], /^execbench: --pg-major lists 14, 15, but this command uses one server/],
  ] as const) {
    it(`${args.join(' ')} is refused with exit 3 in one line`, () => {
      const r = execbench([...args, '--cache-dir', tmp]);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  it('runs the suite on Postgres 14 and 18 in one invocation: pg14/ and pg18/ reports, majors.md and majors.json, the major of every verdict', () => {
    const out = path.join(tmp, 'out');
    const r = execbench(['run', '--pg-major', '14,18', '--provider', 'embedded', '--cache-dir', tmp, '--scale', '2000',
      '--scenario', 'recent-failures,daily-stats-live-aggregate', '--time-budget', '100ms', '--no-audit', '--fail-on', 'contracts', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    for (const major of [14, 18]) {
      const results = JSON.parse(readFileSync(path.join(out, `pg${major}`, 'results.json'), 'utf8')) as RunResults;
      assert.equal(Math.floor(results.environment.postgres.versionNum / 10000), major);
      assert.match(r.stderr, new RegExp(`execbench: embedded Postgres ${major}\\.\\d+: `));
      assert.ok(existsSync(path.join(out, `pg${major}`, 'index.html')));
    }
    const comparison = JSON.parse(readFileSync(path.join(out, 'majors.json'), 'utf8')) as MajorComparison;
    assert.deepEqual(comparison.majors.map((m) => m.major), [14, 18]);
    // Plans, not timings (a loaded machine may miss a threshold): both majors use the documented index.
    const failures = comparison.rows.find((row) => row.scenarioId === 'recent-failures')!;
    for (const major of [14, 18]) assert.deepEqual(failures.cells[major]?.indexes, ['idx_executions_tenant_env_failed_started'], JSON.stringify(failures));
    assert.match(readFileSync(path.join(out, 'majors.md'), 'utf8'), /^\| scenario \| scale \| form \| PG 14\.\d+ \| PG 18\.\d+ \| differs \|$/m);
    assert.match(r.stdout, /^Across Postgres majors \(14\.\d+ embedded, 18\.\d+ embedded\)/m);
    assert.match(r.stdout, /^Gate per major: Postgres 14 exit 0, Postgres 18 exit 0; overall exit 0\.$/m);
  });
});
