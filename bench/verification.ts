// Failed check → rollback trigger (issue 12): production's health endpoint turns unhealthy
// while a deploy is verified; timed from the moment the failing answer is served to the
// rollback deploy's trigger reaching Jenkins. One failed check rolls back here
// (failuresInARow: 1), so the figure is the service's own reaction after its check interval.
// The window is short (3 s) because the rollback is checked for a whole window too.

import { startHealthSim } from '../src/sandbox/index.js';
import { JOBS } from '../test/helpers/harness.js';
import { IDLE_POLL_MS, startStack, waitFor, type Stack } from './stack.js';

const INTERVAL_SECONDS = 0.5;

async function state(stack: Stack, id: string): Promise<string> {
  return ((await stack.api('GET', `/api/v1/hotfixes/${id}`)).body as { state: string }).state;
}

async function toVerifying(stack: Stack, title: string): Promise<string> {
  const created = await stack.api('POST', '/api/v1/hotfixes', { service: 'payments', title, requestedBy: 'dev@example.com' });
  const id = (created.body as { id: string }).id;
  await waitFor('QA', async () => ((await state(stack, id)) === 'awaiting_approval' ? true : undefined), 60_000, IDLE_POLL_MS);
  await stack.api('POST', `/api/v1/hotfixes/${id}/promote`, { actor: 'qa@example.com', confirmNoChange: true });
  await waitFor('verifying', async () => ((await state(stack, id)) === 'verifying' ? true : undefined), 60_000, IDLE_POLL_MS);
  return id;
}

export async function failedCheckToRollback(runs: number): Promise<{ samples: number[]; intervalMs: number }> {
  const health = await startHealthSim();
  const stack = await startStack({
    deployStartsAt: 400,
    verification: { windowSeconds: 3, intervalSeconds: INTERVAL_SECONDS, failuresInARow: 1, http: [{ url: `${health.url}/health`, status: 200 }] },
  });
  const samples: number[] = [];
  try {
    // A first deploy, released without its window (skipped), for the rollbacks to return to.
    const first = await toVerifying(stack, 'Warm-up deploy');
    await stack.api('POST', `/api/v1/hotfixes/${first}/verification/skip`, { reason: 'bench warm-up' });
    await waitFor('released', async () => ((await state(stack, first)) === 'awaiting_backmerge' ? true : undefined), 60_000, IDLE_POLL_MS);
    for (let i = 0; i < runs; i++) {
      const id = await toVerifying(stack, `Unhealthy ${i}`);
      const seen = health.requests.length;
      health.setHealth(500);
      const failing = await waitFor('a failing answer', () => health.requests.slice(seen).find((r) => r.path === '/health'), 30_000);
      const trigger = await stack.jenkins.waitForTrigger((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === id && t.params.DEPLOY_KIND === 'rollback', 30_000);
      samples.push(trigger.at - failing.at);
      // The rollback brings production back; its own check window then passes.
      health.setHealth(200);
      await waitFor('rolled back', async () => ((await state(stack, id)) === 'rolled_back' ? true : undefined), 60_000, IDLE_POLL_MS);
    }
  } finally {
    await stack.close();
    await health.close();
  }
  return { samples, intervalMs: INTERVAL_SECONDS * 1000 };
}
