// SIGKILL right after a change is recorded and before the work it implies is queued: the
// reconciler finds the work in the hotfix's outbox; the hotfix finishes and every effect
// happened exactly once (issue 5, "crash anywhere" (b)). Callbacks and decisions are
// recorded by the API process, steps by the workers.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './cluster.js';
import { finishesThroughCrash, type CrashPoint } from './lifecycle.js';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});

const cases: Array<{ after: string; role: CrashPoint['role']; point: string }> = [
  { after: 'the branch is recorded', role: 'api', point: 'before-schedule:trigger-run' },
  { after: 'the build result is recorded (callback)', role: 'api', point: 'before-schedule:provision-qa' },
  { after: 'QA is recorded up (callback)', role: 'api', point: 'before-schedule:send-qa-email' },
  { after: 'the approval is recorded', role: 'api', point: 'before-schedule:teardown-qa' },
  { after: 'the QA teardown is recorded as asked for (next: slot and base check)', role: 'worker', point: 'before-schedule:start-deploy' },
  // QA down (a callback, the API) and the base check (a step, the worker) race; the later asks for the deploy.
  { after: 'the deploy run is recorded', role: 'either', point: 'before-schedule:trigger-run:deploy' },
  { after: 'the deploy result is recorded (callback)', role: 'api', point: 'before-schedule:tag-production' },
  { after: 'the release push is recorded (tags and merge)', role: 'worker', point: 'before-schedule:open-backmerge' },
  { after: 'the back-merge is recorded', role: 'worker', point: 'before-schedule:check-backmerge' },
];

describe('a crash between recording a change and queueing its work', () => {
  for (const [i, k] of cases.entries()) {
    it(`after ${k.after}: finishes, every effect exactly once`, async () => {
      const h = await finishesThroughCrash(c, k, `Crash before queueing ${i}`);
      expect(h.events.some((e) => e.type === 'attention')).toBe(false);
    }, 120_000);
  }
});
