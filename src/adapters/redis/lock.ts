// A Redis lease lock with an in-process queue in front: waiters in this process line up on a
// promise chain instead of polling Redis, and the lease (renewed while held) keeps other
// processes out. A crashed holder's lease simply expires.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ExternalServiceError } from '../../domain/errors.js';
import type { Locker } from '../../ports/locker.js';
import { keysFor } from './keys.js';

// Polling a free-or-held key is one cheap command: a waiter asks at most 20 times a second.
const MAX_POLL_MS = 50;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export interface LockOptions {
  leaseMs?: number;
  /** Give up waiting after this long (a transient error: the caller's job retries later). */
  waitMs?: number;
  /** Told how long each acquisition waited (in this process's queue and for the lease), by lock kind. */
  onWait?: (kind: string, seconds: number) => void;
}

export function createRedisLocker(redis: Redis, prefix: string, options: LockOptions = {}): Locker {
  const keys = keysFor(prefix);
  const leaseMs = options.leaseMs ?? 30_000;
  const waitMs = options.waitMs ?? 10 * 60_000;
  const local = new Map<string, Promise<unknown>>();

  async function acquire(key: string, token: string): Promise<void> {
    const deadline = Date.now() + waitMs;
    let pause = 5;
    while ((await redis.set(key, token, 'PX', leaseMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) {
        throw new ExternalServiceError('lock', `waited ${Math.round(waitMs / 1000)} s for ${key}`, true);
      }
      // A holder in another process lets go without telling us: look again soon, so a lock held
      // for 30 ms is not waited on for a second (backing off to 1 s made four worker processes
      // slower than one). Jitter keeps several waiters from asking in step.
      await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
      pause = Math.min(pause * 2, MAX_POLL_MS);
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
      const asked = performance.now();
      // The kind (`git`, `slack`, `qa`) labels the wait; the repository or hotfix would be too many series.
      const kind = name.split(':')[0] ?? name;
      const timed = () => {
        options.onWait?.(kind, (performance.now() - asked) / 1000);
        return fn();
      };
      const mine = previous.catch(() => undefined).then(() => holding(name, timed));
      local.set(name, mine);
      void mine.finally(() => {
        if (local.get(name) === mine) local.delete(name);
      }).catch(() => undefined);
      return mine;
    },
  };
}
