// Paths a user gives (--out, --cache-dir, --baseline, $GITHUB_STEP_SUMMARY, ...): checked before any work, and
// folders created without Node's recursive mkdir, which loops forever where a file system answers ENOENT to a
// create (procfs does: `mkdir('/proc/x', { recursive: true })` never returns).
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ExecbenchError, EXIT } from './errors.ts';

/** A path that cannot be used as given: names it, what is wrong and the fix. Exit 3 unless the caller says otherwise. */
export class PathError extends ExecbenchError {
  constructor(message: string, readonly path: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { ...options, exitCode: options.exitCode ?? EXIT.usage });
  }
}

/** How a check names the path and the fix in its message. */
export interface PathCheckOptions {
  /** How the user gave it: '--out', 'EXECBENCH_CACHE_DIR', '$GITHUB_STEP_SUMMARY'. */
  label: string;
  /** One sentence: what to do instead, e.g. 'Give a writable folder, e.g. --out reports/mine.' */
  fix: string;
  /** Exit code of the error (default 3, bad input). */
  exitCode?: number;
}

/**
 * Checks that `target` is a folder execbench can write into, or can be created as one; returns it resolved.
 * Changes nothing: writability is probed by creating and removing an entry of our own in the folder (or its
 * nearest existing ancestor), since root passes every access() check whatever the mode bits or mount say.
 */
export async function checkWritableDir(target: string, options: PathCheckOptions): Promise<string> {
  const fail = failer(target, options);
  const resolved = resolveGiven(target, fail);
  const { existing, stats } = await nearestExisting(resolved, fail);
  if (!stats.isDirectory()) {
    throw fail(existing === resolved ? `is ${stats.isFile() ? 'a file' : 'a device or other special file'}, not a folder` : `goes through '${existing}', which is a file, not a folder`);
  }
  // An existing folder gets files written into it; a missing one is created below its nearest ancestor.
  const refused = await probeCreate(existing, existing === resolved ? 'file' : 'folder');
  if (refused !== undefined) {
    const where = existing === resolved ? 'is not writable' : `cannot be created: its nearest existing folder '${existing}' is not writable`;
    throw fail(`${where} (${describeCode(refused)})`, refused);
  }
  return resolved;
}

/** Checks that `target` is a regular file execbench can read (not a folder, a pipe or a device); returns it resolved. */
export async function checkReadableFile(target: string, options: PathCheckOptions): Promise<string> {
  const fail = failer(target, options);
  const resolved = resolveGiven(target, fail);
  const { existing, stats } = await nearestExisting(resolved, fail);
  if (existing !== resolved) {
    throw fail(stats.isDirectory() ? 'does not exist' : `goes through '${existing}', which is a file, not a folder`);
  }
  // A FIFO would block the read until someone writes to it: refuse rather than hang.
  if (!stats.isFile()) throw fail(stats.isDirectory() ? 'is a folder, not a file' : 'is not a regular file');
  const refused = await probeOpen(resolved, 'r');
  if (refused !== undefined) throw fail(`cannot be read (${describeCode(refused)})`, refused);
  return resolved;
}

/** Checks that `target` is a folder execbench can list (not a file, not missing); returns it resolved. Changes nothing. */
export async function checkReadableDir(target: string, options: PathCheckOptions): Promise<string> {
  const fail = failer(target, options);
  const resolved = resolveGiven(target, fail);
  const { existing, stats } = await nearestExisting(resolved, fail);
  if (existing !== resolved) {
    throw fail(stats.isDirectory() ? 'does not exist' : `goes through '${existing}', which is a file, not a folder`);
  }
  if (!stats.isDirectory()) throw fail(stats.isFile() ? 'is a file, not a folder' : 'is not a folder');
  try {
    await fs.readdir(resolved);
  } catch (error) {
    throw fail(`cannot be read (${describeCode(error)})`, error);
  }
  return resolved;
}

/**
 * Checks that `target` is a file execbench can append to (a regular file or a device such as /dev/null), or
 * can be created in an existing writable folder; returns it resolved. An existing file is opened without
 * truncating and left as it was.
 */
export async function checkAppendableFile(target: string, options: PathCheckOptions): Promise<string> {
  const fail = failer(target, options);
  const resolved = resolveGiven(target, fail);
  const { existing, stats } = await nearestExisting(resolved, fail);
  if (existing === resolved) {
    if (stats.isDirectory()) throw fail('is a folder, not a file');
    if (!stats.isFile() && !stats.isCharacterDevice()) throw fail('is not a regular file');
    const refused = await probeOpen(resolved, 'r+');
    if (refused !== undefined) throw fail(`is not writable (${describeCode(refused)})`, refused);
    return resolved;
  }
  if (!stats.isDirectory()) throw fail(`goes through '${existing}', which is a file, not a folder`);
  if (existing !== path.dirname(resolved)) throw fail(`cannot be created: its folder '${path.dirname(resolved)}' does not exist`);
  const refused = await probeCreate(existing, 'file');
  if (refused !== undefined) throw fail(`cannot be created: its folder '${existing}' is not writable (${describeCode(refused)})`, refused);
  return resolved;
}

/**
 * Creates `target` and any missing parents, one non-recursive mkdir per level from the nearest existing
 * ancestor down, so it ends after at most one step per path component. A failure names the level that failed.
 */
export async function ensureDir(target: string, options: { mode?: number } = {}): Promise<void> {
  const resolved = path.resolve(target);
  const fail = (message: string, cause?: unknown) => new PathError(`Cannot create folder '${resolved}': ${message}.`, resolved, { cause, exitCode: EXIT.harness });
  const { existing, stats } = await nearestExisting(resolved, fail);
  if (!stats.isDirectory()) throw fail(existing === resolved ? 'it is a file' : `'${existing}' on its path is a file`);
  const missing = path.relative(existing, resolved).split(path.sep).filter(Boolean);
  let dir = existing;
  for (const part of missing) {
    dir = path.join(dir, part);
    try {
      await fs.mkdir(dir, options.mode === undefined ? {} : { mode: options.mode });
    } catch (error) {
      // Someone else created it in between: fine if it is a folder.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await fs.stat(dir).then((s) => s.isDirectory(), () => false))) continue;
      throw fail(`mkdir '${dir}' failed (${describeCode(error)})`, error);
    }
  }
}

/** The caller's empty-flag check: `--out ""` (an unset CI variable, usually) is refused, never read as "default". */
export function refuseEmpty(value: string | undefined, options: PathCheckOptions): void {
  if (value !== undefined && value.trim() === '') throw failer(value, options)('is empty (an unset variable?)');
}

// ---------------------------------------------------------------------------------------------

function failer(target: string, options: PathCheckOptions) {
  return (problem: string, cause?: unknown): PathError =>
    new PathError(`${options.label} '${target}' ${problem}. ${options.fix}`, target, { cause, ...(options.exitCode !== undefined ? { exitCode: options.exitCode } : {}) });
}

function resolveGiven(target: string, fail: (problem: string) => PathError): string {
  if (target.trim() === '') throw fail('is empty (an unset variable?)');
  if (target.includes('\0')) throw fail('contains a NUL byte');
  return path.resolve(target);
}

/** Creates and removes an entry of our own (O_EXCL, a unique name) in dir; the error if that is refused. */
/** Opens an existing file with `flags` ('r+' neither truncates nor creates) and closes it: the error, or undefined. */
async function probeOpen(file: string, flags: 'r' | 'r+'): Promise<unknown> {
  try {
    await (await fs.open(file, flags)).close();
    return undefined;
  } catch (error) {
    return error;
  }
}

async function probeCreate(dir: string, kind: 'file' | 'folder'): Promise<unknown> {
  const probe = path.join(dir, `.execbench-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    if (kind === 'file') {
      await fs.writeFile(probe, '', { flag: 'wx' });
      await fs.unlink(probe);
    } else {
      await fs.mkdir(probe);
      await fs.rmdir(probe);
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * The path itself if it exists, else its nearest existing ancestor, with its stats (symbolic links followed).
 * Bounded: one stat per path component. A dangling link or a folder we may not enter is an error.
 */
async function nearestExisting(resolved: string, fail: (problem: string, cause?: unknown) => PathError): Promise<{ existing: string; stats: Stats }> {
  let dir = resolved;
  for (;;) {
    try {
      return { existing: dir, stats: await fs.stat(dir) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a component above is a file; walking up finds it and the caller names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw fail(dir === resolved ? `cannot be used (${describeCode(error)})` : `cannot be used: '${dir}' on its path cannot be read (${describeCode(error)})`, error);
      }
      if (code === 'ENOENT' && (await fs.lstat(dir).then((s) => s.isSymbolicLink(), () => false))) {
        throw fail(dir === resolved ? 'is a symbolic link to nothing' : `goes through '${dir}', a symbolic link to nothing`);
      }
      const up = path.dirname(dir);
      if (up === dir) throw fail('has no existing folder above it', error);
      dir = up;
    }
  }
}

/** 'EROFS: read-only file system': the errno code and what it means here. */
export function describeCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'EACCES': case 'EPERM': return `${code}: permission denied`;
    case 'EROFS': return 'EROFS: read-only file system';
    // procfs and sysfs answer a create with ENOENT although the folder exists.
    case 'ENOENT': return 'ENOENT: this file system does not allow creating entries here';
    case 'ENOSPC': return 'ENOSPC: no space left on the device';
    case 'EDQUOT': return 'EDQUOT: disk quota exceeded';
    case 'ELOOP': return 'ELOOP: too many levels of symbolic links';
    case 'ENAMETOOLONG': return 'ENAMETOOLONG: the name is too long';
    case 'ENOTDIR': return 'ENOTDIR: a part of the path is not a folder';
    case 'EISDIR': return 'EISDIR: it is a folder';
    default: return code ? `${code}: ${(error as Error).message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')}` : String((error as Error)?.message ?? error);
  }
}
