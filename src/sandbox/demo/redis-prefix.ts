/**
 * With a Redis the person gave us (REDIS_URL), the demo keeps to its own random key prefix
 * and removes those keys when it stops, so it leaves the server as it found it.
 */
import { Redis } from 'ioredis';

export async function deleteKeysUnder(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
