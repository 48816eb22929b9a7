// The job queue's own state lost, as an asynchronous replica can lose it at a failover (BullMQ's
// writes are not confirmed on a replica): the delayed poll of a running build is gone and so is
// whatever BullMQ keeps about repeated jobs. The reconciler still runs — on each worker's own
// timer — finds the work in the hotfix's outbox and queues it again. Found by the Sentinel
// failover test: as a BullMQ repeatable job, the reconciler itself never ran again.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractPipeline } from '../../src/sandbox/index.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let redis: Redis;

beforeAll(async () => {
  h = await startHarness({ pollIntervalSeconds: 1 });
  redis = new Redis(process.env.REDIS_URL ?? '');
});
afterAll(async () => {
  redis?.disconnect();
  await h?.close();
});

async function dropQueueState(prefix: string): Promise<number> {
  let dropped = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:steps:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) dropped += await redis.del(...keys);
  } while (cursor !== '0');
  return dropped;
}

describe('the job queue loses its state', () => {
  it('a build whose callback is lost still reaches QA: the reconciler queues its poll again', async () => {
    // The build's result only ever arrives by polling Jenkins.
    h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 3000, dropFinal: true }));
    try {
      const hf = await h.createHotfix({ title: 'Queue lost while building' });
      await h.jenkins.waitForBuildStart((b) => b.job === JOBS.build && b.params.HOTFIX_ID === hf.id, 20_000);
      // The trigger is recorded with its build number and the poll is queued (delayed): lose it.
      await h.waitFor(hf.id, (x) => x.builds[0]?.number != null, 'the build number recorded');
      const record = await h.service.deps.store.get(hf.id);
      expect(record?.outbox.map((e) => e.step)).toContain('check-run');
      expect(await dropQueueState(h.config.redis.prefix)).toBeGreaterThan(0);
      const ready = await h.waitForState(hf.id, 'awaiting_approval', 30_000);
      expect(ready.builds[0]?.status).toBe('SUCCESS');
      expect(h.jenkins.triggers.filter((t) => t.job === JOBS.build && t.params.HOTFIX_ID === hf.id)).toHaveLength(1);
    } finally {
      h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5 }));
    }
  }, 60_000);
});
