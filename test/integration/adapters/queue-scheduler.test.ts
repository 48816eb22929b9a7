// The outbox's hand-over to BullMQ (createQueueScheduler) on a real Redis: one job per effect
// however often it is scheduled, delayed work kept delayed, woken on demand, and revived
// when a finished job never recorded its result.

import { Redis } from 'ioredis';
import { Worker, type Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueScheduler, createStepQueue, jobIdFor } from '../../../src/adapters/queue/bullmq-scheduler.js';
import type { Effect } from '../../../src/domain/hotfix.js';
import { redisUrl, uniquePrefix } from './support.js';

const PREFIX = uniquePrefix();
const ID = 'HF-2026-11-001';
let queue: Queue;
let redis: Redis;

beforeAll(() => {
  const url = new URL(redisUrl());
  queue = createStepQueue({ host: url.hostname, port: Number(url.port) }, PREFIX);
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
});

function effect(id: string, runAt: Date | null): Effect {
  return { id, step: 'start-deploy', args: { build: 7 }, runAt: runAt?.toISOString() ?? null, createdAt: new Date().toISOString() };
}
const stateOf = async (e: Effect) => (await queue.getJob(jobIdFor(ID, e.id)))?.getState();

describe('the BullMQ scheduler', () => {
  it('queues an effect once however often it is scheduled', async () => {
    const scheduler = createQueueScheduler(queue);
    const now = effect('start-deploy:7', null);
    await scheduler.schedule(ID, [now]);
    await scheduler.schedule(ID, [now]);
    expect(await queue.getJobCounts('wait')).toMatchObject({ wait: 1 });
    expect(await stateOf(now)).toBe('waiting');
  });

  it('keeps work due later delayed until woken, then runs it now', async () => {
    const scheduler = createQueueScheduler(queue);
    const later = effect('start-deploy:7:1', new Date(Date.now() + 3_600_000));
    await scheduler.schedule(ID, [later]);
    expect(await stateOf(later)).toBe('delayed');
    await scheduler.wake(ID, [later]);
    expect(await stateOf(later)).toBe('waiting');
    // Waking what is not delayed (or not queued at all) changes nothing.
    await scheduler.wake(ID, [later, effect('start-deploy:7:9', null)]);
    expect(await stateOf(later)).toBe('waiting');
    expect(await queue.getJob(jobIdFor(ID, 'start-deploy:7:9'))).toBeUndefined();
  });

  it('revives work whose job finished without recording its result', async () => {
    const scheduler = createQueueScheduler(queue);
    const stuck = effect('start-deploy:7:2', null);
    // A worker runs it (and whatever the tests above left queued) to completion.
    const done = new Promise<void>((resolve) => {
      const worker = new Worker(queue.name, async () => undefined, { connection: queue.opts.connection, prefix: PREFIX, autorun: false });
      worker.on('completed', (job) => {
        if (job.id === jobIdFor(ID, stuck.id)) void worker.close().then(resolve);
      });
      void scheduler.schedule(ID, [stuck]).then(() => worker.run());
    });
    await done;
    expect(await stateOf(stuck)).toBe('completed');
    await scheduler.schedule(ID, [stuck]);
    expect(await stateOf(stuck)).toBe('completed');
    await scheduler.revive(ID, [stuck]);
    expect(await stateOf(stuck)).toBe('waiting');
  });
});
