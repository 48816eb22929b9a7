// A Redis lease lock with an in-process queue in front: waiters in this process line up on a
// promise chain instead of polling Redis, and the lease (renewed while held) keeps other
// processes out. A crashed holder's lease simply expires.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ExternalServiceError } from '../../domain/errors.js';
import type { Locker } from '../../ports/locker.js';
import { keysFor } from './keys.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export interface LockOptions {
  leaseMs?: number;
  /** Give up waiting after this long (a transient error: the caller's job retries later). */
  waitMs?: number;
}

export function createRedisLocker(redis: Redis, prefix: string, options: LockOptions = {}): Locker {
  const keys = keysFor(prefix);
  const leaseMs = options.leaseMs ?? 30_000;
  const waitMs = options.waitMs ?? 10 * 60_000;
  const local = new Map<string, Promise<unknown>>();

  async function acquire(key: string, token: string): Promise<void> {
    const deadline = Date.now() + waitMs;
    let pause = 20;
    while ((await redis.set(key, token, 'PX', leaseMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) {
        throw new ExternalServiceError('lock', `waited ${Math.round(waitMs / 1000)} s for ${key}`, true);
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 1000);
    }
  }

  async function holding<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const key = keys.lock(name);
    const token = randomBytes(16).toString('hex');
    await acquire(key, token);
    const renew = setInterval(() => {
      redis.eval(RENEW, 1, key, token, leaseMs).catch(() => undefined);
    }, leaseMs / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }

  return {
    withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const previous = local.get(name) ?? Promise.resolve();
      const mine = previous.catch(() => undefined).then(() => holding(name, fn));
      local.set(name, mine);
      void mine.finally(() => {
        if (local.get(name) === mine) local.delete(name);
      }).catch(() => undefined);
      return mine;
    },
  };
}
