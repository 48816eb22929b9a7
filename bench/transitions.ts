// Issue 6's per-transition overhead: each transition the service drives, with Jenkins
// answering at once, timed from the event that causes it to the call it makes to Jenkins;
// and how many Redis commands a transition costs (total_commands_processed, less what the
// idle service does in the same time).

import { createHash, createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { COMPARE_AND_SET, CREATE, DISCARD, PAGE } from '../src/adapters/redis/scripts.js';
import type { BuildSnapshot } from '../src/sandbox/index.js';
import { JOBS, SECRETS } from '../test/helpers/harness.js';
import type { Stack } from './stack.js';
import { IDLE_POLL_MS, qaEmailPrepared, waitFor } from './stack.js';

export interface TransitionSamples {
  buildToQaUp: number[];
  /** From the promote call's answer (the decision recorded), as build → QA is from the callback's. */
  promoteToQaDown: number[];
  /** The same, from sending the promote request: its own round trip included. */
  promoteRequestToQaDown: number[];
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

const OUR_SCRIPTS = new Set([CREATE, COMPARE_AND_SET, DISCARD, PAGE].map((lua) => createHash('sha1').update(lua).digest('hex')));

/**
 * Commands clients send (round trips), not those scripts run inside Redis, seen by MONITOR:
 * the service's own (record reads and writes) apart from the job queue's (BullMQ adding,
 * fetching and completing jobs).
 */
async function roundTrips(redisUrl: string, during: () => Promise<void>): Promise<{ ours: number; queue: number }> {
  const watcher = new Redis(redisUrl);
  watcher.on('error', () => undefined);
  // Not watcher.monitor(): it hands the connection over only after MONITOR is answered, and a busy
  // Redis streams lines in that same reply, which ioredis reports as errors on a connection with
  // no listener yet: the bench crashed with "Command queue state error" (1,000 hotfixes in flight).
  // Lines still arriving while MONITOR is switched off confuse ioredis the same way; not needed.
  const monitor = watcher.duplicate({ monitor: true, lazyConnect: false });
  monitor.on('error', () => undefined);
  await new Promise((resolve) => monitor.once('monitoring', resolve));
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

const stateOf = async (stack: Stack, id: string): Promise<{ state: string; promotion: { base?: unknown } | null }> =>
  (await stack.api('GET', `/api/v1/hotfixes/${id}`)).body as { state: string; promotion: { base?: unknown } | null };

/**
 * The hotfixes are walked by hand through three Jenkins-driven transitions: build SUCCESS →
 * qa-up trigger, promote → qa-down trigger, qa-down SUCCESS → deploy trigger. Each kind is
 * timed back to back across the hotfixes, as the floor is: what is measured is the service's
 * path, not waking an idle machine. Deploys go one at a time per service: each is finished
 * and finalised before the next hotfix's QA teardown is reported, and that hotfix's slot
 * claim and base check (started with its teardown, woken when the slot was let go) are
 * waited for first, as a real teardown, which takes seconds, would.
 */
export async function transitions(stack: Stack, redisUrl: string, hotfixes: number): Promise<TransitionSamples> {
  for (const job of [JOBS.build, JOBS.qaUp, JOBS.qaDown, JOBS.deploy]) stack.jenkins.defineJob(job, 'manual');
  const out: TransitionSamples = { buildToQaUp: [], promoteToQaDown: [], promoteRequestToQaDown: [], qaDownToDeploy: [], roundTrips: { ours: 0, queue: 0 } };
  const fixes: Array<{ id: string; build: BuildSnapshot }> = [];
  for (let i = 0; i < hotfixes; i++) {
    const created = await stack.api('POST', '/api/v1/hotfixes', { service: 'payments', title: `Transition bench ${i}`, requestedBy: 'dev@example.com' });
    const id = (created.body as { id: string }).id;
    fixes.push({ id, build: await stack.jenkins.waitForBuildStart((b) => b.params.HOTFIX_ID === id, 30_000) });
  }
  await new Promise((r) => setTimeout(r, 1_000)); // quiet: every build trigger's step has finished

  const counted = { ours: 0, queue: 0 };
  const n = Math.min(5, hotfixes);
  const records = new Redis(redisUrl);
  try {
    for (const [i, { id, build }] of fixes.entries()) {
      const transition = async (): Promise<number> => {
        const a0 = await callback(stack, { hotfixId: id, stage: 'build', job: JOBS.build, buildNumber: build.number, status: 'SUCCESS', commit: build.params.COMMIT, artifact: { version: `2.0.${build.number}`, url: `https://nexus.example.com/p-2.0.${build.number}.tgz` } });
        const qaUp = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.qaUp && t.params.HOTFIX_ID === id, 10_000);
        return qaUp.at - a0;
      };
      // Counting (MONITOR) slows Redis down, so the first few are counted and not timed.
      if (i < n) {
        const trips = await roundTrips(redisUrl, async () => {
          await transition();
          await new Promise((r) => setTimeout(r, 300)); // the step records the queued run and completes
        });
        counted.ours += trips.ours;
        counted.queue += trips.queue;
      } else {
        out.buildToQaUp.push(await transition());
      }
      await qaEmailPrepared(records, stack, id);
    }
  } finally {
    records.disconnect();
  }
  out.roundTrips = { ours: counted.ours / n, queue: counted.queue / n };

  for (const [i, { id, build }] of fixes.entries()) {
    const qaUpBuild = await stack.jenkins.waitForBuildStart((b) => b.job === JOBS.qaUp && b.params.HOTFIX_ID === id, 10_000);
    await callback(stack, { hotfixId: id, stage: 'qa-up', job: JOBS.qaUp, buildNumber: qaUpBuild.number, status: 'SUCCESS', commit: build.params.COMMIT, qaUrl: `https://qa-${i}.example.com` });
  }
  for (const { id } of fixes) await waitFor('awaiting_approval', async () => ((await stateOf(stack, id)).state === 'awaiting_approval' ? true : undefined), 30_000, IDLE_POLL_MS);
  await new Promise((r) => setTimeout(r, 1_000)); // quiet: the QA emails have gone

  for (const { id } of fixes) {
    const p0 = performance.now();
    const promoted = await stack.api('POST', `/api/v1/hotfixes/${id}/promote`, { actor: 'qa@example.com', confirmNoChange: true });
    const answered = performance.now();
    if (promoted.status !== 202) throw new Error(`promote answered ${promoted.status}`);
    const qaDown = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.qaDown && t.params.HOTFIX_ID === id, 10_000);
    out.promoteToQaDown.push(qaDown.at - answered);
    out.promoteRequestToQaDown.push(qaDown.at - p0);
  }

  // In the order the slot is granted (whoever is woken or looks first), not the order promoted.
  const pending = new Set(fixes.map((f) => f.id));
  while (pending.size > 0) {
    const id = await waitFor('a base checked under the slot', async () => {
      for (const candidate of pending) if ((await stateOf(stack, candidate)).promotion?.base) return candidate;
      return undefined;
    }, 30_000, IDLE_POLL_MS);
    pending.delete(id);
    const qaDownBuild = await stack.jenkins.waitForBuildStart((b) => b.job === JOBS.qaDown && b.params.HOTFIX_ID === id, 10_000);
    const d0 = await callback(stack, { hotfixId: id, stage: 'qa-down', job: JOBS.qaDown, buildNumber: qaDownBuild.number, status: 'SUCCESS' });
    const deploy = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === id, 30_000);
    out.qaDownToDeploy.push(deploy.at - d0);
    // Finish the deploy and its finalisation, so the next one waits neither on the slot nor
    // on this one's git work (the repository's lock).
    const deployBuild = await stack.jenkins.waitForBuildStart((b) => b.job === JOBS.deploy && b.params.HOTFIX_ID === id, 10_000);
    await stack.jenkins.finish(JOBS.deploy, deployBuild.number, 'SUCCESS');
    await waitFor('finalised', async () => ((await stateOf(stack, id)).state === 'awaiting_backmerge' ? true : undefined), 30_000, IDLE_POLL_MS);
  }
  return out;
}
