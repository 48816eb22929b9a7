// How the service reaches Redis: one URL (redis://, or rediss:// for TLS), or Redis Sentinel
// (the monitored primary's name and the sentinels' addresses), as ioredis and BullMQ support.
// Every connection the service makes is built here, so each follows a failover the same way.

import { Redis, type RedisOptions } from 'ioredis';
import { WatchedSentinelConnector } from './sentinel-connector.js';

export interface RedisTarget {
  url?: string | undefined;
  sentinels?: ReadonlyArray<{ host: string; port: number }> | undefined;
  /** The primary's name as the sentinels know it. */
  name?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  sentinelPassword?: string | undefined;
  /** TLS to the data nodes (with sentinels; a URL says it with rediss://). */
  tls?: boolean | undefined;
}

/** After a failover the old primary, if it comes back as a replica, refuses writes: reconnect. */
function reconnectOnReadonly(err: Error): boolean | 1 | 2 {
  return err.message.startsWith('READONLY') ? 2 : false;
}

export function redisConnection(target: RedisTarget, options: RedisOptions): Redis {
  const common: RedisOptions = { ...options, reconnectOnError: reconnectOnReadonly };
  if (target.sentinels && target.sentinels.length > 0) {
    return new Redis({
      ...common,
      sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: target.name ?? 'mymaster',
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      // Ask the sentinels again soon after losing the primary: a failover takes seconds.
      sentinelRetryStrategy: (times) => Math.min(times * 200, 2000),
      // A sentinel that accepts and never answers (stopped, or behind a black hole) would hold
      // the connection attempt forever: ioredis sets no timeout on its questions by default.
      sentinelCommandTimeout: 2000,
      failoverDetector: true,
      Connector: WatchedSentinelConnector,
    });
  }
  if (!target.url) throw new Error('redis: neither a url nor sentinels');
  return new Redis(target.url, common);
}

/** Where it connects, for logs and errors (no password). */
export function describeTarget(target: RedisTarget): string {
  if (target.sentinels && target.sentinels.length > 0) return `sentinel ${target.name ?? 'mymaster'} via ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return (target.url ?? '').replace(/\/\/[^@/]*@/, '//***@');
}
