// Where the CPU went during a measured window, from Linux's /proc: each process's own time and
// its reaped children's (git, for the service), Redis's when it runs on this machine, and how
// much of the machine stayed idle. Elsewhere than Linux the figures are absent, not made up.

import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the bench runs on

export interface ProcessCpu {
  /** Seconds on the CPU of the process itself. */
  own: number;
  /** Seconds of its children that have exited (git processes, for the service). */
  children: number;
}

export function processCpu(pid: number | undefined): ProcessCpu | null {
  return pid === undefined ? null : statTimes(`/proc/${pid}/stat`);
}

function statTimes(path: string): ProcessCpu | null {
  try {
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const stat = readFileSync(path, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const at = (i: number) => Number(f[i]) / TICKS_PER_SECOND;
    // Fields 14–17 of proc(5), counted from the state field (3) here: utime, stime, cutime, cstime.
    return { own: at(11) + at(12), children: at(13) + at(14) };
  } catch {
    return null;
  }
}

/**
 * The main thread's own seconds on the CPU (where JavaScript runs), without libuv's and V8's
 * helper threads: /proc/<pid>/task/<pid> is the thread the process started with.
 */
export function mainThreadCpu(pid: number | undefined): number | null {
  return pid === undefined ? null : statTimes(`/proc/${pid}/task/${pid}/stat`)?.own ?? null;
}

/**
 * Busy, idle and stolen seconds of the whole machine, all CPUs together. Steal is time the
 * hypervisor gave another guest: a noisy neighbour, measured rather than guessed.
 */
export function machineCpu(): { busy: number; idle: number; steal: number } | null {
  try {
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    return { busy: (user + nice + system + irq + softirq) / TICKS_PER_SECOND, idle: (idle + iowait) / TICKS_PER_SECOND, steal: steal / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** Redis's process id when it runs on this machine (INFO's process_id names a redis-server here). */
export function localRedisPid(info: string): number | undefined {
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  if (!pid) return undefined;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis') ? pid : undefined;
  } catch {
    return undefined;
  }
}
