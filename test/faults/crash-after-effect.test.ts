// SIGKILL right after a side effect, before the service records it: after a restart the
// hotfix finishes and every effect happened exactly once (issue 5, "crash anywhere" (a)).

import { afterAll, beforeAll, describe, it } from 'vitest';
import { startCluster, type Cluster } from './cluster.js';
import { finishesThroughCrash } from './lifecycle.js';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});

const cases: Array<{ step: string; role: 'api' | 'worker'; point: string }> = [
  { step: 'branch push', role: 'api', point: 'after:git.createHotfixBranch' },
  { step: 'build trigger', role: 'worker', point: 'after:ci.triggerOnce:build' },
  { step: 'QA up', role: 'worker', point: 'after:ci.triggerOnce:qa-up' },
  { step: 'QA email', role: 'worker', point: 'after:mailer.send' },
  { step: 'QA down', role: 'worker', point: 'after:ci.triggerOnce:qa-down' },
  { step: 'base check, deploy slot held', role: 'worker', point: 'after:git.checkBase' },
  { step: 'deploy trigger', role: 'worker', point: 'after:ci.triggerOnce:deploy' },
  // Production and release tags, the merge into master and the back-merge branch: one push.
  { step: 'release push', role: 'worker', point: 'after:git.publish:release' },
  { step: 'pull request', role: 'worker', point: 'after:pullRequests.open' },
  { step: 'Slack message', role: 'worker', point: 'after:chat.post#3' },
];

describe('a crash right after each side effect', () => {
  for (const [i, k] of cases.entries()) {
    it(`${k.step}: finishes after a restart, every effect exactly once`, async () => {
      await finishesThroughCrash(c, k, `Crash after ${k.step} ${i}`);
    }, 120_000);
  }
});
