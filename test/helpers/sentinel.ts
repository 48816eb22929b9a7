// A real Redis Sentinel set-up from Debian's redis-server binary (`redis-server <conf>
// --sentinel` is redis-sentinel): a primary, one replica and three sentinels (quorum 2), on
// free ports in a temp directory. Tests kill the primary with SIGKILL and let Sentinel promote
// the replica, as in production.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/sandbox/redis.js';

export const MASTER_NAME = 'hotfix-redis';

export interface SentinelCluster {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  /** The port of the node the sentinels call primary now. */
  primaryPort(): Promise<number>;
  /** SIGKILL the current primary (nothing is flushed: it keeps nothing on disk anyway). */
  killPrimary(): Promise<number>;
  /** Resolves once the sentinels name a primary other than `oldPort`, and it answers as one. */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Freezes the replica (SIGSTOP) for `ms`: it confirms nothing meanwhile, as when it is partitioned away. */
  freezeReplica(ms: number): Promise<void>;
  /**
   * Starts a replacement for the killed node, empty, as a replica of the new primary (as an
   * operator would), on a fresh port: the old one may have been handed to another process.
   */
  rejoin(timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
}

async function ask<T>(port: number, run: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await run(r);
  } finally {
    r.disconnect();
  }
}

export async function startSentinelCluster(): Promise<SentinelCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hotfix-sentinel-'));
  const processes = new Map<number, ChildProcess>();
  const server = (port: number, args: string[]) => {
    // Each node its own RDB file: a full sync writes one, and a restarted node must not load another's.
    const child = spawn('redis-server', ['--logfile', join(dir, `redis-${port}.log`), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', dir, '--dbfilename', `dump-${port}.rdb`, ...args], { stdio: 'ignore' });
    processes.set(port, child);
  };
  const [primary, replica, ...sentinelPorts] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  if (!primary || !replica) throw new Error('no free ports');
  server(primary, []);
  await until('the primary', 10_000, () => ask(primary, (r) => r.ping()));
  server(replica, ['--replicaof', '127.0.0.1', String(primary)]);
  await until('the replica in sync', 10_000, () => ask(replica, async (r) => ((await r.info('replication')).includes('master_link_status:up') ? true : null)));
  for (const [i, port] of sentinelPorts.entries()) {
    const conf = join(dir, `sentinel-${i}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primary} 2`,
        // Not less: on a loaded machine a node forking for a replica's full sync stalls for over
        // a second, and a sentinel that calls that "down" fails over to the node still syncing
        // (seen under the full suite: a second, spurious failover onto an empty node).
        `sentinel down-after-milliseconds ${MASTER_NAME} 3000`,
        `sentinel failover-timeout ${MASTER_NAME} 4000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    processes.set(port, child);
  }
  const sentinels = sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
  // Every sentinel knows the replica and the other sentinels before anything is tested.
  for (const s of sentinels) {
    await until(`sentinel ${s.port} to see the set-up`, 15_000, () =>
      ask(s.port, async (r) => {
        const [info] = (await r.call('SENTINEL', 'MASTERS')) as string[][];
        const field = (name: string) => Number(info?.[(info?.indexOf(name) ?? -2) + 1]);
        return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2 ? true : null;
      }),
    );
  }

  const primaryPort = async (): Promise<number> => {
    for (const s of sentinels) {
      try {
        const addr = await ask(s.port, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME) as Promise<string[]>);
        if (addr?.[1]) return Number(addr[1]);
      } catch {
        // that sentinel is busy: ask the next
      }
    }
    throw new Error('no sentinel names a primary');
  };

  return {
    sentinels,
    name: MASTER_NAME,
    primaryPort,
    async killPrimary() {
      const port = await primaryPort();
      processes.get(port)?.kill('SIGKILL');
      return port;
    },
    async waitForFailover(oldPort, timeoutMs = 30_000) {
      return until('Sentinel to promote the replica', timeoutMs, async () => {
        const now = await primaryPort();
        if (now === oldPort) return null;
        return (await ask(now, (r) => r.info('replication'))).includes('role:master') ? now : null;
      });
    },
    async freezeReplica(ms) {
      const primaryNow = await primaryPort();
      const [port, child] = [...processes.entries()].find(([p]) => p !== primaryNow && !sentinelPorts.includes(p)) ?? [];
      if (!port || !child) throw new Error('no replica to freeze');
      child.kill('SIGSTOP');
      setTimeout(() => child.kill('SIGCONT'), ms).unref();
    },
    async rejoin(timeoutMs = 30_000) {
      const port = await freePort();
      server(port, ['--replicaof', '127.0.0.1', String(await primaryPort())]);
      await until(`node ${port} to replicate the new primary`, timeoutMs, () =>
        ask(port, async (r) => {
          const info = await r.info('replication');
          return info.includes('role:slave') && info.includes('master_link_status:up') ? true : null;
        }),
      );
      return port;
    },
    async stop() {
      for (const child of processes.values()) child.kill('SIGKILL');
      await sleep(100);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
