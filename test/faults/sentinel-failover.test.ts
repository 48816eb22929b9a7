// Redis behind Sentinel, with writes confirmed on a replica (redis.replicas.min = 1): the primary
// is SIGKILLed at the worst moments — right after a promote is answered, right after the deploy
// was triggered — Sentinel promotes the replica, the old node comes back as a replica, and each
// hotfix still ends with exactly one deploy, one production tag, one merge into master and one
// back-merge pull request. /readyz says 503 while there is no primary, 200 after.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { redisConnection } from '../../src/adapters/redis/connection.js';
import { createRedisDeployRegistry } from '../../src/adapters/redis/deploy-registry.js';
import { createReplicatedWrites } from '../../src/adapters/redis/replicated-writes.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';
import { startSentinelCluster, type SentinelCluster } from '../helpers/sentinel.js';

let cluster: SentinelCluster;
let h: Harness;

beforeAll(async () => {
  cluster = await startSentinelCluster();
  h = await startHarness({
    pollIntervalSeconds: 1,
    config: (raw) => {
      const prefix = (raw.redis as { prefix: string }).prefix;
      raw.redis = { sentinels: cluster.sentinels, name: cluster.name, prefix, replicas: { min: 1, timeoutMs: 1000 } };
      // A step running when the primary dies may lose its job lock with it; BullMQ hands the job
      // on after about two lock periods. Shorter than the 30 s default so the test sees it.
      raw.queue = { reconcileSeconds: 1, lockSeconds: 5, stalledCheckSeconds: 5 };
    },
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await cluster?.stop();
});

// A probe that does not answer within 2 s counts as not ready (as a load balancer's would).
const readyz = async (): Promise<number> => (await fetch(`${h.url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null))?.status ?? 0;

/** Kill the primary now; see /readyz go 503, Sentinel promote the replica, the old node rejoin as a replica, /readyz 200. */
async function failover(): Promise<{ unready: boolean }> {
  const old = await cluster.killPrimary();
  let unready = false;
  const watching = (async () => {
    const until = Date.now() + 20_000;
    while (Date.now() < until && !unready) {
      if ((await readyz()) === 503) unready = true;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await cluster.waitForFailover(old);
  await watching;
  await cluster.rejoin();
  // 60 s, not 20: under the full suite on a 2-core machine the service once took longer than 20 s
  // to be ready again after a failover (see the note on issue 14); it must come back, not be quick.
  const until = Date.now() + 60_000;
  while ((await readyz()) !== 200) {
    if (Date.now() > until) {
      console.error(`service warnings and errors:\n${h.logs.filter((l) => /"level":"(warn|error)"/.test(l)).slice(-40).join('\n')}`);
      console.error(`connections: main ${h.service.redis.status}`);
      throw new Error('/readyz did not come back to 200 within 60 s of the failover');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { unready };
}

/** Waits for the hotfix to finish; if it does not, prints what the service said about it and the warnings of the last minute. */
async function finished(id: string): Promise<HotfixView> {
  return h.waitForState(id, 'awaiting_backmerge', 60_000).catch((err: unknown) => {
    // Not the test's own polling (a GET every few ms, hundreds of lines).
    const about = h.logs.filter((l) => (l.includes(id) && !l.includes('"request done"')) || /"level":"(warn|error)"/.test(l));
    console.error(`what the service logged about ${id}, and its warnings:\n${about.slice(-120).join('')}`);
    throw err;
  });
}

function exactlyOnce(done: HotfixView): void {
  const deploys = h.jenkins.triggers.filter((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === done.id);
  expect(deploys).toHaveLength(1);
  const prodTags = done.tags.filter((t) => t.startsWith('prod-'));
  expect(prodTags).toHaveLength(1);
  expect(new Set(done.tags).size).toBe(done.tags.length);
  const merges = execFileSync('git', ['log', '--merges', '--oneline', `--grep=${done.id}`, 'refs/heads/master'], { cwd: join(h.origin.dir, 'origin.git'), encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  expect(merges).toHaveLength(1);
  expect(h.github.pulls.filter((p) => p.head === `backmerge/${done.id}`)).toHaveLength(1);
  expect(done.approvals.filter((a) => a.decision === 'promote')).toHaveLength(1);
}

describe('Redis Sentinel failover', () => {
  it('a promote no replica confirms in time is answered 503 (not confirmed); asked again later, it happens once', async () => {
    const hf = await h.waitForState((await h.createHotfix({ title: 'Replica away' })).id, 'awaiting_approval', 30_000);
    await cluster.freezeReplica(2500);
    const refused = await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'not_replicated' } });
    // 503 means "not confirmed", not "never": the write stays on the primary (jobs may already
    // have acted on it) and reaches the replica when it is back.
    const after = await h.get(hf.id);
    expect(['awaiting_approval', 'deploying']).toContain(after.state);
    await new Promise((r) => setTimeout(r, 3000));
    // Asked again once the replica is back: done now, or already done — and either way once.
    const again = await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' });
    expect([202, 409]).toContain(again.status);
    exactlyOnce(await finished(hf.id));
  }, 180_000);

  it('the deploy slot is claimed only once a replica has the claim', async () => {
    const main = redisConnection({ sentinels: cluster.sentinels, name: cluster.name }, { maxRetriesPerRequest: 3 });
    const writer = redisConnection({ sentinels: cluster.sentinels, name: cluster.name }, { maxRetriesPerRequest: 3 });
    try {
      const slots = createRedisDeployRegistry(main, 'slot-test', createReplicatedWrites(main, { min: 1, timeoutMs: 500, writers: [writer] }));
      expect(await slots.claim('payments', 'HF-2026-12-801')).toEqual({ granted: true });
      await cluster.freezeReplica(1500);
      await expect(slots.claim('other', 'HF-2026-12-802')).rejects.toThrow('redis: write not confirmed by 1 replica(s) within 500 ms: not counted');
      await new Promise((r) => setTimeout(r, 1700));
      // Asked again (as the step's retry does): the same claim, now confirmed.
      expect(await slots.claim('other', 'HF-2026-12-802')).toEqual({ granted: true });
    } finally {
      main.disconnect();
      writer.disconnect();
    }
  });

  it('right after a promote is answered: the promotion is not lost, and happens once', async () => {
    const hf = await h.waitForState((await h.createHotfix({ title: 'Failover after promote' })).id, 'awaiting_approval', 30_000);
    const promoted = await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' });
    expect(promoted.status).toBe(202);
    const { unready } = await failover();
    expect(unready).toBe(true);
    exactlyOnce(await finished(hf.id));
  }, 180_000);

  it('right after the deploy is triggered: one deploy, one tag, one merge, one back-merge', async () => {
    const hf = await h.waitForState((await h.createHotfix({ title: 'Failover after deploy trigger' })).id, 'awaiting_approval', 30_000);
    expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' })).status).toBe(202);
    await h.jenkins.waitForBuildStart((b) => b.job === JOBS.deploy && b.params.HOTFIX_ID === hf.id, 30_000);
    await failover();
    exactlyOnce(await finished(hf.id));
  }, 180_000);
});
