// Which cores this process runs on, and whether other processes on the machine share them.
// Worker processes that share cores take turns at them (adapters/redis/worker-seats.ts); what
// "the same cores" means is read from the kernel, so it holds across containers on one host.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';

export interface CoreGroup {
  /** The same for every process on this machine allowed on the same cores (a hash). */
  id: string;
  /** How many cores those are. */
  cores: number;
  /**
   * The process's cgroup caps its CPU time (a container `cpus:` or Kubernetes CPU limit): its
   * share of the cores is then the scheduler's business, and sharing cores says nothing.
   */
  quota: boolean;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** cgroup v2 `cpu.max` ("max 100000" or "<quota> <period>"), else v1's `cpu.cfs_quota_us` (-1: none). */
export function hasCpuQuota(v2: string | null, v1: string | null): boolean {
  if (v2 !== null) return v2.split(/\s+/)[0] !== 'max';
  if (v1 !== null) return Number(v1) > 0;
  return false;
}

export function coreGroup(): CoreGroup {
  // boot_id is the kernel's, not a namespace's: containers on one host read the same value,
  // where each has its own hostname. Elsewhere (no /proc) the hostname stands in.
  const machine = read('/proc/sys/kernel/random/boot_id') ?? hostname();
  const allowed = /^Cpus_allowed_list:\s*(\S+)$/m.exec(read('/proc/self/status') ?? '')?.[1] ?? 'all';
  const id = createHash('sha256').update(`${machine}\n${allowed}`).digest('hex').slice(0, 16);
  return {
    id,
    cores: availableParallelism(),
    quota: hasCpuQuota(read('/sys/fs/cgroup/cpu.max'), read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')),
  };
}
