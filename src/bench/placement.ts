// Where bench:clock's processes run. Left to the scheduler (free), a client and its backend may share a CPU or sit
// on two for a whole connection, and that alone moves a 0.1 ms round trip by tens of microseconds (more for Node,
// whose client connection lives for the run, than for pgbench, which reconnects every block and so samples several
// placements). Pinning both clients and the server the same way makes the comparison about the clients:
//   same:  this process (all its threads), the pgbench it starts, and the whole server on one CPU;
//   split: this process and its pgbench on one CPU, the server (postmaster and every backend) on another.
// Only for a server execbench started here (embedded): its processes are execbench's to pin. Linux, taskset.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { serverProcesses } from './cpu-throttle.ts';

export const PLACEMENTS = ['free', 'same', 'split'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export function parsePlacement(arg: string | undefined): Placement | { error: string } {
  const value = (arg ?? 'free').trim();
  if ((PLACEMENTS as readonly string[]).includes(value)) return value as Placement;
  return { error: `unknown placement "${value}"; choose free (the scheduler's), same (client and server on one CPU) or split (on two)` };
}

/** Pins this process and the server of `backendPid` as `placement` says; returns a one-line description. */
export function applyPlacement(placement: Placement, backendPid: number): string {
  if (placement === 'free') return 'placement free: the scheduler places the clients and the server';
  if (process.platform !== 'linux') throw new Error(`placement ${placement} needs Linux (taskset); use free here`);
  if (placement === 'split' && os.cpus().length < 2) throw new Error('placement split needs two CPUs; use same or free');
  const server = serverProcesses(backendPid);
  const serverCpu = placement === 'same' ? '0' : '1';
  try {
    execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
    for (const pid of server) execFileSync('taskset', ['-a', '-cp', serverCpu, String(pid)], { stdio: 'ignore' });
  } catch (error) {
    throw new Error(`cannot pin with taskset (${(error as Error).message.split('\n')[0]}); install util-linux, or use placement free`, { cause: error });
  }
  return `placement ${placement}: execbench and pgbench on CPU 0, the server (${server.length} processes, and every backend forked later) on CPU ${serverCpu}`;
}
