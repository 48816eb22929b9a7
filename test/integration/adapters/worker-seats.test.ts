// Worker seats on a real Redis: processes on the same cores take at most `seats` at once; the
// rest stand by and take over from one that stops, is killed (its lease runs out) or loses its
// seat. "Processes" are separate connections with their own seat keepers.

import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWorkerSeats, type WorkerSeats } from '../../../src/adapters/redis/worker-seats.js';
import { createLogger } from '../../../src/log.js';
import { redisUrl, uniquePrefix, until } from './support.js';

const PREFIX = uniquePrefix();
const LEASE_MS = 300;
const log = createLogger({ level: 'silent' });
const connections: Redis[] = [];
const keepers: WorkerSeats[] = [];

function connect(): Redis {
  const c = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  connections.push(c);
  return c;
}

/** A process's seat keeper, and what it was told, in order. */
function proc(group: string, seats = 2, redis = connect(), leaseMs = LEASE_MS) {
  const changes: boolean[] = [];
  const keeper = createWorkerSeats(redis, { prefix: PREFIX, group, seats, leaseMs, log, onChange: (active) => void changes.push(active) });
  keepers.push(keeper);
  return { keeper, changes, redis };
}

afterEach(async () => {
  await Promise.all(keepers.splice(0).map((k) => k.stop()));
});
afterAll(async () => {
  const keys = await connect().keys(`${PREFIX}:*`);
  expect(keys, 'every seat given back').toEqual([]);
  await Promise.all(connections.filter((c) => c.status !== 'end').map((c) => c.quit()));
});

describe('worker seats', () => {
  it('lets as many processes run as there are seats; the next stands by', async () => {
    const [a, b, c] = [proc('g1'), proc('g1'), proc('g1')];
    expect(await a.keeper.start()).toBe(true);
    expect(await b.keeper.start()).toBe(true);
    expect(await c.keeper.start()).toBe(false);
    // Starting active tells the caller to run; starting on standby tells nothing (nothing runs).
    expect([a.changes, b.changes, c.changes]).toEqual([[true], [true], []]);
    // Renewals keep it that way well past a lease.
    await new Promise((r) => setTimeout(r, LEASE_MS * 3));
    expect([a.keeper.active(), b.keeper.active(), c.keeper.active()]).toEqual([true, true, false]);
    expect(c.changes).toEqual([]);
  });

  it('keeps groups (other cores, another machine) apart', async () => {
    const [a, b] = [proc('g2', 1), proc('g3', 1)];
    expect(await a.keeper.start()).toBe(true);
    expect(await b.keeper.start()).toBe(true);
  });

  it('hands a seat given up on stop to the process standing by, at its next look', async () => {
    // A longer lease, to tell a seat given up from one whose lease ran out.
    const lease = 3_000;
    const [a, b] = [proc('g4', 1, connect(), lease), proc('g4', 1, connect(), lease)];
    await a.keeper.start();
    expect(await b.keeper.start()).toBe(false);
    const stopped = performance.now();
    await a.keeper.stop();
    await until(() => (b.keeper.active() ? true : undefined), 5_000, 'the standby takes the seat');
    // At its next look (every 1 s), where the lease alone would have held the seat 2–3 s more.
    expect(performance.now() - stopped).toBeLessThan(1_800);
    expect(b.changes).toEqual([true]);
  });

  it('takes over from a process that died holding a seat once its lease runs out', async () => {
    const a = proc('g5', 1);
    await a.keeper.start();
    // Killed: no renewal, no stop. Its connection goes with it.
    const dead = a.keeper;
    keepers.splice(keepers.indexOf(dead), 1);
    a.redis.disconnect();
    const b = proc('g5', 1);
    expect(await b.keeper.start()).toBe(false);
    await until(() => (b.keeper.active() ? true : undefined), 3_000, 'the standby takes the dead process seat');
    expect(b.changes).toEqual([true]);
    // The dead keeper's timer must not outlive the test: it is stopped without Redis (a warning only).
    await dead.stop();
  });

  it('stands a process down when another holds its seat and none is free', async () => {
    const a = proc('g6', 1);
    await a.keeper.start();
    // What a failover that lost the seat, or a pause longer than the lease, looks like.
    const key = `${PREFIX}:worker-seat:g6:0`;
    await a.redis.set(key, 'someone-else', 'PX', 60_000);
    await until(() => (a.keeper.active() ? undefined : true), 2_000, 'the process stands down');
    expect(a.changes).toEqual([true, false]);
    await a.redis.del(key);
    await until(() => (a.keeper.active() ? true : undefined), 2_000, 'the process takes the freed seat again');
    expect(a.changes).toEqual([true, false, true]);
  });

  it('runs when the seats cannot be read at start, rather than never', async () => {
    const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
    redis.on('error', () => undefined);
    const a = proc('g7', 1, redis);
    expect(await a.keeper.start()).toBe(true);
    expect(a.changes).toEqual([true]);
    // Still unreadable at the next looks: it keeps running.
    await new Promise((r) => setTimeout(r, LEASE_MS));
    expect(a.keeper.active()).toBe(true);
    await a.keeper.stop();
    keepers.splice(keepers.indexOf(a.keeper), 1);
    redis.disconnect();
  });
});
