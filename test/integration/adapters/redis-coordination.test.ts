// Coordination across processes on a real Redis: the lease lock (createRedisLocker) and the
// per-service production deploy slot (createRedisDeployRegistry). "Processes" are separate
// connections with separate locker instances, as two service processes would have.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisDeployRegistry } from '../../../src/adapters/redis/deploy-registry.js';
import { keysFor } from '../../../src/adapters/redis/keys.js';
import { createRedisLocker } from '../../../src/adapters/redis/lock.js';
import { ExternalServiceError } from '../../../src/domain/errors.js';
import type { Locker } from '../../../src/ports/locker.js';
import { externalFailure, redisUrl, rejectionOf, uniquePrefix } from './support.js';

const PREFIX = uniquePrefix();
const connections: Redis[] = [];

function connect(): Redis {
  const c = new Redis(redisUrl(), { maxRetriesPerRequest: 3 });
  connections.push(c);
  return c;
}

let redis: Redis;

beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await Promise.all(connections.map((c) => c.quit()));
});

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` under the lock while counting how many holders are inside at once. */
function guarded(locker: Locker, name: string, probe: { inside: number; max: number; order: string[] }, label: string, work = 15) {
  return locker.withLock(name, async () => {
    probe.inside += 1;
    probe.max = Math.max(probe.max, probe.inside);
    probe.order.push(`${label}:in`);
    await tick(work);
    probe.order.push(`${label}:out`);
    probe.inside -= 1;
    return label;
  });
}

describe('lease lock', () => {
  it('excludes holders in other processes (separate connections and lockers)', async () => {
    const a = createRedisLocker(connect(), PREFIX);
    const b = createRedisLocker(connect(), PREFIX);
    const c = createRedisLocker(connect(), PREFIX);
    const probe = { inside: 0, max: 0, order: [] as string[] };

    const results = await Promise.all(
      Array.from({ length: 9 }, (_, i) => guarded([a, b, c][i % 3] as Locker, 'git:payments', probe, `w${i}`)),
    );

    expect(results).toHaveLength(9);
    expect(probe.max).toBe(1);
    expect(await redis.exists(keysFor(PREFIX).lock('git:payments'))).toBe(0);
  });

  it('tells how long each holder waited, by kind of lock', async () => {
    const waits: Array<[string, number]> = [];
    const locker = createRedisLocker(connect(), PREFIX, { onWait: (kind, seconds) => waits.push([kind, seconds]) });
    const probe = { inside: 0, max: 0, order: [] as string[] };
    await Promise.all([guarded(locker, 'git:ledger', probe, 'first', 80), guarded(locker, 'git:ledger', probe, 'second', 1)]);
    expect(waits.map(([kind]) => kind)).toEqual(['git', 'git']);
    // The second waited for the first's work (80 ms of it at least); the first did not.
    expect(waits[1]?.[1]).toBeGreaterThanOrEqual(0.079);
    expect(waits[0]?.[1] ?? Infinity).toBeLessThan(waits[1]?.[1] ?? 0);
  });

  it('serialises callers within one process in arrival order, without blocking other names', async () => {
    const locker = createRedisLocker(connect(), PREFIX);
    const shared = { inside: 0, max: 0, order: [] as string[] };
    const other = { inside: 0, max: 0, order: shared.order };

    await Promise.all([
      guarded(locker, 'deploy:payments', shared, 'a', 40),
      guarded(locker, 'deploy:payments', shared, 'b', 40),
      guarded(locker, 'deploy:payments', shared, 'c', 40),
      guarded(locker, 'deploy:ledger', other, 'x', 1),
    ]);

    const payments = shared.order.filter((e) => !e.startsWith('x:'));
    expect(payments).toEqual(['a:in', 'a:out', 'b:in', 'b:out', 'c:in', 'c:out']);
    expect(shared.max).toBe(1);
    // The other name ran alongside instead of queueing behind all of payments.
    expect(shared.order.indexOf('x:out')).toBeLessThan(shared.order.indexOf('c:in'));
  });

  it('releases the lock when the holder throws, and passes the error on', async () => {
    const locker = createRedisLocker(connect(), PREFIX);
    const boom = new Error('git exploded');
    expect(await rejectionOf(locker.withLock('git:boom', async () => Promise.reject(boom)))).toBe(boom);
    expect(await redis.exists(keysFor(PREFIX).lock('git:boom'))).toBe(0);
    expect(await locker.withLock('git:boom', async () => 'next')).toBe('next');
  });

  it('keeps the lease alive while a long holder works (renewal), so nobody else gets in', async () => {
    const holder = createRedisLocker(connect(), PREFIX, { leaseMs: 120 });
    const rival = createRedisLocker(connect(), PREFIX, { leaseMs: 120 });
    const order: string[] = [];

    await Promise.all([
      holder.withLock('git:long', async () => {
        order.push('holder:in');
        await tick(400); // more than three leases
        order.push('holder:out');
      }),
      (async () => {
        await tick(20);
        await rival.withLock('git:long', async () => {
          order.push('rival:in');
        });
      })(),
    ]);

    expect(order).toEqual(['holder:in', 'holder:out', 'rival:in']);
  });

  it('takes over when a crashed holder’s lease runs out', async () => {
    const key = keysFor(PREFIX).lock('git:crashed');
    await redis.set(key, 'token-of-a-dead-process', 'PX', 150);
    const locker = createRedisLocker(connect(), PREFIX);

    const t0 = performance.now();
    expect(await locker.withLock('git:crashed', async () => 'mine')).toBe('mine');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
  });

  it('gives up waiting after waitMs with a transient error, and leaves the holder’s lease alone', async () => {
    const key = keysFor(PREFIX).lock('git:busy');
    await redis.set(key, 'token-of-a-live-process', 'PX', 60_000);
    const impatient = createRedisLocker(connect(), PREFIX, { waitMs: 150 });

    const err = await externalFailure(impatient.withLock('git:busy', async () => 'never'), true);
    expect(err).toBeInstanceOf(ExternalServiceError);
    expect(await redis.get(key)).toBe('token-of-a-live-process');
    await redis.del(key);
  });

  it('never releases a lock it no longer holds (its lease expired and someone else took it)', async () => {
    const key = keysFor(PREFIX).lock('git:expired');
    const slow = createRedisLocker(connect(), PREFIX, { leaseMs: 60_000 });
    await slow.withLock('git:expired', async () => {
      // Simulate the lease running out and another process taking the lock meanwhile.
      await redis.set(key, 'someone-else', 'PX', 60_000);
    });
    expect(await redis.get(key)).toBe('someone-else');
    await redis.del(key);
  });
});

describe('deploy registry', () => {
  const registry = () => createRedisDeployRegistry(redis, PREFIX);

  it('grants the slot to one hotfix at a time; the holder may claim again', async () => {
    const r = registry();
    expect(await r.claim('payments', 'HF-2026-11-001')).toEqual({ granted: true });
    expect(await r.claim('payments', 'HF-2026-11-002')).toEqual({ granted: false, holder: 'HF-2026-11-001' });
    expect(await r.claim('payments', 'HF-2026-11-001')).toEqual({ granted: true });
    // Another service has its own slot.
    expect(await r.claim('ledger', 'HF-2026-11-002')).toEqual({ granted: true });
  });

  it('of concurrent claims on a free slot, exactly one wins', async () => {
    const rs = Array.from({ length: 3 }, () => createRedisDeployRegistry(connect(), PREFIX));
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => (rs[i % 3] ?? registry()).claim('billing', `HF-2026-11-${String(i + 1).padStart(3, '0')}`)));

    const winners = claims.filter((c) => c.granted);
    expect(winners).toHaveLength(1);
    const holders = new Set(claims.flatMap((c) => (c.granted ? [] : [c.holder])));
    expect(holders.size).toBe(1);
  });

  it('takeOver succeeds only from the named holder', async () => {
    const r = registry();
    await r.claim('search', 'HF-2026-11-010');

    expect(await r.takeOver('search', 'HF-2026-11-999', 'HF-2026-11-011')).toBe(false);
    expect(await r.claim('search', 'HF-2026-11-011')).toEqual({ granted: false, holder: 'HF-2026-11-010' });

    expect(await r.takeOver('search', 'HF-2026-11-010', 'HF-2026-11-011')).toBe(true);
    expect(await r.claim('search', 'HF-2026-11-011')).toEqual({ granted: true });
    expect(await r.claim('search', 'HF-2026-11-010')).toEqual({ granted: false, holder: 'HF-2026-11-011' });
  });

  it('release frees the slot only for its holder', async () => {
    const r = registry();
    await r.claim('checkout', 'HF-2026-11-020');

    await r.release('checkout', 'HF-2026-11-021');
    expect(await r.claim('checkout', 'HF-2026-11-021')).toEqual({ granted: false, holder: 'HF-2026-11-020' });

    await r.release('checkout', 'HF-2026-11-020');
    expect(await r.claim('checkout', 'HF-2026-11-021')).toEqual({ granted: true });
  });

  it('release answers who waits for the slot, longest waiting first, until served or forgotten', async () => {
    const r = registry();
    await r.claim('orders', 'HF-2026-11-030');
    await r.claim('orders', 'HF-2026-11-032');
    await tick();
    await r.claim('orders', 'HF-2026-11-031');
    await r.claim('orders', 'HF-2026-11-032');
    expect(await r.release('orders', 'HF-2026-11-031')).toEqual([]);
    expect(await r.release('orders', 'HF-2026-11-030')).toEqual(['HF-2026-11-032', 'HF-2026-11-031']);
    // The one that gets the slot is no longer listed; the other stays listed, in its place.
    expect(await r.claim('orders', 'HF-2026-11-032')).toEqual({ granted: true });
    expect(await r.claim('orders', 'HF-2026-11-033')).toEqual({ granted: false, holder: 'HF-2026-11-032' });
    expect(await r.release('orders', 'HF-2026-11-032')).toEqual(['HF-2026-11-031', 'HF-2026-11-033']);
    // One that no longer waits is forgotten.
    await r.forget('orders', 'HF-2026-11-031');
    expect(await r.claim('orders', 'HF-2026-11-034')).toEqual({ granted: true });
    expect(await r.release('orders', 'HF-2026-11-034')).toEqual(['HF-2026-11-033']);
    expect(await r.release('orders', 'HF-2026-11-034')).toEqual([]);
  });

  it('records which artifact each production tag stands for', async () => {
    const r = registry();
    const record = { commit: 'c'.repeat(40), artifact: { version: '1.4.3', url: 'https://ci.example.com/a.tgz' }, hotfixId: 'HF-2026-11-001' };
    await r.recordProduction('payments', 'prod-12', record);

    expect(await r.production('payments', 'prod-12')).toEqual(record);
    expect(await r.production('payments', 'prod-11')).toBeNull();
    expect(await r.production('ledger', 'prod-12')).toBeNull();
  });
});
