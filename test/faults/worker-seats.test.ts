// Worker processes beyond the seats on their cores stand by (queue.activeWorkersPerHost): real
// processes, one seat, two workers. The one standing by runs no step; when the active one is
// killed, the other takes the seat once its lease runs out and hotfixes go on, each effect once.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ProcessHandle } from './cluster.js';
import { assertExactlyOnce, runToCompletion } from './lifecycle.js';

let c: Cluster;
let redis: Redis;

beforeAll(async () => {
  c = await startCluster({ workers: 2, queue: { activeWorkersPerHost: 1 } });
  redis = new Redis(process.env.REDIS_URL ?? '');
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await c?.close();
});

/** What a process last said about its seat: running jobs, standing by, or nothing yet. */
function seatOf(p: ProcessHandle): 'active' | 'standby' | undefined {
  const said = p.logs.join('').split('\n').flatMap((line) => {
    if (line.includes('"msg":"worker active"')) return ['active' as const];
    if (line.includes('"msg":"every worker seat on these cores is taken: standing by"')) return ['standby' as const];
    return [];
  });
  return said.at(-1);
}

const triggered = (p: ProcessHandle) => p.logs.join('').split('\n').filter((l) => l.includes('"msg":"jenkins run triggered"')).length;

async function seats(): Promise<Array<'active' | 'standby'>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = c.workers.map(seatOf);
    if (now.every((s) => s !== undefined)) return now.filter((s) => s !== undefined);
    if (Date.now() > deadline) throw new Error(`workers never said where they sit: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('two worker processes, one seat', () => {
  it('runs every step in the seated process; the other stands by', async () => {
    expect((await seats()).sort()).toEqual(['active', 'standby']);
    const service = c.services[0]!;
    const h = await runToCompletion(c, service, 'Seated fix');
    assertExactlyOnce(c, service, h);
    const [active, standby] = [c.workers.find((w) => seatOf(w) === 'active')!, c.workers.find((w) => seatOf(w) === 'standby')!];
    expect(triggered(active)).toBeGreaterThanOrEqual(2); // the build and the qa-up (the runs this log line is for)
    expect(triggered(standby)).toBe(0);
  }, 120_000);

  it('the one standing by takes the seat of the one killed holding it, and the road goes on', async () => {
    const active = c.workers.find((w) => seatOf(w) === 'active')!;
    const standby = c.workers.find((w) => seatOf(w) === 'standby')!;
    const killed = Date.now();
    active.child.kill('SIGKILL');
    await active.exited;
    while (seatOf(standby) !== 'active') {
      if (Date.now() - killed > 20_000) throw new Error('the standby never took the seat');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Not before the dead holder's lease ran out: 3 s (queue.lockSeconds) from its last renewal,
    // which was at most a third of that (plus a busy event loop's lateness) before the kill.
    expect(Date.now() - killed).toBeGreaterThanOrEqual(1_500);
    // Started again, as a supervisor would: now it is the one to stand by.
    const again = await c.restart(active);
    expect((await seats()).sort()).toEqual(['active', 'standby']);
    expect(seatOf(again)).toBe('standby');
    const service = c.services[0]!;
    const h = await runToCompletion(c, service, 'Fix after the seated worker died');
    assertExactlyOnce(c, service, h);
    expect(triggered(standby)).toBeGreaterThanOrEqual(2);
    expect(triggered(again)).toBe(0);
  }, 120_000);

  it('a process that loses its seat stops fetching, and runs a new worker once it takes the seat back', async () => {
    const [seat] = await redis.keys(`${c.prefix}:worker-seat:*`);
    expect(seat).toBeDefined();
    const active = c.workers.find((w) => seatOf(w) === 'active')!;
    // What a failover that lost the key, or a pause longer than the lease, leaves behind.
    await redis.set(seat!, 'another-process', 'PX', 60_000);
    const deadline = Date.now() + 20_000;
    while (seatOf(active) !== 'standby') {
      if (Date.now() > deadline) throw new Error('the process kept its lost seat');
      await new Promise((r) => setTimeout(r, 50));
    }
    // The other process goes, so that the one that lost the seat is the one to take it back.
    for (const other of c.workers.filter((w) => w !== active)) {
      other.child.kill('SIGTERM');
      await other.exited;
    }
    await redis.del(seat!);
    while (seatOf(active) !== 'active') {
      if (Date.now() > deadline) throw new Error('it never took the freed seat back');
      await new Promise((r) => setTimeout(r, 50));
    }
    const service = c.services[0]!;
    const h = await runToCompletion(c, service, 'Fix after the seat came back');
    assertExactlyOnce(c, service, h);
  }, 120_000);
});
