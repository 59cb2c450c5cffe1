// A real slowdown that leaves plans and buffers unchanged: the CPU bandwidth of a local PostgreSQL, limited with a
// Linux cgroup (cgroup v1 cpu controller: cfs_quota_us per cfs_period_us; cgroup v2: cpu.max). Needs root and a
// writable cgroup file system; everything it moves, it moves back, and it removes the group it made.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A CPU limit on a set of processes; set() changes it, release() moves them back and removes the group. */
export interface CpuThrottle {
  /** Limit the group to `cpus` CPUs (e.g. 0.5); undefined = no limit. */
  set(cpus: number | undefined): void;
  /** Moves processes (and, where `children` of a postmaster fork later, they inherit the group) into the group. */
  add(pids: number[]): void;
  release(): void;
  describe(): string;
}

/**
 * Period of the bandwidth limit: 4 ms, short enough that a query of a few milliseconds is throttled throughout
 * rather than running free for most of a long period; the kernel's smallest quota is 1 ms, so limits go down to
 * 0.25 CPU.
 */
const PERIOD_US = 4000;

export function createCpuThrottle(name = `execbench-${process.pid}`): CpuThrottle | { unavailable: string } {
  const made = makeCpuThrottle(name);
  if ('unavailable' in made) return made;
  // A signal ends the process from withDatabase's handler, past the script's finally: the group goes on exit too.
  let released = false;
  const release = () => { if (!released) { released = true; try { made.release(); } catch { /* already gone */ } } };
  process.once('exit', release);
  return { ...made, release: () => { process.removeListener('exit', release); release(); } };
}

function makeCpuThrottle(name: string): CpuThrottle | { unavailable: string } {
  const v1 = '/sys/fs/cgroup/cpu';
  const v2 = '/sys/fs/cgroup';
  if (process.getuid?.() !== 0) return { unavailable: 'needs root to create a cgroup' };
  try {
    if (existsSync(path.join(v1, 'cpu.cfs_quota_us')) || existsSync(path.join(v1, 'tasks'))) {
      const dir = path.join(v1, name);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      const moved = new Set<number>();
      return {
        set(cpus) { writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), cpus === undefined ? '-1' : String(Math.max(1000, Math.round(cpus * PERIOD_US)))); },
        add(pids) { for (const pid of pids) { try { writeFileSync(path.join(dir, 'cgroup.procs'), String(pid)); moved.add(pid); } catch { /* gone */ } } },
        release() {
          for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
            try { writeFileSync(path.join(v1, 'cgroup.procs'), pid); } catch { /* gone */ }
          }
          rmdirSync(dir);
        },
        describe: () => `cgroup v1 ${dir} (cfs period ${PERIOD_US} us)`,
      };
    }
    if (readFileSync(path.join(v2, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) {
      const dir = path.join(v2, name);
      mkdirSync(dir);
      return {
        set(cpus) { writeFileSync(path.join(dir, 'cpu.max'), cpus === undefined ? `max ${PERIOD_US}` : `${Math.round(cpus * PERIOD_US)} ${PERIOD_US}`); },
        add(pids) { for (const pid of pids) { try { writeFileSync(path.join(dir, 'cgroup.procs'), String(pid)); } catch { /* gone */ } } },
        release() {
          for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
            try { writeFileSync(path.join(v2, 'cgroup.procs'), pid); } catch { /* gone */ }
          }
          rmdirSync(dir);
        },
        describe: () => `cgroup v2 ${dir} (cpu.max period ${PERIOD_US} us)`,
      };
    }
  } catch (error) {
    return { unavailable: `cannot create a cpu cgroup: ${(error as Error).message}` };
  }
  return { unavailable: 'no cgroup cpu controller is mounted (neither v1 /sys/fs/cgroup/cpu nor v2 with cpu enabled)' };
}

/** The postmaster of a backend and all its children (the whole local server), from /proc. */
export function serverProcesses(backendPid: number): number[] {
  const status = readFileSync(`/proc/${backendPid}/status`, 'utf8');
  const postmaster = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
  const children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  return [postmaster, ...children];
}
