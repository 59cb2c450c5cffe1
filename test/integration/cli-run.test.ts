// `execbench run` as a user runs it: a child process, real Postgres (the test server through
// --database-url), exit codes as documented in the README, and one clear line for bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RESULTS_SCHEMA_VERSION, type RunResults } from '../../src/results.ts';
import { createTestDatabase, stopTestServerAfterAll, type TestDatabase } from '../support/database.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function execbench(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', ...env }, timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).at(-1) ?? '';

let db: TestDatabase;
let tmp: string;
before(async () => {
  db = await createTestDatabase('cli');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'execbench-cli-'));
});
after(async () => { await db?.drop(); });
stopTestServerAfterAll();

// --yes: the test server stands for a user's own, where execbench seeds only with consent.
const quick = () => ['--database-url', db.connectionString, '--yes', '--scale', '20000', '--time-budget', '100ms', '--no-audit'];

describe('execbench run', () => {
  it('--json prints a results document that parses and carries every selected scenario, exit 0', () => {
    const out = path.join(tmp, 'json-run');
    const r = execbench(['run', ...quick(), '--scenario', 'recent-failures,retention-cleanup-batch', '--json', '--fail-on', 'contracts', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as RunResults;
    assert.equal(results.schemaVersion, RESULTS_SCHEMA_VERSION);
    assert.deepEqual([...new Set(results.scenarios.map((s) => s.scenarioId))].sort(), ['recent-failures', 'retention-cleanup-batch']);
    assert.deepEqual(results.scenarios.filter((s) => s.scenarioId === 'retention-cleanup-batch').map((s) => s.form), ['documented', 'corrected']);
    assert.equal(results.environment.provider.kind, 'url');
    assert.ok(results.findings.some((f) => f.scenarioId === 'retention-cleanup-batch' && f.severity === 'error'));
    for (const file of ['results.json', 'index.html', 'summary.md', 'junit.xml', 'trend.json']) {
      assert.ok(existsSync(path.join(out, file)), file);
    }
    assert.match(r.stderr, /Spec findings/, 'with --json the tables go to stderr');
  });

  it('a baseline of another seed or scale is refused (exit 4) before any dataset is seeded', async () => {
    const baseline = path.join(tmp, 'json-run', 'results.json');
    assert.ok(existsSync(baseline), 'the --json test wrote a baseline');
    const otherSeed = execbench(['run', ...quick(), '--scenario', 'recent-failures', '--baseline', baseline, '--seed', '7', '--out', path.join(tmp, 'seed7')]);
    assert.equal(otherSeed.code, 4, otherSeed.stderr);
    assert.match(lastLine(otherSeed.stderr), /Baseline refused: dataset fingerprint at 20000/);
    const otherScale = execbench(['run', ...quick().filter((a) => a !== '20000' && a !== '--scale'), '--scale', '30000', '--scenario', 'recent-failures', '--baseline', baseline]);
    assert.equal(otherScale.code, 4, otherScale.stderr);
    assert.match(lastLine(otherScale.stderr), /Baseline refused: scales 20000 in the baseline, 30000 now/);
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: db.connectionString });
    await client.connect();
    const { rows } = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'execbench_30000'`);
    await client.end();
    assert.equal(rows.length, 0, 'nothing was seeded for the refused run');
    assert.equal(existsSync(path.join(tmp, 'seed7')), false, 'nothing was written');
  });

  it('a documented statement that fails is a finding by default (exit 0) and fails the run with --strict-spec (exit 1)', () => {
    const base = ['run', ...quick(), '--scenario', 'partition-ddl', '--fail-on', 'contracts'];
    const lenient = execbench([...base, '--out', path.join(tmp, 'lenient')]);
    assert.equal(lenient.code, 0, lenient.stdout + lenient.stderr);
    assert.match(lenient.stdout, /is not partitioned/);
    const strict = execbench([...base, '--strict-spec', '--out', path.join(tmp, 'strict')]);
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);
    assert.match(strict.stdout, /Gate: FAILED \(exit 1\):\n  - partition-ddl 20000 documented: contracts: sql-error/);
    assert.match(lenient.stdout, /Gate: PASSED \(exit 0\)/);
  });
});

describe('--help', () => {
  for (const command of ['', 'run', 'whatif', 'seed', 'db', 'report', 'compare']) {
    it(`execbench ${command || '(no command)'} --help: exit 0, examples, the exit codes once`, () => {
      const r = execbench([...(command ? [command] : []), '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\nExamples:\n/);
      assert.equal(r.stdout.split('Exit codes: 0 all gated checks passed').length - 1, 1, r.stdout);
    });
  }
});

describe('bad input: one clear line, a non-zero exit, nothing written', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['an unknown scenario name', ['--scenario', 'no-such-scenario'], 3, /^execbench: Unknown scenario 'no-such-scenario'\. Available: .*recent-failures/],
    ['a glob that matches nothing', ['--scenario', 'zzz-*'], 3, /^execbench: No scenario matches the glob 'zzz-\*'/],
    ['a malformed time budget', ['--time-budget', 'fast'], 3, /^execbench: Invalid --time-budget 'fast': give milliseconds/],
    ['an unknown scale', ['--scale', '10x'], 3, /^execbench: Unknown scale '10x': use 100k, 1m, 5m, 10m or a positive integer/],
    ['a zero scale', ['--scale', '0'], 3, /^execbench: Invalid scale '0'/],
    ['an unknown --fail-on', ['--fail-on', 'vibes'], 3, /^execbench: Unknown --fail-on 'vibes'/],
    ['an unknown flag', ['--colour'], 3, /^execbench: Unknown argument: --colour \(see execbench run --help\)/],
    ['an empty --fail-on (the gate would be off)', ['--fail-on', ''], 3, /^execbench: --fail-on was given no value \(an unset variable\?\): give one or more of contracts/],
    ['an empty --scale', ['--scale', ''], 3, /^execbench: --scale was given no value/],
    ['an empty --scenario', ['--scenario', ''], 3, /^execbench: --scenario was given no value/],
    ['a flag with no value', ['--time-budget'], 3, /^execbench: --time-budget needs a value \(see execbench run --help\)/],
    ['a choice flag with no value', ['--clock'], 3, /^execbench: --clock was given no value/],
    ['a switch given a value (yargs would read --json=yes as false)', ['--json=yes'], 3, /^execbench: --json is a switch, so 'yes' is not a value for it: write --json or --no-json\.$/],
  ];
  for (const [what, args, code, message] of cases) {
    it(`${what} -> exit ${code} and one line naming it`, () => {
      const out = path.join(tmp, `bad-${code}-${args.join('_').replace(/\W/g, '')}`);
      const r = execbench(['run', '--database-url', 'postgres://nobody@127.0.0.1:1/none', ...args, '--out', out]);
      assert.equal(r.code, code, r.stderr);
      assert.match(lastLine(r.stderr), message);
      assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('execbench:')).length, 1);
      assert.equal(existsSync(out), false, 'nothing written');
    });
  }

  it('a misspelt command is named with the command it looks like; malformed URLs name what is wrong (exit 3)', () => {
    const typo = execbench(['runn']);
    assert.equal(typo.code, 3, typo.stderr);
    assert.match(lastLine(typo.stderr), /^execbench: Unknown command 'runn': did you mean run\?/);
    const near = execbench(['dn']);
    assert.match(lastLine(near.stderr), /^execbench: Unknown command 'dn': did you mean db\?/, 'the nearest command, not the first one within reach');
    const noBase = execbench(['ab']);
    assert.equal(noBase.code, 3, noBase.stderr);
    assert.match(lastLine(noBase.stderr), /^execbench: --base is required: give the ref to compare against, e\.g\. --base origin\/main \(see execbench ab --help\)$/);
    const percent = execbench(['run', '--database-url', 'postgres://%zz@127.0.0.1:1/db']);
    assert.equal(percent.code, 3, percent.stderr);
    assert.match(lastLine(percent.stderr), /its user name has a '%' that is not percent-encoding; write a literal % as %25\.$/);
    const port = execbench(['run', '--database-url', 'postgres://x@127.0.0.1:99999/db']);
    assert.equal(port.code, 3, port.stderr);
    assert.match(lastLine(port.stderr), /port '99999' is not a TCP port \(1-65535\)\.$/);
    const fromEnv = execbench(['run', '--scale', '2000'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/db' });
    assert.equal(fromEnv.code, 2, fromEnv.stderr);
    assert.match(lastLine(fromEnv.stderr), /unset DATABASE_URL to use a server execbench starts\.$/);
  });

  it('an empty --database-url (an unset variable) and a bad EXECBENCH_FRESH -> exit 3, one line each, nothing started', () => {
    const out = path.join(tmp, 'bad-env');
    const empty = execbench(['run', '--database-url', '', '--out', out]);
    assert.equal(empty.code, 3, empty.stderr);
    assert.match(lastLine(empty.stderr), /^execbench: --database-url '' is empty \(an unset variable\?\)\. Give a postgres:\/\/ URL/);
    const fresh = execbench(['run', '--database-url', 'postgres://nobody@127.0.0.1:1/none', '--out', out], { EXECBENCH_FRESH: 'maybe' });
    assert.equal(fresh.code, 3, fresh.stderr);
    assert.match(lastLine(fresh.stderr), /^execbench: Invalid EXECBENCH_FRESH 'maybe'/);
    for (const r of [empty, fresh]) assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('execbench:')).length, 1);
    assert.equal(existsSync(out), false, 'nothing written');
  });

  it('a missing baseline -> exit 4 before any work; a corrupt one -> exit 4 and the file is untouched', () => {
    const missing = execbench(['run', '--database-url', 'postgres://nobody@127.0.0.1:1/none', '--baseline', path.join(tmp, 'nope.json')]);
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(lastLine(missing.stderr), /nope\.json/);
    const corrupt = path.join(tmp, 'corrupt.json');
    writeFileSync(corrupt, '{ not json');
    const r = execbench(['compare', corrupt, corrupt]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(lastLine(r.stderr), /corrupt\.json/);
  });

  it('a baseline from another scale or Postgres major version -> exit 4, one line, neither file changed', () => {
    const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/results/small.json'), 'utf8')) as RunResults;
    const baseline = path.join(tmp, 'baseline-small.json');
    writeFileSync(baseline, JSON.stringify(fixture));
    const otherScale = path.join(tmp, 'other-scale.json');
    writeFileSync(otherScale, JSON.stringify({ ...fixture, options: { ...fixture.options, scales: ['100k'] }, datasets: fixture.datasets.slice(0, 1), scenarios: fixture.scenarios.filter((x) => x.scale === '100k') }));
    const otherMajor = path.join(tmp, 'other-major.json');
    writeFileSync(otherMajor, JSON.stringify({ ...fixture, environment: { ...fixture.environment, postgres: { ...fixture.environment.postgres, versionNum: 140012, version: '14.12' } } }));
    const before = [baseline, otherScale, otherMajor].map((f) => readFileSync(f, 'utf8'));
    for (const [current, pattern] of [[otherScale, /scale/i], [otherMajor, /major|version/i]] as const) {
      const r = execbench(['compare', baseline, current]);
      assert.equal(r.code, 4, r.stdout + r.stderr);
      assert.match(lastLine(r.stderr), pattern);
      assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('execbench:')).length, 1);
    }
    assert.deepEqual([baseline, otherScale, otherMajor].map((f) => readFileSync(f, 'utf8')), before);
  });

  it('an unreachable --database-url -> exit 2 naming the host and the fix', () => {
    const r = execbench(['run', '--database-url', 'postgres://nobody@127.0.0.1:1/none', '--scale', '20000', '--scenario', 'recent-failures']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(lastLine(r.stderr), /127\.0\.0\.1:1.*ECONNREFUSED/);
  });
});
