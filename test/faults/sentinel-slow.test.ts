// Sentinels that answer slowly, or not at all: every connection the service makes must still find
// the new primary after a failover. ioredis, left to itself, ends each of them for good when the
// failover's +switch-master arrives while it is asking a sentinel (src/adapters/redis/sentinel-connector.ts),
// and waits forever on a sentinel that accepts and never answers.

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisConnection } from '../../src/adapters/redis/connection.js';
import { startSentinelCluster, type SentinelCluster } from '../helpers/sentinel.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let cluster: SentinelCluster;
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  cluster = await startSentinelCluster();
}, 60_000);
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await cluster?.stop();
});

async function connections(sentinels: Array<{ host: string; port: number }>, count: number): Promise<{ clients: Redis[]; ended: () => number }> {
  let ended = 0;
  const clients = Array.from({ length: count }, () => {
    const c = redisConnection({ sentinels, name: cluster.name }, { maxRetriesPerRequest: 3, connectTimeout: 5000 });
    c.on('error', () => undefined);
    c.on('end', () => ended++);
    return c;
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not connected in 20 s: ${clients.map((c) => c.status).join(', ')}`)), 20_000);
  });
  await Promise.race([Promise.all(clients.map((c) => c.ping())), late]).finally(() => clearTimeout(timer));
  return { clients, ended: () => ended };
}

async function failover(): Promise<void> {
  const old = await cluster.killPrimary();
  await cluster.waitForFailover(old);
  await cluster.rejoin();
}

/** Every client answers a write on the new primary within 20 s. */
async function allBack(clients: Redis[]): Promise<void> {
  const until = Date.now() + 20_000;
  for (const [i, c] of clients.entries()) {
    for (;;) {
      const ok = await c.set('sentinel-slow', String(i)).then(() => true, () => false);
      if (ok) break;
      if (Date.now() > until) throw new Error(`connection ${i} is ${c.status} 20 s after the failover`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

it('with sentinels answering 150 ms late, no connection ends at a failover, and each finds the new primary', async () => {
  const slow = await Promise.all(cluster.sentinels.map((s) => startTcpProxy(s.port, { delayMs: 150 })));
  proxies.push(...slow);
  const { clients, ended } = await connections(slow.map((p) => ({ host: '127.0.0.1', port: p.port })), 10);
  try {
    for (let round = 0; round < 2; round++) {
      await failover();
      await allBack(clients);
    }
    expect(ended()).toBe(0);
    expect(clients.map((c) => c.status)).toEqual(clients.map(() => 'ready'));
  } finally {
    for (const c of clients) c.disconnect();
  }
}, 180_000);

it('a sentinel that accepts and never answers, listed first, holds no connection: the next one is asked', async () => {
  const silent = await startTcpProxy(cluster.sentinels[0]!.port, 'never');
  proxies.push(silent);
  const { clients, ended } = await connections([{ host: '127.0.0.1', port: silent.port }, ...cluster.sentinels], 3);
  try {
    await failover();
    await allBack(clients);
    expect(ended()).toBe(0);
  } finally {
    for (const c of clients) c.disconnect();
  }
}, 180_000);
