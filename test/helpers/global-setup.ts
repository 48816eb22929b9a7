import { hasRedisServer, startPrivateRedis, type PrivateRedis } from '../../src/sandbox/redis.js';

// Tests never assume the machine's Redis: REDIS_URL when given, otherwise a private,
// throw-away redis-server on a free port, configured the way the service requires
// (src/sandbox/redis.ts, shared with the demo).
let redis: PrivateRedis | undefined;

export default async function setup(): Promise<() => Promise<void>> {
  let url = process.env.REDIS_URL;
  if (!url) {
    if (!hasRedisServer()) {
      throw new Error(
        'The tests need Redis: set REDIS_URL=redis://host:port, or install redis-server ' +
          '(Debian: apt-get install -y redis-server) so the tests can start a private one.',
      );
    }
    redis = await startPrivateRedis({ dirPrefix: 'hotfix-test-redis-' });
    url = redis.url;
  }
  // Test workers are forked after this runs, so they inherit it.
  process.env.REDIS_URL = url;
  return async () => {
    await redis?.stop();
  };
}
