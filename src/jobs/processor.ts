// The BullMQ side of a step: find the outbox entry the job stands for, run the step, and turn
// failures into the queue's language — retry with backoff, wait for a Retry-After, or stop
// (and record why on the hotfix).

import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { z } from 'zod';
import { ExternalServiceError, isTransient } from '../domain/errors.js';
import { backoffDelay, CHAT_ACTION_JOB, QUEUE_NAME, RECONCILE_JOB } from '../adapters/queue/bullmq-scheduler.js';
import { handleChatAction } from '../workflows/chat-action.js';
import type { Deps } from '../workflows/deps.js';
import { isRedisUnavailable } from '../adapters/redis/unavailable.js';
import { reconcile } from '../workflows/reconcile.js';
import { stepFailed, stepWaiting } from '../workflows/step-failed.js';
import { isStepName, STEPS } from './registry.js';

const jobData = z.object({ hotfixId: z.string(), effectId: z.string() });
const chatAction = z.object({
  decision: z.enum(['promote', 'reject']),
  value: z.string(),
  userId: z.string(),
  channel: z.string(),
  messageTs: z.string(),
  threadTs: z.string().nullable(),
  reason: z.string().nullable(),
});

// A Retry-After loop must end somewhere.
const MAX_STARTS = 200;

export function createProcessor(deps: Deps) {
  return async function process(job: Job, token?: string): Promise<void> {
    if (job.name === RECONCILE_JOB) {
      await reconcile(deps);
      return;
    }
    if (job.name === CHAT_ACTION_JOB) {
      const action = chatAction.safeParse(job.data);
      if (!action.success) throw new UnrecoverableError('a chat action without its fields');
      try {
        await handleChatAction(deps, action.data);
      } catch (err) {
        // Retried while transient (Slack or Redis away); the person clicks again otherwise.
        deps.log.warn({ err: err instanceof Error ? err.message : String(err), attempts: job.attemptsMade + 1 }, 'a Slack click was not handled');
        if (!isTransient(err) && !isRedisUnavailable(err)) throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
        throw err;
      }
      return;
    }
    const data = jobData.safeParse(job.data);
    if (!isStepName(job.name) || !data.success) throw new UnrecoverableError(`unknown job ${job.name}`);
    const { hotfixId, effectId } = data.data;
    const hotfix = await deps.store.get(hotfixId);
    const effect = hotfix?.outbox.find((e) => e.id === effectId);
    if (!hotfix || !effect) return;
    const log = deps.log.child({ hotfixId, step: job.name, jobId: job.id });
    const resumed = job.attemptsStarted > 1 || job.attemptsMade > 0;
    const started = performance.now();
    const took = () => (performance.now() - started) / 1000;
    try {
      await STEPS[job.name]({ ...deps, log }, { hotfix, effect, resumed, log });
      deps.telemetry.step(job.name, 'done', took());
    } catch (err) {
      const attempts = job.attemptsMade + 1;
      // Redis in a failover or restarting is as passing as an outside system being away.
      const final = !(isTransient(err) || isRedisUnavailable(err)) || attempts >= (job.opts.attempts ?? 1) || job.attemptsStarted >= MAX_STARTS;
      const message = err instanceof Error ? err.message : String(err);
      deps.telemetry.step(job.name, final ? 'failed' : 'retry', took());
      if (final) {
        log.error({ err: message, attempts }, 'step failed for good');
        await stepFailed(deps, hotfixId, effectId, err, attempts);
        throw new UnrecoverableError(message);
      }
      if (err instanceof ExternalServiceError && err.retryAfterMs !== undefined && token) {
        log.warn({ err: message, retryAfterMs: err.retryAfterMs }, 'step waits as asked (Retry-After)');
        await stepWaiting(deps, hotfixId, effectId, err, attempts, err.retryAfterMs);
        await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
        throw new DelayedError();
      }
      log.warn({ err: message, attempts }, 'step failed; will retry');
      await stepWaiting(deps, hotfixId, effectId, err, attempts, backoffDelay(attempts));
      throw err;
    }
  };
}

export interface WorkerSettings {
  concurrency: number;
  lockDuration: number;
  stalledInterval: number;
}

export function startWorker(deps: Deps, connection: ConnectionOptions, prefix: string, settings: WorkerSettings): Worker {
  const worker = new Worker(QUEUE_NAME, createProcessor(deps), {
    connection,
    prefix,
    ...settings,
    settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade) },
  });
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'worker error'));
  return worker;
}
