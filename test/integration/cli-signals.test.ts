// A signal always ends execbench (issue 11), even when the cleanup is stuck: the postmaster is SIGSTOPped for
// real, so its fast shutdown never happens. One line says what was done, the documented exit code, and no
// execbench, watchdog or postgres process is left.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { embeddedDataDir } from '../../src/db/embedded.ts';
import { isAlive, waitForExit } from '../../src/db/processes.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Pids whose command line matches (pgrep -f); [] when none. */
function pgrep(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Starts the CLI; resolves `ready` once stderr or stdout shows `readyWhen` (if given). */
function startCli(args: string[], readyWhen?: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: '', GITHUB_STEP_SUMMARY: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
  const ready = new Promise<void>((resolve, reject) => {
    const check = () => { if (readyWhen?.test(stdout + stderr)) resolve(); };
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); check(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); check(); });
    void exited.then(({ code }) => reject(new Error(`execbench exited ${code} before it was ready: ${stderr}`)));
  });
  ready.catch(() => {}); // a test that never awaits it must not see an unhandled rejection when the CLI exits
  return { child, ready, exited, stderr: () => stderr };
}

let cacheDir: string;
let dataDir: string;
before(() => {
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'execbench-signals-'));
  dataDir = embeddedDataDir(cacheDir);
});
after(() => {
  // A failed assertion must not leave a stopped postgres behind.
  for (const pid of pgrep(`postgres -D ${dataDir} `)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  rmSync(cacheDir, { recursive: true, force: true });
});

/** The postmaster of our data directory, SIGSTOPped (stop() now waits on a shutdown that never comes), and its children. */
function stallPostmaster(): { postmaster: number; tree: number[] } {
  const postmaster = Number.parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);
  assert.ok(isAlive(postmaster));
  const children = (() => {
    try {
      return execFileSync('pgrep', ['-P', String(postmaster)]).toString().trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  })();
  assert.ok(children.length > 0, 'checkpointer, walwriter, ... are running');
  assert.equal(pgrep(`postgres -D ${dataDir} `).length, 1, 'the pattern assertNothingLeft uses finds the server');
  process.kill(postmaster, 'SIGSTOP');
  return { postmaster, tree: [postmaster, ...children] };
}

/** The watchdog shell embedded.ts starts for a server: it polls `kill -0 <execbench pid>`. */
const watchdogOf = (execbenchPid: number) => pgrep(`kill -0 ${execbenchPid} `);

async function assertNothingLeft(execbenchPid: number, tree: number[]): Promise<void> {
  // The postmaster is SIGKILLed; its other processes notice its death and exit on their own.
  for (const pid of tree) assert.ok(await waitForExit(pid, 5000), `server process ${pid} is gone`);
  assert.deepEqual(pgrep(`postgres -D ${dataDir} `), []);
  assert.deepEqual(watchdogOf(execbenchPid), [], 'the watchdog shell is gone');
  assert.equal(isAlive(execbenchPid), false);
  assert.equal(existsSync(`${dataDir}.owner`), false, 'the claim on the data directory is released');
}

describe('a signal while provisioning is stuck', () => {
  it('execbench run: SIGTERM while connecting to a server that accepts and never answers -> exit 143 within the bound, one line', async (t) => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => { sockets.push(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    try {
      const out = path.join(cacheDir, 'never-written');
      const cli = startCli(['run', '--database-url', `postgres://u:p@127.0.0.1:${port}/db`, '--scale', '2000', '--scenario', 'recent-failures', '--out', out]);
      await connected;
      const sent = Date.now();
      cli.child.kill('SIGTERM');
      const { code, at } = await cli.exited;
      t.diagnostic(`exited ${at - sent} ms after SIGTERM`);
      assert.equal(code, 143, cli.stderr());
      // pg's own connect timeout is 10 s: the 5 s bound, not that timeout, ended it.
      assert.ok(at - sent >= 4500 && at - sent < 9000, `exited ${at - sent} ms after SIGTERM`);
      const lines = cli.stderr().trim().split('\n');
      assert.equal(lines.at(-1), 'execbench: cleanup did not finish within 5 s of SIGTERM; exiting anyway. execbench was still connecting to your server; nothing was started.');
      assert.equal(lines.filter((l) => l.startsWith('execbench:')).length, 2, cli.stderr());
      assert.equal(existsSync(out), false);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('a signal while the cleanup is stuck', () => {
  it('execbench db: Ctrl-C with a stopped postmaster -> exits within the 5 s bound, exit 130, one line naming what it killed', async (t) => {
    const cli = startCli(['db', '--provider', 'embedded', '--cache-dir', cacheDir], /Press Ctrl-C/);
    await cli.ready;
    assert.equal(watchdogOf(cli.child.pid!).length, 1, 'the watchdog runs while the server is up');
    const { postmaster, tree } = stallPostmaster();
    const sent = Date.now();
    cli.child.kill('SIGINT');
    const { code, at } = await cli.exited;
    assert.equal(code, 130, cli.stderr());
    const elapsed = at - sent;
    t.diagnostic(`exited ${elapsed} ms after SIGINT`);
    assert.ok(elapsed >= 4500 && elapsed < 9000, `exited ${elapsed} ms after SIGINT`);
    const lines = cli.stderr().split('\n').filter((l) => /cleanup did not finish/.test(l));
    assert.equal(lines.length, 1, cli.stderr());
    assert.match(lines[0]!, new RegExp(`^execbench: cleanup did not finish within 5 s of SIGINT; exiting anyway\\. Killed postgres \\(pid ${postmaster}\\) with SIGKILL: .* the next start recovers ${dataDir}\\.$`));
    await assertNothingLeft(cli.child.pid!, tree);
  });

  it('execbench run: SIGTERM, then a second SIGTERM -> exits at once, exit 143 (its server started from the data the SIGKILL above left)', async (t) => {
    const cli = startCli(['run', '--provider', 'embedded', '--cache-dir', cacheDir, '--scale', '2000', '--scenario', 'recent-failures', '--no-audit', '--out', path.join(cacheDir, 'reports')],
      /execbench: embedded Postgres/);
    await cli.ready;
    const { postmaster, tree } = stallPostmaster();
    cli.child.kill('SIGTERM');
    // The first signal's line waits up to 1 s for a half-loaded dataset's removal (it cannot reach a stopped server).
    await sleep(1500);
    assert.equal(cli.child.exitCode, null, 'still waiting on the stuck cleanup');
    const second = Date.now();
    cli.child.kill('SIGTERM');
    const { code, at } = await cli.exited;
    assert.equal(code, 143, cli.stderr());
    t.diagnostic(`exited ${at - second} ms after the second SIGTERM`);
    assert.ok(at - second < 1500, `exited ${at - second} ms after the second SIGTERM`);
    assert.match(cli.stderr(), /execbench: SIGTERM received: stopping the embedded Postgres server execbench started \(a second SIGTERM exits at once\)\.\.\./);
    assert.match(cli.stderr(), new RegExp(`\\nexecbench: SIGTERM again, exiting now\\. Killed postgres \\(pid ${postmaster}\\) with SIGKILL`));
    await assertNothingLeft(cli.child.pid!, tree);
  });
});
