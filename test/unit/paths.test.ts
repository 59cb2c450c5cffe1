// src/paths.ts on real file systems: bounded folder creation, and checks that name the path, what is wrong
// and the fix, change nothing, and never hang (procfs, a FIFO).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkAppendableFile, checkReadableFile, checkWritableDir, ensureDir, PathError } from '../../src/paths.ts';
import { runCompareCommand } from '../../src/commands/compare.ts';
import { runReportCommand } from '../../src/commands/report.ts';
import { checkReportTargets, writeReports } from '../../src/report/write-reports.ts';
import type { RunResults } from '../../src/results.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'execbench-paths-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const FIX = { label: '--out', fix: 'Give a writable folder.' };
const hasProc = existsSync('/proc/self');

/** Asserts a PathError with this exit code whose one-line message matches. */
async function rejectsWith(promise: Promise<unknown>, message: RegExp, exitCode = 3): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PathError, String(error));
    assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.equal(error.exitCode, exitCode);
    return true;
  });
}

describe('ensureDir', () => {
  it('creates missing parent folders one level at a time', async () => {
    const target = path.join(tmp, 'a', 'b', 'c');
    await ensureDir(target);
    assert.ok(existsSync(target));
    await ensureDir(target); // existing: nothing to do
  });

  it('a path through a file -> PathError naming the file, nothing created', async () => {
    const file = path.join(tmp, 'plain-file');
    writeFileSync(file, 'x');
    await rejectsWith(ensureDir(path.join(file, 'sub', 'dir')), /Cannot create folder '.*plain-file\/sub\/dir': '.*plain-file' on its path is a file\./, 2);
    assert.equal(readFileSync(file, 'utf8'), 'x');
  });

  it('where procfs answers ENOENT to a create it fails at once naming the folder (recursive mkdir loops forever there)', { skip: !hasProc && 'no /proc' }, async () => {
    const started = Date.now();
    await rejectsWith(ensureDir('/proc/execbench-nope/data'), /mkdir '\/proc\/execbench-nope' failed \(ENOENT: this file system does not allow creating entries here\)/, 2);
    assert.ok(Date.now() - started < 1000);
  });
});

describe('checkWritableDir', () => {
  it('accepts an existing folder and a creatable one, and creates nothing (its probe is removed)', async () => {
    const existing = path.join(tmp, 'w-existing');
    mkdirSync(existing);
    assert.equal(await checkWritableDir(existing, FIX), existing);
    assert.deepEqual(readdirSync(existing), []);
    const missing = path.join(tmp, 'w-missing', 'deeper');
    assert.equal(await checkWritableDir(missing, FIX), missing);
    assert.equal(existsSync(path.join(tmp, 'w-missing')), false);
    assert.ok(!readdirSync(tmp).some((n) => n.startsWith('.execbench-probe')));
  });

  it('a file, a path through a file, an empty string and /proc are refused with the label, the path and the fix', async () => {
    const file = path.join(tmp, 'w-file');
    writeFileSync(file, 'keep');
    await rejectsWith(checkWritableDir(file, FIX), /^--out '.*w-file' is a file, not a folder\. Give a writable folder\.$/);
    await rejectsWith(checkWritableDir(path.join(file, 'x'), FIX), /^--out '.*w-file\/x' goes through '.*w-file', which is a file, not a folder\./);
    await rejectsWith(checkWritableDir('', FIX), /^--out '' is empty \(an unset variable\?\)\./);
    await rejectsWith(checkWritableDir('  ', FIX), /is empty/);
    if (hasProc) await rejectsWith(checkWritableDir('/proc/nope', FIX), /^--out '\/proc\/nope' cannot be created: its nearest existing folder '\/proc' is not writable \(ENOENT/);
    assert.equal(readFileSync(file, 'utf8'), 'keep');
  });

  it('a dangling symbolic link is named as one', async () => {
    const link = path.join(tmp, 'w-dangling');
    execFileSync('ln', ['-s', path.join(tmp, 'nowhere'), link]);
    await rejectsWith(checkWritableDir(path.join(link, 'reports'), FIX), /goes through '.*w-dangling', a symbolic link to nothing/);
  });
});

describe('checkReadableFile and checkAppendableFile', () => {
  it('a missing file, a folder and a FIFO (a read would block) are refused at once', async () => {
    const fifo = path.join(tmp, 'r-fifo');
    execFileSync('mkfifo', [fifo]);
    const opts = { label: '--baseline', fix: 'Point it to a results.json.', exitCode: 4 };
    await rejectsWith(checkReadableFile(path.join(tmp, 'r-none.json'), opts), /^--baseline '.*r-none\.json' does not exist\. Point it/, 4);
    await rejectsWith(checkReadableFile(tmp, opts), /is a folder, not a file/, 4);
    await rejectsWith(checkReadableFile(fifo, opts), /is not a regular file/, 4);
    await rejectsWith(checkReadableFile('', opts), /is empty/, 4);
    const file = path.join(tmp, 'r-ok.json');
    writeFileSync(file, '{}');
    assert.equal(await checkReadableFile(file, opts), file);
  });

  it('an appendable file is left untouched; a folder or a file in a missing folder is refused', async () => {
    const opts = { label: '$GITHUB_STEP_SUMMARY', fix: 'Point it to a writable file, or unset it.' };
    const file = path.join(tmp, 'a-summary.md');
    writeFileSync(file, 'earlier\n');
    assert.equal(await checkAppendableFile(file, opts), file);
    assert.equal(readFileSync(file, 'utf8'), 'earlier\n');
    assert.equal(await checkAppendableFile(path.join(tmp, 'a-new.md'), opts), path.join(tmp, 'a-new.md'));
    assert.equal(existsSync(path.join(tmp, 'a-new.md')), false, 'the check does not create it');
    await rejectsWith(checkAppendableFile(tmp, opts), /^\$GITHUB_STEP_SUMMARY '.*' is a folder, not a file\. Point it/);
    await rejectsWith(checkAppendableFile(path.join(tmp, 'no-dir', 'x.md'), opts), /its folder '.*no-dir' does not exist/);
  });
});

describe('checkReportTargets', () => {
  it('refuses a folder holding a report-named file execbench did not write, and leaves it as it was', async () => {
    const dir = path.join(tmp, 'foreign');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'index.html'), '<h1>my site</h1>');
    await rejectsWith(checkReportTargets(dir, { ...FIX, env: {} }), /^--out '.*foreign' holds index\.html, which execbench did not write \(it would be overwritten\)\./);
    assert.equal(readFileSync(path.join(dir, 'index.html'), 'utf8'), '<h1>my site</h1>');
  });

  it('accepts a folder of execbench reports (a re-run into the same --out)', async () => {
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8')) as RunResults;
    const dir = path.join(tmp, 'ours', 'nested');
    await writeReports(fixture, dir, { env: {} });
    await checkReportTargets(dir, { ...FIX, env: {} });
    await rejectsWith(checkReportTargets(dir, { ...FIX, env: { GITHUB_STEP_SUMMARY: tmp } }), /\$GITHUB_STEP_SUMMARY '.*' is a folder, not a file/);
  });
});

describe('report and compare check their files before reading or writing anything', () => {
  const FIXTURE = fileURLToPath(new URL('../fixtures/results/small.json', import.meta.url));
  const quiet = { env: {}, log: () => {} };

  it('report: an empty results path -> exit 3; an --out holding a foreign index.html -> exit 3 and the file kept', async () => {
    await rejectsWith(runReportCommand('', undefined, quiet), /^Results file '' is empty \(an unset variable\?\)\./);
    const site = path.join(tmp, 'site');
    mkdirSync(site);
    writeFileSync(path.join(site, 'index.html'), '<p>my page</p>');
    await rejectsWith(runReportCommand(FIXTURE, site, quiet), /^--out '.*site' holds index\.html, which execbench did not write \(it would be overwritten\)\./);
    assert.deepEqual(readdirSync(site), ['index.html']);
    assert.equal(readFileSync(path.join(site, 'index.html'), 'utf8'), '<p>my page</p>');
  });

  it('report: a missing parent folder of --out is created', async () => {
    const out = path.join(tmp, 'new', 'nested', 'reports');
    assert.equal(await runReportCommand(FIXTURE, out, quiet), 0);
    assert.deepEqual(readdirSync(out).sort(), ['index.html', 'junit.xml', 'results.json', 'summary.md', 'trend.json']);
  });

  it('compare: an empty path, or a FIFO (a read would block forever) -> exit 4 at once, as for a missing file', async () => {
    const fifo = path.join(tmp, 'results.fifo');
    execFileSync('mkfifo', [fifo]);
    await rejectsWith(runCompareCommand({ baselinePath: '', currentPath: FIXTURE, print: () => {} }), /^baseline file '' is empty/, 4);
    await rejectsWith(runCompareCommand({ baselinePath: FIXTURE, currentPath: fifo, print: () => {} }), /^current file '.*results\.fifo' is not a regular file\. Point to a results\.json/, 4);
  });
});
