import { describe, expect, it } from 'vitest';
import { coreGroup, hasCpuQuota } from '../../src/adapters/host/cores.js';

describe('the cores a worker shares', () => {
  it('reads a CPU quota from cgroup v2, else v1; none when neither says', () => {
    expect(hasCpuQuota('max 100000', null)).toBe(false);
    expect(hasCpuQuota('150000 100000', null)).toBe(true);
    expect(hasCpuQuota(null, '-1')).toBe(false);
    expect(hasCpuQuota(null, '50000')).toBe(true);
    // v2 wins where both are mounted.
    expect(hasCpuQuota('max 100000', '50000')).toBe(false);
    expect(hasCpuQuota(null, null)).toBe(false);
  });

  it('gives processes on this machine and cores one group, and counts the cores', () => {
    const [a, b] = [coreGroup(), coreGroup()];
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(b.id).toBe(a.id);
    expect(a.cores).toBeGreaterThanOrEqual(1);
  });
});
