import type { Redis } from 'ioredis';
import type { DeployRegistry, ProductionRecord } from '../../ports/deploy-registry.js';
import { createReplicatedWrites, type ReplicatedWrites } from './replicated-writes.js';

// KEYS: the slot, and the hotfixes refused it since it was last let go, by when first refused.
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if not holder or holder == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return '' end
local t = redis.call('TIME')
redis.call('ZADD', KEYS[2], 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
return holder`;
const TAKE_OVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;
// Waiters stay listed until they get the slot or are forgotten: only one is woken per release.
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {} end
redis.call('DEL', KEYS[1])
return redis.call('ZRANGE', KEYS[2], 0, -1)`;

/**
 * A claim, a take-over and the record of what a production tag deployed precede a deploy or a
 * rollback: with a replication guarantee they count only once replicas have them. Letting go
 * need not wait: a release lost in a failover leaves a finished holder, which the next claim
 * finds stale and takes over.
 */
export function createRedisDeployRegistry(redis: Redis, prefix: string, replicated: ReplicatedWrites = createReplicatedWrites(redis)): DeployRegistry {
  const slot = (service: string) => `${prefix}:deploy-slot:${service}`;
  const waiters = (service: string) => `${prefix}:deploy-waiters:${service}`;
  const production = (service: string) => `${prefix}:production:${service}`;
  return {
    async claim(service, hotfixId) {
      const holder = String(await replicated.write((w) => w.eval(CLAIM, 2, slot(service), waiters(service), hotfixId)));
      return holder === '' ? { granted: true } : { granted: false, holder };
    },
    async takeOver(service, holder, hotfixId) {
      return (await replicated.write((w) => w.eval(TAKE_OVER, 1, slot(service), holder, hotfixId))) === 1;
    },
    async release(service, hotfixId) {
      const waiting = await redis.eval(RELEASE, 2, slot(service), waiters(service), hotfixId);
      return Array.isArray(waiting) ? waiting.map(String) : [];
    },
    async forget(service, hotfixId) {
      await redis.zrem(waiters(service), hotfixId);
    },
    async recordProduction(service, tag, record) {
      await replicated.write((w) => w.hset(production(service), tag, JSON.stringify(record)));
    },
    async production(service, tag) {
      const raw = await redis.hget(production(service), tag);
      return raw === null ? null : (JSON.parse(raw) as ProductionRecord);
    },
  };
}
