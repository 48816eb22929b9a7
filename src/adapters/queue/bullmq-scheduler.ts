// Scheduler on a BullMQ queue. The job id is the hotfix and the effect, so scheduling the
// same work twice (the request path and the reconciler) queues it once.

import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Effect } from '../../domain/hotfix.js';
import type { ChatActionQueue } from '../../ports/chat-interactions.js';
import type { Scheduler } from '../../ports/scheduler.js';

export const QUEUE_NAME = 'steps';
export const RECONCILE_JOB = 'reconcile';
export const CHAT_ACTION_JOB = 'chat-action';

// Transient failures (a Jenkins restart, SMTP down) are retried with capped exponential
// backoff: 1 s, 2 s, 4 s … 60 s, about 15 minutes in all before a person is asked.
export const JOB_ATTEMPTS = 20;
export const BACKOFF_CAP_MS = 60_000;

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: JOB_ATTEMPTS,
  backoff: { type: 'capped', delay: 1000 },
  // BullMQ keeps every attempt's stack otherwise; a job retried while Redis is away must not
  // grow without bound.
  stackTraceLimit: 10,
  removeOnComplete: { age: 3600, count: 10_000 },
  // Kept for two weeks: the dead-letter list an operator reads, and what stops a re-add.
  removeOnFail: { age: 14 * 24 * 3600 },
};

export function jobIdFor(hotfixId: string, effectId: string): string {
  // BullMQ reserves ':' in custom ids.
  return `${hotfixId}|${effectId.replace(/:/g, '|')}`;
}

export function backoffDelay(attemptsMade: number): number {
  const exp = Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), BACKOFF_CAP_MS);
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}

export function createStepQueue(connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(QUEUE_NAME, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
}

export function createQueueScheduler(queue: Queue, now: () => number = Date.now): Scheduler {
  const schedule = async (hotfixId: string, effects: readonly Effect[]) => {
    if (effects.length === 0) return;
    const at = now();
    await queue.addBulk(
      effects.map((e) => ({
        name: e.step,
        data: { hotfixId, effectId: e.id },
        opts: { jobId: jobIdFor(hotfixId, e.id), delay: e.runAt ? Math.max(0, Date.parse(e.runAt) - at) : 0 },
      })),
    );
  };
  return {
    schedule,
    async revive(hotfixId, effects) {
      for (const e of effects) {
        const job = await queue.getJob(jobIdFor(hotfixId, e.id));
        const state = job ? await job.getState() : 'unknown';
        // A finished job whose step never removed its outbox entry, or one a failover left
        // half-written (its data, but in no list): either id would swallow the add.
        if (job && (state === 'completed' || state === 'failed' || state === 'unknown')) await job.remove();
      }
      await schedule(hotfixId, effects);
    },
    async wake(hotfixId, effects) {
      for (const e of effects) {
        const job = await queue.getJob(jobIdFor(hotfixId, e.id));
        if (!job || (await job.getState()) !== 'delayed') continue;
        // It may start on its own between the two calls; then there is nothing to wake.
        await job.promote().catch(() => undefined);
      }
    },
  };
}

/**
 * Clicks in Slack, queued by the endpoint that answers Slack. The job id is the click (user,
 * button, Slack's action_ts), so a replayed request finds it and queues nothing; completed
 * jobs are kept an hour, far longer than Slack's five-minute signature window.
 */
export function createChatActionQueue(queue: Queue): ChatActionQueue {
  return {
    async submit(id, action) {
      await queue.add(CHAT_ACTION_JOB, action, { jobId: `chat|${id.replace(/:/g, '|')}`, attempts: 5 });
    },
  };
}
