import type { Redis } from 'ioredis';
import type { DeployRegistry, ProductionRecord } from '../../ports/deploy-registry.js';

const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if not holder or holder == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1]) return '' end
return holder`;
const TAKE_OVER = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function createRedisDeployRegistry(redis: Redis, prefix: string): DeployRegistry {
  const slot = (service: string) => `${prefix}:deploy-slot:${service}`;
  const production = (service: string) => `${prefix}:production:${service}`;
  return {
    async claim(service, hotfixId) {
      const holder = String(await redis.eval(CLAIM, 1, slot(service), hotfixId));
      return holder === '' ? { granted: true } : { granted: false, holder };
    },
    async takeOver(service, holder, hotfixId) {
      return (await redis.eval(TAKE_OVER, 1, slot(service), holder, hotfixId)) === 1;
    },
    async release(service, hotfixId) {
      await redis.eval(RELEASE, 1, slot(service), hotfixId);
    },
    async recordProduction(service, tag, record) {
      await redis.hset(production(service), tag, JSON.stringify(record));
    },
    async production(service, tag) {
      const raw = await redis.hget(production(service), tag);
      return raw === null ? null : (JSON.parse(raw) as ProductionRecord);
    },
  };
}
