// Issue 14: transitions per second with 1, 2 and 4 worker processes. A burst of hotfixes is
// requested against an API-only process (each request cuts its branch, as in production); the
// workers start and trigger every build, which Jenkins holds. Once all are triggered (the
// workers are up and warm), every build finishes at once and the clock runs until the last
// hotfix awaits approval and its QA email is accepted: each build's callback, the qa-up
// trigger, its callback, what the build changes (git), the QA email and the Slack post.

import { Redis } from 'ioredis';
import { JOBS } from '../test/helpers/harness.js';
import { startStack, waitFor, type Stack } from './stack.js';

export interface WorkerRun {
  workers: number;
  hotfixes: number;
  seconds: number;
  /** State changes (building → qa_provisioning → awaiting_approval) per second. */
  transitionsPerSecond: number;
}

async function burst(stack: Stack, count: number): Promise<void> {
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const res = await stack.api('POST', '/api/v1/hotfixes', { service: 'payments', title: `Burst ${i}`, commits: [] });
      if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, one));
}

/** `rounds` times each count, interleaved (1, 2, 4, 1, 2, 4 …) so drift on a shared machine hits all alike. */
export async function workerScaling(redisUrl: string, hotfixes: number, counts: readonly number[], rounds = 1): Promise<WorkerRun[]> {
  const runs: WorkerRun[] = [];
  const redis = new Redis(redisUrl);
  try {
    for (const workers of Array.from({ length: rounds }, () => counts).flat()) {
      const stack = await startStack({ apiOnly: true, concurrency: 16 });
      try {
        stack.jenkins.defineJob(JOBS.build, 'manual');
        console.log(`  ${hotfixes} hotfixes requested (API only) …`);
        await burst(stack, hotfixes);
        const waiting = `${stack.prefix}:hf-state:awaiting_approval`;
        console.log(`  ${workers} worker process(es) trigger the builds …`);
        stack.startWorkers(workers);
        const builds = await waitFor('every build started', () => {
          const started = stack.jenkins.triggers.filter((t) => t.job === JOBS.build && t.number !== undefined);
          return started.length >= hotfixes ? started.map((t) => t.number ?? 0) : undefined;
        }, 10 * 60_000);
        console.log('  … all builds finish; to QA …');
        const started = performance.now();
        await Promise.all(builds.map((n) => stack.jenkins.finish(JOBS.build, n, 'SUCCESS')));
        const deadline = Date.now() + 15 * 60_000;
        // Until the last QA email is accepted, not only the last state change: the emails are
        // the slowest part of the road (git, rendering, SMTP), and stopping the clock at the
        // state made a run fast or slow by whether they happened to be queued before it.
        while ((await redis.zcard(waiting)) < hotfixes || stack.smtp.messages.length < hotfixes) {
          if (Date.now() > deadline) throw new Error(`only ${await redis.zcard(waiting)} of ${hotfixes} reached QA, ${stack.smtp.messages.length} emails`);
          await new Promise((r) => setTimeout(r, 20));
        }
        const seconds = (performance.now() - started) / 1000;
        runs.push({ workers, hotfixes, seconds, transitionsPerSecond: (hotfixes * 2) / seconds });
      } finally {
        await stack.close();
      }
    }
  } finally {
    redis.disconnect();
  }
  return runs;
}

if (process.argv[1]?.endsWith('workers.ts')) {
  const { default: setupRedis } = await import('../test/helpers/global-setup.js');
  const stop = await setupRedis();
  try {
    const runs = await workerScaling(process.env.REDIS_URL ?? '', Number(process.argv[2] ?? 60), [1, 2, 4], Number(process.argv[3] ?? 1));
    console.table(runs);
  } finally {
    await stop();
  }
}
