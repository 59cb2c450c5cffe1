// Paths as a new user types them (issue 11): every bad one is one line naming it, what is wrong and the fix,
// exit 3 (4 for the gate's results files), before anything is provisioned, measured or written.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = path.join(ROOT, 'test/fixtures/results/small.json');

function execbench(args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', GITHUB_STEP_SUMMARY: '', ...env }, timeout: 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

let tmp: string;
before(() => { tmp = mkdtempSync(path.join(os.tmpdir(), 'execbench-cli-paths-')); });
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A run that would start the embedded server from a fresh cache folder: its absence proves nothing started. */
const run = (cache: string) => ['run', '--provider', 'embedded', '--cache-dir', cache, '--scale', '2000', '--scenario', 'recent-failures'];

/** Exactly one stderr line, the execbench: line, matching message; the documented code; quick (node + tsx start-up included). */
function assertRefused(r: ReturnType<typeof execbench>, code: number, message: RegExp): void {
  assert.equal(r.signal, null, `did not hang: ${r.stderr}`);
  assert.equal(r.code, code, r.stdout + r.stderr);
  const lines = r.stderr.trim().split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, message);
  assert.equal(r.stdout, '');
  assert.ok(r.ms < 20_000, `refused after ${r.ms} ms`); // node + tsx start-up alone takes 1-4 s on a busy 2-core box
}

describe('the paths of the issue table -> exit 3 before any work', { skip: !existsSync('/proc/self') && 'needs Linux /proc and /etc/passwd' }, () => {
  it('--out /proc/nope (recursive mkdir spun forever there)', () => {
    const cache = path.join(tmp, 'cache-1');
    const r = execbench([...run(cache), '--out', '/proc/nope']);
    assertRefused(r, 3, /^execbench: --out '\/proc\/nope' cannot be created: its nearest existing folder '\/proc' is not writable \(ENOENT.*\)\. Give --out a writable folder/);
    assert.equal(existsSync(cache), false, 'no server was provisioned');
  });

  it('--cache-dir /proc/nope (spun, and kept spinning after SIGTERM)', () => {
    const out = path.join(tmp, 'out-2');
    const r = execbench([...run('/proc/nope'), '--out', out]);
    assertRefused(r, 3, /^execbench: --cache-dir '\/proc\/nope' cannot be created: .*'\/proc' is not writable .*Give a writable folder, e.g. --cache-dir/);
    assert.equal(existsSync(out), false);
  });

  it('--out /etc/passwd, a file (failed with EEXIST after measuring)', () => {
    const cache = path.join(tmp, 'cache-3');
    const before = readFileSync('/etc/passwd', 'utf8');
    const r = execbench([...run(cache), '--out', '/etc/passwd']);
    assertRefused(r, 3, /^execbench: --out '\/etc\/passwd' is a file, not a folder\. Give --out a writable folder/);
    assert.equal(existsSync(cache), false);
    assert.equal(readFileSync('/etc/passwd', 'utf8'), before);
  });

  it('--cache-dir /etc/passwd, and EXECBENCH_CACHE_DIR=/etc/passwd (ENOTDIR, exit 2 before)', () => {
    const out = path.join(tmp, 'out-4');
    assertRefused(execbench([...run('/etc/passwd'), '--out', out]), 3, /^execbench: --cache-dir '\/etc\/passwd' is a file, not a folder\./);
    const viaEnv = execbench(['seed', '--provider', 'embedded', '--scale', '2000'], { EXECBENCH_CACHE_DIR: '/etc/passwd' });
    assertRefused(viaEnv, 3, /^execbench: EXECBENCH_CACHE_DIR '\/etc\/passwd' is a file, not a folder\./);
    assert.equal(existsSync(out), false);
  });
});

describe('other bad paths -> one line, nothing started or changed', () => {
  it('a path through a file', () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'mine');
    const cache = path.join(tmp, 'cache-5');
    assertRefused(execbench([...run(cache), '--out', path.join(file, 'reports')]), 3, /^execbench: --out '.*a-file\/reports' goes through '.*a-file', which is a file, not a folder\./);
    assertRefused(execbench(['db', '--provider', 'embedded', '--cache-dir', path.join(file, 'cache')]), 3, /^execbench: --cache-dir '.*a-file\/cache' goes through '.*a-file', which is a file/);
    assert.equal(readFileSync(file, 'utf8'), 'mine');
    assert.equal(existsSync(cache), false);
  });

  it('empty strings (an unset CI variable) are refused, not read as "use the default"', () => {
    const cache = path.join(tmp, 'cache-6');
    assertRefused(execbench([...run(cache), '--out', '']), 3, /^execbench: --out '' is empty \(an unset variable\?\)\./);
    assertRefused(execbench(['run', '--provider', 'embedded', '--cache-dir', '', '--scale', '2000']), 3, /^execbench: --cache-dir '' is empty/);
    // Before, an empty --baseline silently ran without the gate's comparison.
    assertRefused(execbench([...run(cache), '--baseline', '']), 4, /^execbench: --baseline '' is empty/);
    assert.equal(existsSync(cache), false);
  });

  it('a folder given as --baseline is refused (exit 4, as for a missing baseline)', () => {
    assertRefused(execbench([...run(path.join(tmp, 'cache-7')), '--baseline', tmp]), 4, /^execbench: --baseline '.*' is a folder, not a file\./);
  });

  it('$GITHUB_STEP_SUMMARY pointing at a folder is refused before the run, not after it', () => {
    const cache = path.join(tmp, 'cache-8');
    assertRefused(execbench([...run(cache), '--out', path.join(tmp, 'out-8')], { GITHUB_STEP_SUMMARY: tmp }), 3, /^execbench: \$GITHUB_STEP_SUMMARY '.*' is a folder, not a file\. Point it to a writable file, or unset it\./);
    assert.equal(existsSync(cache), false);
  });
});

describe('a read-only folder: root ignores mode bits, so a read-only tmpfs mount (mode 0555 when not root), and the nobody user', () => {
  const isRoot = process.getuid?.() === 0;
  let ro: string | undefined;
  let skip: string | false = false;
  before(() => {
    ro = path.join(tmp, 'read-only');
    mkdirSync(ro);
    try {
      if (isRoot) execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro], { stdio: 'pipe' });
      else execFileSync('chmod', ['0555', ro]);
    } catch (error) {
      skip = `cannot make a read-only folder here: ${String((error as Error).message).split('\n')[0]}`;
    }
  });
  after(() => {
    if (ro && isRoot && !skip) execFileSync('umount', [ro]);
    else if (ro) execFileSync('chmod', ['0755', ro]);
  });

  it('--out and --cache-dir on it -> exit 3 naming the folder and why', (t) => {
    if (skip) return t.skip(skip);
    const why = isRoot ? /EROFS: read-only file system/ : /EACCES: permission denied/;
    const cache = path.join(tmp, 'cache-9');
    const out = execbench([...run(cache), '--out', path.join(ro!, 'reports')]);
    assertRefused(out, 3, /^execbench: --out '.*read-only\/reports' cannot be created: its nearest existing folder '.*read-only' is not writable/);
    assert.match(out.stderr, why);
    const existing = execbench([...run(cache), '--out', ro!]);
    assertRefused(existing, 3, /^execbench: --out '.*read-only' is not writable/);
    assertRefused(execbench([...run(ro!), '--out', path.join(tmp, 'out-9')]), 3, /^execbench: --cache-dir '.*read-only' is not writable/);
    assert.equal(existsSync(cache), false);
    assert.deepEqual(readdirSync(ro!), []);
  });

  it('run as the nobody user, a root-owned 0755 folder is not writable -> exit 3 (EACCES)', (t) => {
    if (!isRoot || !existsSync('/usr/sbin/runuser')) return t.skip('needs root and runuser to switch to nobody');
    const owned = path.join(tmp, 'root-owned');
    mkdirSync(owned, { mode: 0o755 });
    execFileSync('chmod', ['0755', tmp]); // mkdtemp made it 0700: nobody must reach `owned`
    const r = spawnSync('/usr/sbin/runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'report', FIXTURE, '--out', path.join(owned, 'reports')], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: os.tmpdir(), GITHUB_STEP_SUMMARY: '' }, timeout: 60_000,
    });
    assertRefused({ code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: 0 }, 3,
      /^execbench: --out '.*root-owned\/reports' cannot be created: its nearest existing folder '.*root-owned' is not writable \(EACCES: permission denied\)\./);
    assert.deepEqual(readdirSync(owned), []);
  });
});
