// Issue 6's "many in flight": 1,000 hotfixes across 100 services in every state, stored the
// way the service stores them. Built with the real domain functions (the unit tests'
// builders), renamed per hotfix, and written through the real store. Their pending work is
// dropped: they sit in Redis as data and indexes, the load a large installation carries.

import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { createRedisStore } from '../src/adapters/redis/store.js';
import { backmergeChecked } from '../src/domain/finalize.js';
import type { Hotfix } from '../src/domain/hotfix.js';
import { formatHotfixId } from '../src/domain/ids.js';
import { SECRETS } from '../test/helpers/harness.js';
import * as b from '../test/unit/domain/builders.js';
import { summary } from './stats.js';

const SHAPES: Array<() => Hotfix> = [
  () => b.opened(),
  () => b.building(),
  () => b.qaProvisioning(),
  () => b.awaitingApproval(),
  () => b.deploying(),
  () => b.deployQueued(),
  () => b.finalizing(),
  () => b.awaitingBackmerge(),
  () => {
    const h = b.awaitingBackmerge();
    backmergeChecked(h, true, 1, b.BACKMERGE_CHECK_MS, b.POLICY, b.ctx('git', b.at(120)));
    return h;
  },
];

function rename(h: Hotfix, n: number, service: string, createdAt: Date): Hotfix {
  const id = formatHotfixId(createdAt, n);
  const json = JSON.stringify({ ...h, outbox: [] }).replaceAll(b.ID, id).replaceAll('"payments"', JSON.stringify(service));
  const out = JSON.parse(json) as Hotfix;
  out.createdAt = createdAt.toISOString();
  return out;
}

export async function seed(redisUrl: string, prefix: string, count: number, services: number, offset = 0): Promise<{ ids: string[]; completed: Hotfix }> {
  const redis = new Redis(redisUrl);
  const store = createRedisStore(redis, prefix);
  const ids: string[] = [];
  let completed: Hotfix | undefined;
  const base = Date.parse('2026-10-01T00:00:00.000Z');
  for (let i = 0; i < count; i++) {
    const shape = SHAPES[i % SHAPES.length] ?? SHAPES[0]!;
    const h = rename(shape(), 5000 + offset + i, `service-${i % services}`, new Date(base + (offset + i) * 1000));
    await store.create(h);
    ids.push(h.id);
    if (h.state === 'completed') completed = h;
  }
  await redis.quit();
  if (!completed) throw new Error('no completed hotfix seeded');
  return { ids, completed };
}

export async function redisBytes(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl);
  const info = await redis.info('memory');
  await redis.quit();
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

export async function keyBytes(redisUrl: string, key: string): Promise<number> {
  const redis = new Redis(redisUrl);
  const n = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  await redis.quit();
  return n;
}

export function rssKb(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

export interface ApiLoad {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export function loadGet(url: string, paths: () => string, seconds = 8): Promise<ApiLoad> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: 10,
        duration: seconds,
        headers: { authorization: `Bearer ${SECRETS.apiToken}` },
        requests: [{ setupRequest: (req) => ({ ...req, path: paths() }) }],
      },
      (err, result) => (err ? reject(err) : resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors })),
    );
  });
}

export { summary };
