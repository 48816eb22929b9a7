// Issue 6's per-transition overhead: each transition the service drives, with Jenkins
// answering at once, timed from the event that causes it to the call it makes to Jenkins;
// and how many Redis commands a transition costs (total_commands_processed, less what the
// idle service does in the same time).

import { createHash, createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { COMPARE_AND_SET, CREATE, DISCARD } from '../src/adapters/redis/scripts.js';
import { contractPipeline } from '../src/sandbox/index.js';
import { JOBS, SECRETS } from '../test/helpers/harness.js';
import type { Stack } from './stack.js';
import { waitFor } from './stack.js';

export interface TransitionSamples {
  buildToQaUp: number[];
  promoteToQaDown: number[];
  qaDownToDeploy: number[];
  /** Redis round trips for one transition (build SUCCESS → qa-up queued and recorded). */
  roundTrips: { ours: number; queue: number };
}

function sign(payload: object): { body: string; signature: string } {
  const body = JSON.stringify(payload);
  return { body, signature: `sha256=${createHmac('sha256', SECRETS.callbackSecret).update(body).digest('hex')}` };
}

async function callback(stack: Stack, payload: object): Promise<number> {
  const { body, signature } = sign({ ...payload, timestamp: new Date().toISOString() });
  const res = await fetch(`${stack.url}/api/v1/jenkins/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hotfix-signature': signature }, body });
  const answered = performance.now();
  await res.text();
  if (res.status !== 202) throw new Error(`callback answered ${res.status}`);
  return answered;
}

const OUR_SCRIPTS = new Set([CREATE, COMPARE_AND_SET, DISCARD].map((lua) => createHash('sha1').update(lua).digest('hex')));

/**
 * Commands clients send (round trips), not those scripts run inside Redis, seen by MONITOR:
 * the service's own (record reads and writes) apart from the job queue's (BullMQ adding,
 * fetching and completing jobs).
 */
async function roundTrips(redisUrl: string, during: () => Promise<void>): Promise<{ ours: number; queue: number }> {
  const watcher = new Redis(redisUrl);
  watcher.on('error', () => undefined);
  const monitor = await watcher.monitor();
  // Lines still arriving while MONITOR is switched off confuse ioredis; they are not needed.
  monitor.on('error', () => undefined);
  const seen = { ours: 0, queue: 0 };
  let counting = false;
  monitor.on('monitor', (_time: string, args: unknown[], source: string) => {
    if (!counting || source === 'lua') return;
    const [command, first] = args.map(String);
    const mine = command === 'hget' || command === 'zrevrangebyscore' || command === 'zrangebyscore' || (command === 'evalsha' && OUR_SCRIPTS.has(first ?? ''));
    if (mine) seen.ours += 1;
    else seen.queue += 1;
  });
  await new Promise((r) => setTimeout(r, 50));
  counting = true;
  await during();
  counting = false;
  monitor.disconnect();
  watcher.disconnect();
  return seen;
}

/**
 * Each hotfix is walked by hand through three Jenkins-driven transitions: build SUCCESS →
 * qa-up trigger, promote → qa-down trigger, qa-down SUCCESS → deploy trigger.
 */
export async function transitions(stack: Stack, redisUrl: string, hotfixes: number): Promise<TransitionSamples> {
  for (const job of [JOBS.build, JOBS.qaUp, JOBS.qaDown, JOBS.deploy]) stack.jenkins.defineJob(job, 'manual');
  const out: TransitionSamples = { buildToQaUp: [], promoteToQaDown: [], qaDownToDeploy: [], roundTrips: { ours: 0, queue: 0 } };
  const counted = { ours: 0, queue: 0 };
  for (let i = 0; i < hotfixes; i++) {
    const created = await stack.api('POST', '/api/v1/hotfixes', { service: 'payments', title: `Transition bench ${i}`, requestedBy: 'dev@example.com' });
    const id = (created.body as { id: string }).id;
    const build = await stack.jenkins.waitForBuildStart((b) => b.params.HOTFIX_ID === id, 30_000);
    await new Promise((r) => setTimeout(r, 300)); // quiet: the build trigger's step has finished
    const measured = i < 5;
    const transition = async () => {
      const a0 = await callback(stack, { hotfixId: id, stage: 'build', job: JOBS.build, buildNumber: build.number, status: 'SUCCESS', commit: build.params.COMMIT, artifact: { version: `2.0.${build.number}`, url: `https://nexus.example.com/p-2.0.${build.number}.tgz` } });
      const qaUp = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.qaUp && t.params.HOTFIX_ID === id, 10_000);
      out.buildToQaUp.push(qaUp.at - a0);
      if (measured) await new Promise((r) => setTimeout(r, 300)); // the step records the queued run and completes
    };
    // Counting (MONITOR) slows Redis down, so only the first five are counted, apart from timing.
    if (measured) {
      const timed = out.buildToQaUp.length;
      const trips = await roundTrips(redisUrl, transition);
      counted.ours += trips.ours;
      counted.queue += trips.queue;
      out.buildToQaUp.splice(timed, 1);
    } else {
      await transition();
    }
    const qaUpBuild = await stack.jenkins.waitForBuildStart((b) => b.job === JOBS.qaUp && b.params.HOTFIX_ID === id, 10_000);
    await callback(stack, { hotfixId: id, stage: 'qa-up', job: JOBS.qaUp, buildNumber: qaUpBuild.number, status: 'SUCCESS', commit: build.params.COMMIT, qaUrl: `https://qa-${i}.example.com` });
    await waitFor('awaiting_approval', async () => (((await stack.api('GET', `/api/v1/hotfixes/${id}`)).body as { state: string }).state === 'awaiting_approval' ? true : undefined));

    const p0 = performance.now();
    const promoted = await stack.api('POST', `/api/v1/hotfixes/${id}/promote`, { actor: 'qa@example.com' });
    if (promoted.status !== 202) throw new Error(`promote answered ${promoted.status}`);
    const qaDown = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.qaDown && t.params.HOTFIX_ID === id, 10_000);
    out.promoteToQaDown.push(qaDown.at - p0);

    const qaDownBuild = await stack.jenkins.waitForBuildStart((b) => b.job === JOBS.qaDown && b.params.HOTFIX_ID === id, 10_000);
    const d0 = await callback(stack, { hotfixId: id, stage: 'qa-down', job: JOBS.qaDown, buildNumber: qaDownBuild.number, status: 'SUCCESS' });
    const deploy = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === id, 10_000);
    out.qaDownToDeploy.push(deploy.at - d0);

    // Let the deploy fail quietly and roll back, so the next hotfix does not wait on the slot.
    const deployBuild = await stack.jenkins.waitForBuildStart((b) => b.job === JOBS.deploy && b.params.HOTFIX_ID === id, 10_000);
    stack.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 1 }));
    await stack.jenkins.finish(JOBS.deploy, deployBuild.number, 'SUCCESS');
    await waitFor('tagged', async () => (((await stack.api('GET', `/api/v1/hotfixes/${id}`)).body as { tags: string[] }).tags.length === 2 ? true : undefined), 30_000);
    stack.jenkins.defineJob(JOBS.deploy, 'manual');
  }
  const n = Math.min(5, hotfixes);
  out.roundTrips = { ours: counted.ours / n, queue: counted.queue / n };
  return out;
}
