// SIGKILL while production is being verified (issue 12): the restarted worker resumes the
// window where it was (its deadline is stored), counts no round twice, and rolls back once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractPipeline, startHealthSim, type HealthSim } from '../../src/sandbox/index.js';
import { startCluster, type Cluster } from './cluster.js';
import { finishesThroughCrash, mergeBackmerge, promoteFromEmail, requestHotfix } from './lifecycle.js';

let c: Cluster;
let health: HealthSim;
/** Artifacts that break production's health while they run (a rollback restores it). */
const broken = new Set<string>();

beforeAll(async () => {
  health = await startHealthSim();
  c = await startCluster({
    jenkins: (sim, services) => {
      for (const s of services) {
        const result = (build: { params: Readonly<Record<string, string>> }) => {
          health.setHealth(broken.has(build.params.ARTIFACT_VERSION ?? '') ? 503 : 200);
          return 'SUCCESS' as const;
        };
        sim.defineJob(s.jobs.deploy, contractPipeline({ durationMs: 30, result }), { nextBuildNumber: 11 });
      }
    },
    service: (s) => {
      s.verification = { windowSeconds: 3, intervalSeconds: 0.4, failuresInARow: 2, http: [{ url: `${health.url}/health`, status: 200 }] };
    },
  });
}, 60_000);
afterAll(async () => {
  await c?.close();
  await health?.close();
});

describe('a crash during the verification window', () => {
  it('resumes the window, counts each round once, and rolls back exactly once', async () => {
    const s = c.services[0];
    const worker = c.workers[0];
    if (!s || !worker) throw new Error('no service');
    // Production first runs a verified deploy of the service's own: the rollback's target.
    const first = await requestHotfix(c, s, 'A healthy first deploy');
    await promoteFromEmail(c, await c.waitFor(first, (x) => x.state === 'awaiting_approval', 'reach QA'));
    await c.waitFor(first, (x) => x.state === 'awaiting_backmerge', 'be released', 60_000);
    await mergeBackmerge(s, first);

    await c.restart(worker, 'after:health.check#2');
    const crashes = c.crashes.worker;
    const id = await requestHotfix(c, s, 'Breaks production health');
    const qa = await c.waitFor(id, (x) => x.state === 'awaiting_approval', 'reach QA');
    broken.add(qa.builds.at(-1)?.artifact?.version ?? '');
    await promoteFromEmail(c, qa);
    const verifying = await c.waitFor(id, (x) => x.state === 'verifying', 'verify', 60_000);
    {
      const back = await c.waitFor(id, (x) => x.state === 'rolled_back', 'roll back', 60_000);
      expect(c.crashes.worker - crashes).toBe(1);
      expect(back.verification).toMatchObject({ deadline: verifying.verification?.deadline, result: { outcome: 'failed' } });
      expect(back.verification?.consecutiveFailures).toBe(2);
      expect(back.events.filter((e) => e.type === 'verification' && e.message?.startsWith('check round')).map((e) => e.message?.split(':')[0])).toEqual(
        Array.from({ length: back.verification?.rounds ?? 0 }, (_, i) => `check round ${i + 1}`),
      );
      const rollbacks = c.jenkins.triggers.filter((t) => t.params.HOTFIX_ID === id && t.params.DEPLOY_KIND === 'rollback' && !t.merged);
      expect(rollbacks).toHaveLength(1);
      expect(back.rollback?.check?.result?.outcome).toBe('passed');
    }
  }, 150_000);

  // Verified, the production tag is pushed while production is watched and the release after:
  // two pushes, each a point to crash at.
  for (const [i, point] of ['after:git.publish:production', 'after:git.publish:release'].entries()) {
    it(`${point}: a verified hotfix finishes after a restart, every effect exactly once`, async () => {
      const h = await finishesThroughCrash(c, { role: 'worker', point }, `Crash at a verified release ${i}`);
      expect(h.verification?.result?.outcome).toBe('passed');
    }, 120_000);
  }
});
