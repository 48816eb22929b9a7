// The hotfix store (createRedisStore) on a real Redis: records and their indexes, the
// compare-and-set `update`, idempotency keys. Each test works under its own key prefix.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysFor } from '../../../src/adapters/redis/keys.js';
import { createRedisStore } from '../../../src/adapters/redis/store.js';
import { newHotfix } from '../../../src/domain/create.js';
import type { Hotfix } from '../../../src/domain/hotfix.js';
import type { HotfixStore } from '../../../src/ports/hotfix-store.js';
import { redisUrl, rejectionOf, uniquePrefix } from './support.js';

const FAR_FUTURE = new Date('2100-01-01T00:00:00.000Z');

let redis: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: 3 });
});
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

function fresh(client: Redis = redis): { store: HotfixStore; prefix: string } {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return { store: createRedisStore(client, prefix), prefix };
}

const T0 = Date.parse('2026-11-03T09:00:00.000Z');

function hotfix(n: number, service = 'payments', at = new Date(T0 + n * 60_000)): Hotfix {
  const id = `HF-2026-11-${String(n).padStart(3, '0')}`;
  return newHotfix({ id, service, title: '0', requestedBy: 'dev@example.com', commits: [] }, at);
}

async function created(store: HotfixStore, ...hotfixes: Hotfix[]): Promise<void> {
  for (const h of hotfixes) expect(await store.create(h)).toEqual({ created: true });
}

describe('create, get, list', () => {
  it('stores a hotfix whole and reads it back', async () => {
    const { store } = fresh();
    const h = hotfix(1);
    h.outbox.push({ id: 'create-branch', step: 'create-branch', args: {}, runAt: null, createdAt: h.createdAt });

    expect(await store.create(h)).toEqual({ created: true });

    expect(await store.get(h.id)).toEqual(h);
    expect(await store.get('HF-2026-11-999')).toBeNull();
    expect(await store.withWorkDue(FAR_FUTURE)).toEqual([h.id]);
    // Indexed by when the work is due: nothing is due before the hotfix existed.
    expect(await store.withWorkDue(new Date(Date.parse(h.createdAt) - 1))).toEqual([]);
  });

  it('refuses to create the same id twice, leaving the first alone', async () => {
    const { store } = fresh();
    const h = hotfix(1);
    await created(store, h);

    const err = await rejectionOf(store.create({ ...hotfix(1), title: 'impostor' }));
    expect(String(err)).toContain('hotfix exists');
    expect((await store.get(h.id))?.title).toBe('0');
  });

  it('lists newest first, filtered by service and by state, with limit counting matches', async () => {
    const { store } = fresh();
    const [p1, p2, l3, p4, p5, l6] = [hotfix(1), hotfix(2), hotfix(3, 'ledger'), hotfix(4), hotfix(5), hotfix(6, 'ledger')] as const;
    await created(store, p4, p1, l6, p2, l3, p5); // insertion order does not matter
    for (const id of [p2.id, p5.id, l6.id]) {
      await store.update(id, (d) => {
        d.state = 'building';
      });
    }
    const ids = (list: Hotfix[]) => list.map((h) => h.id);

    expect(ids(await store.list({ limit: 10 }))).toEqual([l6, p5, p4, l3, p2, p1].map((h) => h.id));
    expect(ids(await store.list({ limit: 2 }))).toEqual([l6.id, p5.id]);
    expect(ids(await store.list({ service: 'payments', limit: 10 }))).toEqual([p5, p4, p2, p1].map((h) => h.id));
    expect(ids(await store.list({ service: 'ledger', limit: 1 }))).toEqual([l6.id]);
    expect(ids(await store.list({ state: 'building', limit: 10 }))).toEqual([l6, p5, p2].map((h) => h.id));
    expect(ids(await store.list({ state: 'open', service: 'payments', limit: 10 }))).toEqual([p4, p1].map((h) => h.id));
    expect(ids(await store.list({ state: 'building', service: 'payments', limit: 1 }))).toEqual([p5.id]);
    expect(ids(await store.list({ service: 'payments', limit: 10, before: p4.id }))).toEqual([p2.id, p1.id]);
    expect(await store.list({ service: 'billing', limit: 10 })).toEqual([]);
    expect(await store.list({ state: 'completed', limit: 10 })).toEqual([]);
  });

  it('counts matches, not index entries, when the filter skips many newer hotfixes', async () => {
    const { store } = fresh();
    const old = hotfix(1, 'payments');
    await created(store, old);
    for (let i = 2; i <= 120; i++) await created(store, hotfix(i, 'ledger'));

    expect((await store.list({ service: 'payments', state: 'open', limit: 5 })).map((h) => h.id)).toEqual([old.id]);
  });

  // The cursor is the last id of the previous page, so hotfixes sharing a millisecond at a page
  // boundary are neither lost nor repeated.
  it('pages through hotfixes created in the same millisecond without losing any', async () => {
    const { store } = fresh();
    const at = new Date(T0);
    await created(store, hotfix(1, 'payments', at), hotfix(2, 'payments', at), hotfix(3, 'payments', at));

    const page1 = await store.list({ limit: 2 });
    const page2 = await store.list({ limit: 2, before: page1.at(-1)?.id ?? '' });

    expect([...page1, ...page2].map((h) => h.id).sort()).toEqual(['HF-2026-11-001', 'HF-2026-11-002', 'HF-2026-11-003']);
    expect(page2).toHaveLength(1);
  });

  it('hands out unique sequence numbers per month, also concurrently', async () => {
    const { store } = fresh();
    const numbers = await Promise.all(Array.from({ length: 15 }, () => store.nextSequence('2026-11')));
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(await store.nextSequence('2026-12')).toBe(1);
  });
});

describe('idempotency keys', () => {
  it('a second create with a claimed key stores nothing and returns the first record’s claim', async () => {
    const { store, prefix } = fresh();
    const first = hotfix(1);
    expect(await store.create(first, { key: 'req-abc', fingerprint: 'fp-1' })).toEqual({ created: true });

    const second = hotfix(2);
    expect(await store.create(second, { key: 'req-abc', fingerprint: 'fp-2' })).toEqual({ created: false, existing: { hotfixId: first.id, fingerprint: 'fp-1' } });

    expect(await store.get(second.id)).toBeNull();
    expect((await store.list({ limit: 10 })).map((h) => h.id)).toEqual([first.id]);
    expect(await store.findIdempotent('req-abc')).toEqual({ hotfixId: first.id, fingerprint: 'fp-1' });
    expect(await store.findIdempotent('req-other')).toBeNull();
    const ttl = await redis.ttl(keysFor(prefix).idempotency('req-abc'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });

  it('of ten concurrent creates with one key, exactly one is stored', async () => {
    const { store } = fresh();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create(hotfix(i + 1), { key: 'req-burst', fingerprint: 'fp' })));

    const winners = results.filter((r) => r.created);
    expect(winners).toHaveLength(1);
    const stored = await store.list({ limit: 20 });
    expect(stored).toHaveLength(1);
    for (const r of results) if (!r.created) expect(r.existing.hotfixId).toBe(stored[0]?.id);
  });
});

describe('update', () => {
  it('is atomic under 20 concurrent updaters on several connections: no update is lost', async () => {
    const { store, prefix } = fresh();
    const h = hotfix(1);
    await created(store, h);
    const clients = Array.from({ length: 4 }, () => new Redis(redisUrl(), { maxRetriesPerRequest: 3 }));
    try {
      const stores = clients.map((c) => createRedisStore(c, prefix));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (stores[i % stores.length] as HotfixStore).update(h.id, (d) => {
            const next = Number(d.title) + 1;
            d.title = String(next);
            d.tags.push(`t${i}`);
            return next;
          }),
        ),
      );

      const after = await store.get(h.id);
      expect(after?.title).toBe('20');
      expect(after?.version).toBe(20);
      expect([...(after?.tags ?? [])].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
      // Each updater saw a distinct count: the mutator's result belongs to the write that landed.
      expect(results.map((r) => r?.result).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('does not write a draft left unchanged (the version stays)', async () => {
    const { store, prefix } = fresh();
    const h = hotfix(1);
    await created(store, h);
    await store.update(h.id, (d) => {
      d.title = 'changed';
    });
    const key = keysFor(prefix).hotfix(h.id);
    const rawBefore = await redis.hgetall(key);

    const res = await store.update(h.id, (d) => d.title.length);

    expect(res?.result).toBe(7);
    expect(res?.hotfix.version).toBe(1);
    expect(await redis.hgetall(key)).toEqual(rawBefore);
  });

  it('writes nothing when the mutator throws, and passes the error on', async () => {
    const { store } = fresh();
    const h = hotfix(1);
    await created(store, h);
    const boom = new Error('not allowed');

    expect(
      await rejectionOf(
        store.update(h.id, (d) => {
          d.state = 'cancelled';
          throw boom;
        }),
      ),
    ).toBe(boom);
    expect(await store.get(h.id)).toEqual(h);
  });

  it('answers null for an unknown id', async () => {
    const { store } = fresh();
    expect(await store.update('HF-2026-11-404', () => 1)).toBeNull();
  });

  it('moves the state index and the pending-work set with the record', async () => {
    const { store, prefix } = fresh();
    const keys = keysFor(prefix);
    const h = hotfix(1);
    await created(store, h);

    await store.update(h.id, (d) => {
      d.state = 'building';
      d.outbox.push({ id: 'check-run:build:1', step: 'check-run', args: { stage: 'build', seq: 1 }, runAt: null, createdAt: d.createdAt });
    });
    expect(await redis.zscore(keys.byState('open'), h.id)).toBeNull();
    expect(Number(await redis.zscore(keys.byState('building'), h.id))).toBe(Date.parse(h.createdAt));
    expect(await store.withWorkDue(FAR_FUTURE)).toEqual([h.id]);

    await store.update(h.id, (d) => {
      d.outbox = [];
    });
    expect(await store.withWorkDue(FAR_FUTURE)).toEqual([]);
    expect((await store.list({ state: 'building', limit: 5 })).map((x) => x.id)).toEqual([h.id]);
    expect(await store.list({ state: 'open', limit: 5 })).toEqual([]);
  });
});

describe('discard', () => {
  it('removes the record, every index entry and its idempotency key', async () => {
    const { store, prefix } = fresh();
    const keep = hotfix(1);
    const gone = hotfix(2);
    gone.outbox.push({ id: 'create-branch', step: 'create-branch', args: {}, runAt: null, createdAt: gone.createdAt });
    await created(store, keep);
    expect(await store.create(gone, { key: 'req-gone', fingerprint: 'fp' })).toEqual({ created: true });
    await store.update(gone.id, (d) => {
      d.state = 'needs_attention';
    });

    await store.discard(gone.id, 'req-gone');

    expect(await store.get(gone.id)).toBeNull();
    expect((await store.list({ limit: 10 })).map((h) => h.id)).toEqual([keep.id]);
    expect(await store.list({ state: 'needs_attention', limit: 10 })).toEqual([]);
    expect(await store.findIdempotent('req-gone')).toBeNull();
    expect(await store.withWorkDue(FAR_FUTURE)).toEqual([]);
    const leftovers = (await redis.keys(`${prefix}:*`)).sort();
    expect(leftovers).toEqual([keysFor(prefix).byService('payments'), keysFor(prefix).byState('open'), keysFor(prefix).hotfix(keep.id), keysFor(prefix).index].sort());
    // Discarding what is not there is fine.
    await store.discard(gone.id, 'req-gone');
  });

  it('frees the idempotency key for a new attempt', async () => {
    const { store } = fresh();
    const first = hotfix(1);
    await store.create(first, { key: 'req-retry', fingerprint: 'fp' });
    await store.discard(first.id, 'req-retry');

    const second = hotfix(2);
    expect(await store.create(second, { key: 'req-retry', fingerprint: 'fp' })).toEqual({ created: true });
  });
});
