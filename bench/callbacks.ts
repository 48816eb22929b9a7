// Issue 2's measures: a build's SUCCESS callback answered → the qa-up trigger reaching Jenkins,
// against the raw BullMQ floor (Queue.add → worker start) on the same Redis in the same run;
// and signed callbacks per second on one process, against a bare Express JSON route.

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS, SECRETS, freePort } from '../test/helpers/harness.js';
import type { Stack } from './stack.js';
import { qaEmailPrepared, waitFor } from './stack.js';
import { summary } from './stats.js';

function signed(payload: object): { body: string; signature: string } {
  const body = JSON.stringify(payload);
  return { body, signature: `sha256=${createHmac('sha256', SECRETS.callbackSecret).update(body).digest('hex')}` };
}

export async function bullmqFloor(redisUrl: string, samples: number): Promise<number[]> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `benchfloor${Date.now().toString(36)}`;
  const queue = new Queue('floor', { connection, prefix });
  const started = new Map<string, number>();
  const worker = new Worker('floor', async (job) => void started.set(String(job.id), performance.now()), { connection, prefix, concurrency: 16 });
  await worker.waitUntilReady();
  const out: number[] = [];
  for (let i = 0; i < samples + 20; i++) {
    const t0 = performance.now();
    const job = await queue.add('x', { i }, { removeOnComplete: true });
    const t1 = await waitFor('floor job', () => started.get(String(job.id)));
    if (i >= 20) out.push(t1 - t0);
  }
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await connection.quit();
  return out;
}

export async function callbackToQaTrigger(stack: Stack, redisUrl: string, hotfixes: number): Promise<number[]> {
  stack.jenkins.defineJob(JOBS.build, 'manual');
  stack.jenkins.defineJob(JOBS.qaUp, 'manual');
  const ids: string[] = [];
  for (let i = 0; i < hotfixes; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, hotfixes - i) }, (_, k) =>
        stack.api('POST', '/api/v1/hotfixes', { service: 'payments', title: `Bench ${i + k}`, requestedBy: 'dev@example.com' }),
      ),
    );
    for (const res of batch) ids.push((res.body as { id: string }).id);
  }
  const latencies: number[] = [];
  const records = new Redis(redisUrl);
  try {
    for (const id of ids) {
      const build = await stack.jenkins.waitForBuildStart((b) => b.params.HOTFIX_ID === id, 30_000);
      const { body, signature } = signed({
        hotfixId: id, stage: 'build', job: JOBS.build, buildNumber: build.number, status: 'SUCCESS',
        commit: build.params.COMMIT, artifact: { version: `1.0.${build.number}`, url: `https://nexus.example.com/payments-1.0.${build.number}.tgz` },
        timestamp: new Date().toISOString(),
      });
      const res = await fetch(`${stack.url}/api/v1/jenkins/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hotfix-signature': signature }, body });
      const answered = performance.now();
      await res.text();
      if (res.status !== 202) throw new Error(`callback answered ${res.status}`);
      const trigger = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.qaUp && t.params.HOTFIX_ID === id, 10_000);
      latencies.push(trigger.at - answered);
      await qaEmailPrepared(records, stack, id);
    }
  } finally {
    records.disconnect();
  }
  return latencies;
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

function fire(url: string, setup: () => { body: string; headers: Record<string, string> }, seconds: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        connections: 50,
        duration: seconds,
        requests: [{ setupRequest: (req) => ({ ...req, ...setup() }) }],
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx });
      },
    );
  });
}

export async function callbackThroughput(stack: Stack, hotfixId: string, seconds = 10): Promise<{ service: Load; bare: Load }> {
  const h = (await stack.api('GET', `/api/v1/hotfixes/${hotfixId}`)).body as { builds: Array<{ number: number; commit: string; artifact: unknown }> };
  const build = h.builds[0];
  if (!build) throw new Error('no build to replay');
  // Jenkins retrying a final callback: signed afresh each time, taken as a duplicate.
  const service = await fire(`${stack.url}/api/v1/jenkins/events`, () => {
    const { body, signature } = signed({ hotfixId, stage: 'build', job: JOBS.build, buildNumber: build.number, status: 'SUCCESS', commit: build.commit, artifact: build.artifact, timestamp: new Date().toISOString() });
    return { body, headers: { 'content-type': 'application/json', 'x-hotfix-signature': signature } };
  }, seconds);
  const port = await freePort();
  const bareServer = spawn(process.execPath, ['-e', `
    const express = require('express');
    const app = express();
    app.post('/events', express.json(), (req, res) => res.status(202).json({ status: 'taken' }));
    app.listen(${port}, '127.0.0.1');
  `], { cwd: new URL('..', import.meta.url).pathname, stdio: 'ignore' });
  try {
    await waitFor('bare express', async () => ((await fetch(`http://127.0.0.1:${port}/events`, { method: 'POST' }).then(() => true, () => false)) ? true : undefined), 10_000);
    const bare = await fire(`http://127.0.0.1:${port}/events`, () => ({ body: JSON.stringify({ hotfixId, status: 'SUCCESS', timestamp: new Date().toISOString() }), headers: { 'content-type': 'application/json' } }), seconds);
    return { service, bare };
  } finally {
    bareServer.kill();
  }
}

export { summary };
