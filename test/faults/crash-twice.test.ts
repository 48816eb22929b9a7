// SIGKILL right after a side effect, and again at the same point when the restarted process
// repeats the step (issue 10.6): the step's look-before-acting must hold on its second run as
// on its first. The hotfix finishes and every effect happened exactly once.

import { afterAll, beforeAll, describe, it } from 'vitest';
import { contractPipeline } from '../../src/sandbox/index.js';
import { startCluster, type Cluster } from './cluster.js';
import { finishesThroughCrash } from './lifecycle.js';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster();
}, 60_000);
afterAll(async () => {
  await c?.close();
});

// A trigger step is only repeated while Jenkins has not reported the run yet (not even
// STARTED): those jobs stay silent long enough here for both restarts to come first.
const cases: Array<{ step: string; point: string; slow?: 'build' | 'deploy' }> = [
  { step: 'build trigger', point: 'after:ci.triggerOnce:build', slow: 'build' },
  { step: 'deploy trigger', point: 'after:ci.triggerOnce:deploy', slow: 'deploy' },
  { step: 'base check, deploy slot held', point: 'after:git.checkBase' },
  { step: 'release push (tags, merge, back-merge branch)', point: 'after:git.publish:release' },
  { step: 'pull request', point: 'after:pullRequests.open' },
];

describe('a crash after a side effect, twice in a row at the same point', () => {
  for (const [i, k] of cases.entries()) {
    it(`${k.step}: finishes after two restarts, every effect exactly once`, async () => {
      const jobs = c.services[0]?.jobs;
      if (!jobs) throw new Error('no service');
      if (k.slow) c.jenkins.defineJob(jobs[k.slow], contractPipeline({ durationMs: 15_000, dropStarted: true }));
      try {
        await finishesThroughCrash(c, { role: 'worker', point: k.point, times: 2 }, `Crash twice after ${k.step} ${i}`);
      } finally {
        if (k.slow) c.jenkins.defineJob(jobs[k.slow], contractPipeline({ durationMs: k.slow === 'deploy' ? 30 : 5 }));
      }
    }, 150_000);
  }
});
