import { describe, expect, it } from 'vitest';
import { isRedisUnavailable } from '../../src/adapters/redis/unavailable.js';

describe('Redis unavailable (transient for jobs, 503 for requests)', () => {
  it('knows a failover and a restart from a real error', () => {
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    for (const e of [
      named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 3).'),
      new Error('READONLY You can\'t write against a read only replica.'),
      new Error('Connection is closed.'),
      new Error('connect ECONNREFUSED 127.0.0.1:6379'),
      new Error('LOADING Redis is loading the dataset in memory'),
      new Error('All sentinels are unreachable. Retrying from scratch after 200ms.'),
    ]) expect(isRedisUnavailable(e), e.message).toBe(true);
    for (const e of [new Error('ERR wrong number of arguments'), new SyntaxError('Unexpected token'), 'READONLY as a string']) expect(isRedisUnavailable(e)).toBe(false);
  });
});
