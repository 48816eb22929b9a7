// Issue 3's first measure: the promote POST → the production deploy trigger reaching Jenkins.
// On the way: the decision (one atomic Redis step), then side by side QA teardown through its
// Jenkins job and callback, and the deploy slot with the stale-base check (a git fetch); then
// the deploy trigger.

import { contractPipeline } from '../src/sandbox/index.js';
import { JOBS } from '../test/helpers/harness.js';
import type { Stack } from './stack.js';
import { IDLE_POLL_MS, waitFor } from './stack.js';

async function stateOf(stack: Stack, id: string): Promise<string> {
  return ((await stack.api('GET', `/api/v1/hotfixes/${id}`)).body as { state: string }).state;
}

export async function promoteToDeployTrigger(stack: Stack, runs: number): Promise<number[]> {
  stack.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 1 }));
  stack.jenkins.defineJob(JOBS.qaUp, contractPipeline({ durationMs: 1 }));
  stack.jenkins.defineJob(JOBS.qaDown, contractPipeline({ durationMs: 1 }));
  stack.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 1 }));
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Sequential on purpose: one production deploy per service at a time, and each hotfix is
    // cut from the production tag the previous one created (no stale base in the measure).
    const created = await stack.api('POST', '/api/v1/hotfixes', { service: 'payments', title: `Promote bench ${i}`, requestedBy: 'dev@example.com' });
    const id = (created.body as { id: string }).id;
    await waitFor(`${id} in QA`, async () => ((await stateOf(stack, id)) === 'awaiting_approval' ? true : undefined), 30_000, IDLE_POLL_MS);
    const t0 = performance.now();
    const res = await stack.api('POST', `/api/v1/hotfixes/${id}/promote`, { actor: 'qa@example.com', confirmNoChange: true });
    if (res.status !== 202) throw new Error(`promote answered ${res.status}`);
    const trigger = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === id, 30_000);
    latencies.push(trigger.at - t0);
    await waitFor(`${id} finalized`, async () => ((await stateOf(stack, id)) === 'awaiting_backmerge' ? true : undefined), 60_000, IDLE_POLL_MS);
  }
  return latencies;
}
