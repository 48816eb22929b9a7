// Console sessions in Redis, each under the sha256 of its id (a copy of Redis gives nobody a
// way in) and expiring on its own.

import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SessionStore } from '../../ports/sessions.js';

const stored = z.object({
  principal: z.object({ name: z.string(), roles: z.array(z.enum(['requester', 'approver', 'operator', 'admin'])), via: z.enum(['token', 'sso']) }),
  credential: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});

export function createRedisSessionStore(redis: Redis, prefix: string): SessionStore {
  const key = (id: string) => `${prefix}:session:${createHash('sha256').update(id).digest('hex')}`;
  return {
    async create(session) {
      const id = randomBytes(32).toString('base64url');
      const ttlMs = Math.max(1000, Date.parse(session.expiresAt) - Date.now());
      const { expiresAt: _exp, ...principal } = session.principal;
      await redis.set(key(id), JSON.stringify({ ...session, principal }), 'PX', ttlMs);
      return id;
    },
    async get(id) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
      const raw = await redis.get(key(id));
      if (raw === null) return null;
      const parsed = stored.safeParse(JSON.parse(raw));
      if (!parsed.success || Date.parse(parsed.data.expiresAt) <= Date.now()) return null;
      return parsed.data;
    },
    async destroy(id) {
      await redis.del(key(id));
    },
  };
}
