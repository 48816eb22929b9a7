// The rare paths of issue 10, end to end on real parts: a deploy result that arrives while a
// person is asked to act, a rollback that production moved past, a trigger whose answer was
// lost, a rebuild during the QA email, the deploy deadline, and a build that does not say
// which commit it built. Each of these failed before its fix.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { contractPipeline, type JobBehaviour } from '../../src/sandbox/index.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ pollIntervalSeconds: 1, jenkinsTimeoutSeconds: 1, deployTimeoutMinutes: 0.05 });
});
afterAll(async () => {
  await h?.close();
});

const standard = () => h.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5 }));
const promote = (id: string) => h.api('POST', `/api/v1/hotfixes/${id}/promote`, { actor: 'qa@example.com' });
const toQa = async (title: string): Promise<HotfixView> => h.waitForState((await h.createHotfix({ title })).id, 'awaiting_approval');
/** A hotfix with a change of its own: a commit pushed to its branch, then built again. */
const toQaWith = async (title: string, files: Record<string, string>): Promise<HotfixView> => {
  const created = await h.createHotfix({ title });
  h.origin.commit(created.branch, files, title);
  await h.waitFor(created.id, (x) => x.builds[0]?.status !== 'REQUESTED', 'trigger the first build');
  await h.api('POST', `/api/v1/hotfixes/${created.id}/builds`, {});
  return h.waitFor(created.id, (x) => x.state === 'awaiting_approval' && x.builds.length === 2, 'reach QA with its change');
};
const deployTriggers = (id: string) => h.jenkins.triggers.filter((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === id && !t.merged);
const buildPath = (job: string) => `/${job.split('/').map((p) => `job/${p}`).join('/')}/`;

/** A deploy that runs until stopped; rollbacks deploy at once. */
const hangingDeploy: JobBehaviour = (build) =>
  build.params.DEPLOY_KIND === 'rollback'
    ? contractPipeline({ durationMs: 5 })(build)
    : new Promise((resolve) => build.signal.addEventListener('abort', () => resolve('ABORTED'), { once: true }));

describe('a deploy result that arrives while a person is asked to act (10.1)', () => {
  it('is applied: SUCCESS goes on to production tags, and the slot is free for the next hotfix', async () => {
    await h.settleAll();
    h.jenkins.defineJob(JOBS.deploy, 'manual');
    try {
      const hf = await toQa('Deploy result during attention');
      await promote(hf.id);
      const build = await h.jenkins.waitForBuildStart((b) => b.job === JOBS.deploy && b.params.HOTFIX_ID === hf.id, 15_000);
      // Jenkins' API refuses the poll (a permission change): the service gives up asking and asks a person.
      h.jenkins.failNext({ match: (m, p) => m === 'GET' && p.startsWith(`${buildPath(JOBS.deploy)}${build.number}/api/json`), mode: 403 });
      const stuck = await h.waitForState(hf.id, 'needs_attention');
      expect(stuck.attention?.reason).toMatch(/check-run/);
      // Meanwhile the pipeline finishes and calls back.
      await h.jenkins.finish(JOBS.deploy, build.number, 'SUCCESS');
      const done = await h.waitForState(hf.id, 'awaiting_backmerge');
      expect(done.tags).toContain(`prod-${build.number}`);
      expect(done.attention).toBeNull();
      standard();
      // The slot was let go: the next hotfix of the service deploys.
      const next = await toQa('After the attention');
      await promote(next.id);
      await h.waitForState(next.id, 'awaiting_backmerge', 20_000);
    } finally {
      standard();
    }
  }, 60_000);

  it('is applied: FAILURE rolls production back', async () => {
    await h.settleAll();
    h.jenkins.defineJob(JOBS.deploy, 'manual');
    try {
      const hf = await toQa('Failed deploy during attention');
      await promote(hf.id);
      const build = await h.jenkins.waitForBuildStart((b) => b.job === JOBS.deploy && b.params.HOTFIX_ID === hf.id, 15_000);
      h.jenkins.failNext({ match: (m, p) => m === 'GET' && p.startsWith(`${buildPath(JOBS.deploy)}${build.number}/api/json`), mode: 403 });
      await h.waitForState(hf.id, 'needs_attention');
      standard();
      await h.jenkins.finish(JOBS.deploy, build.number, 'FAILURE');
      const back = await h.waitForState(hf.id, 'rolled_back', 20_000);
      expect(back.deploys.map((d) => [d.kind, d.status])).toEqual([
        ['hotfix', 'FAILURE'],
        ['rollback', 'SUCCESS'],
      ]);
    } finally {
      standard();
    }
  }, 60_000);
});

describe('rolling back an older hotfix after a newer one went out (10.2)', () => {
  it('is refused under the slot, naming what production runs now; nothing is deployed', async () => {
    await h.settleAll();
    const a = await toQa('Older fix');
    await promote(a.id);
    const aLive = await h.waitForState(a.id, 'awaiting_backmerge');
    const b = await toQa('Newer fix');
    h.jenkins.defineJob(JOBS.deploy, 'manual');
    try {
      await promote(b.id);
      const bBuild = await h.jenkins.waitForBuildStart((x) => x.job === JOBS.deploy && x.params.HOTFIX_ID === b.id, 15_000);
      // B is not tagged yet: the request is accepted, and waits for B's slot.
      const asked = await h.api('POST', `/api/v1/hotfixes/${a.id}/rollback`, { actor: 'ops@example.com', reason: 'errors after A' });
      expect(asked.status).toBe(202);
      await h.waitFor(a.id, (x) => x.promotion?.waitingFor === b.id, 'wait for the slot');
      await h.jenkins.finish(JOBS.deploy, bBuild.number, 'SUCCESS');
      const bLive = await h.waitForState(b.id, 'awaiting_backmerge');
      const refused = await h.waitFor(a.id, (x) => Boolean(x.rollback?.refused), 'refuse the rollback');
      expect(refused.rollback?.refused).toContain(`prod-${bBuild.number} (${b.id})`);
      expect(refused.state).toBe(aLive.state === 'completed' ? 'completed' : refused.state);
      expect(['awaiting_backmerge', 'completed']).toContain(refused.state);
      expect(refused.deploys.filter((d) => d.kind === 'rollback')).toHaveLength(0);
      expect(h.jenkins.triggers.filter((t) => t.params.HOTFIX_ID === a.id && t.params.DEPLOY_KIND === 'rollback')).toHaveLength(0);
      expect(bLive.tags).toContain(`prod-${bBuild.number}`);
      await h.slack.waitForMessage((m) => (m.text ?? '').includes(a.id) && (m.text ?? '').includes('not carried out'));
    } finally {
      standard();
    }
  }, 60_000);
});

describe('a deploy trigger whose answer was lost, then a retry (10.3)', () => {
  it('deploys exactly once', async () => {
    await h.settleAll();
    h.jenkins.defineJob(JOBS.deploy, 'manual');
    try {
      const hf = await toQa('Lost trigger answer');
      // Jenkins queues the deploy but its answer comes after the client gave up (1 s).
      h.jenkins.failNext({ match: (m, p) => m === 'POST' && p === `${buildPath(JOBS.deploy)}buildWithParameters`, mode: 'late', lateMs: 2500 });
      await promote(hf.id);
      await h.jenkins.waitForTrigger((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === hf.id, 15_000);
      // The next attempt cannot ask Jenkins (a permission problem): a person is asked.
      h.jenkins.failNext({ match: (m, p) => m === 'GET' && p === '/queue/api/json', mode: 403 });
      const stuck = await h.waitForState(hf.id, 'needs_attention', 20_000);
      expect(stuck.attention?.retry?.step).toBe('trigger-run');
      expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/retry`, { actor: 'ops@example.com' })).status).toBe(202);
      const running = await h.waitFor(hf.id, (x) => x.deploys[0]?.number != null, 'adopt the running deploy', 15_000);
      const number = running.deploys[0]?.number ?? 0;
      await h.jenkins.finish(JOBS.deploy, number, 'SUCCESS');
      await h.waitForState(hf.id, 'awaiting_backmerge');
      expect(deployTriggers(hf.id)).toHaveLength(1);
    } finally {
      standard();
    }
  }, 60_000);
});

describe('the deploy deadline (10.6)', () => {
  it('counts from the build start, not from time spent queued', async () => {
    await h.settleAll();
    const hf = await toQa('Queued a while');
    // Queued 2 s, then runs 2 s: 4 s from the request, 2 s from its start; the deadline is 3 s.
    h.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 2000 }));
    h.jenkins.setQueueDelay(2000);
    try {
      await promote(hf.id);
      const done = await h.waitForState(hf.id, 'awaiting_backmerge', 20_000);
      expect(done.deploys.map((d) => d.status)).toEqual(['SUCCESS']);
    } finally {
      h.jenkins.setQueueDelay(0);
      standard();
    }
  }, 60_000);

  it('stops the Jenkins build it abandons, says so, and rolls back', async () => {
    await h.settleAll();
    const hf = await toQa('Deploy that hangs');
    h.jenkins.defineJob(JOBS.deploy, hangingDeploy);
    try {
      await promote(hf.id);
      const build = await h.jenkins.waitForBuildStart((b) => b.job === JOBS.deploy && b.params.HOTFIX_ID === hf.id, 15_000);
      const back = await h.waitForState(hf.id, 'rolled_back', 20_000);
      const ended = await h.jenkins.waitForBuildEnd((b) => b.job === JOBS.deploy && b.number === build.number);
      expect(ended.result).toBe('ABORTED');
      expect(back.events.some((e) => e.message?.includes(`stopped Jenkins build ${JOBS.deploy} #${build.number}`))).toBe(true);
    } finally {
      standard();
    }
  }, 60_000);
});

describe('a successful build must say which commit it built (10.6)', () => {
  it.each([
    ['in its callback', contractPipeline({ durationMs: 5, payload: (p) => ({ ...p, commit: undefined }) })],
    ['in its archived report, when the callback is lost', contractPipeline({ durationMs: 5, dropFinal: true, payload: (p) => ({ ...p, commit: undefined }) })],
  ])('%s, or it goes to a person instead of QA', async (_how, pipeline) => {
    await h.settleAll();
    h.jenkins.defineJob(JOBS.build, pipeline);
    try {
      const hf = await h.createHotfix({ title: 'Silent about its commit' });
      const stuck = await h.waitForState(hf.id, 'needs_attention', 20_000);
      expect(stuck.attention?.reason).toMatch(/did not say which commit it built/);
      expect(stuck.qa).toBeNull();
    } finally {
      h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5 }));
    }
  }, 30_000);
});

describe('a rebuild while the QA email is still being sent (10.6)', () => {
  it('does not count the new cycle as the old one, and stops nothing', async () => {
    await h.settleAll();
    const hold = h.smtp.holdNext();
    const hf = await h.createHotfix({ title: 'Rebuild during the email' });
    await h.waitForState(hf.id, 'awaiting_approval');
    await hold.held;
    // The cycle 1 email is with the mail server; a new build starts cycle 2.
    expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/builds`, {})).status).toBe(202);
    await h.waitFor(hf.id, (x) => x.state === 'awaiting_approval' && x.qa?.cycle === 2, 'reach QA again');
    hold.release();
    const settled = await h.settle(hf.id, 20_000);
    expect(settled.state).toBe('awaiting_approval');
    expect(settled.attention).toBeNull();
    expect(settled.events.some((e) => e.type === 'attention')).toBe(false);
    await h.smtp.waitFor((m) => m.parsed.subject?.includes(hf.id) === true && m.parsed.text?.includes(`#${settled.qa?.build ?? 0}`) === true);
  }, 60_000);
});

describe('QA environments and late teardowns (10.6)', () => {
  it('a cancel while QA is still being created tears it down only after its qa-up ended', async () => {
    await h.settleAll();
    h.jenkins.defineJob(JOBS.qaUp, 'manual');
    try {
      const hf = await h.createHotfix({ title: 'Cancelled during qa-up' });
      const up = await h.jenkins.waitForBuildStart((b) => b.job === JOBS.qaUp && b.params.HOTFIX_ID === hf.id, 15_000);
      expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/cancel`, { actor: 'dev@example.com', reason: 'not needed' })).status).toBe(202);
      await h.waitFor(hf.id, (x) => x.events.some((e) => e.message?.includes('waits for its qa-up to finish')), 'hold the teardown');
      expect(h.jenkins.triggers.filter((t) => t.job === JOBS.qaDown && t.params.HOTFIX_ID === hf.id)).toHaveLength(0);
      const ended = performance.now();
      await h.jenkins.finish(JOBS.qaUp, up.number, 'SUCCESS');
      const down = await h.jenkins.waitForTrigger((t) => t.job === JOBS.qaDown && t.params.HOTFIX_ID === hf.id, 10_000);
      expect(down.at).toBeGreaterThan(ended);
      expect(down.params.QA_ENV).toBe(up.params.QA_ENV);
      await h.waitFor(hf.id, (x) => x.qa?.status === 'down', 'tear QA down');
    } finally {
      h.jenkins.defineJob(JOBS.qaUp, contractPipeline({ durationMs: 5 }));
    }
  }, 60_000);

  it('each QA cycle has its own environment, so a late teardown of one never hits the next', async () => {
    await h.settleAll();
    const first = await toQa('Two QA cycles');
    h.origin.commit(first.branch, { 'fix.js': 'export const fixed = true;\n' }, 'the actual fix');
    expect((await h.api('POST', `/api/v1/hotfixes/${first.id}/builds`, {})).status).toBe(202);
    const second = await h.waitFor(first.id, (x) => x.state === 'awaiting_approval' && x.qa?.cycle === 2, 'QA again');
    expect(second.qa?.env).toBe(`${first.qa?.env ?? ''}-2`);
    const downs = await h.waitFor(first.id, (x) => (x.qaRetired ?? []).length === 0, 'tear down the first environment');
    const teardowns = h.jenkins.triggers.filter((t) => t.job === JOBS.qaDown && t.params.HOTFIX_ID === first.id).map((t) => t.params.QA_ENV);
    expect(teardowns).toEqual([first.qa?.env]);
    expect(downs.qa?.status).toBe('up');
  }, 60_000);
});

describe('after a rollback (10.6)', () => {
  it('a new hotfix starts from what production runs, and one cut before the rollback is not deployed', async () => {
    await h.settleAll();
    // Production first runs a deploy of the service's own (the fixture's prod-10 has no artifact on record).
    const earlier = await toQaWith('An earlier fix', { 'earlier.js': 'export const earlier = 1;\n' });
    await promote(earlier.id);
    await h.waitForState(earlier.id, 'awaiting_backmerge');
    const a = await toQaWith('Fix that will be rolled back', { 'bad.js': 'export const bad = 1;\n' });
    await promote(a.id);
    const aLive = await h.waitForState(a.id, 'awaiting_backmerge');
    const before = await toQaWith('Cut while the bad fix ran', { 'other.js': 'export const other = 1;\n' });
    expect(before.baseTag).toBe(aLive.tags[0]);
    expect((await h.api('POST', `/api/v1/hotfixes/${a.id}/rollback`, { actor: 'ops@example.com', reason: 'errors' })).status).toBe(202);
    const back = await h.waitFor(a.id, (x) => x.state === 'rolled_back' && x.rollback?.tag != null, 'roll back and tag');
    const after = await h.createHotfix({ title: 'Cut after the rollback' });
    expect(after.baseTag).toBe(back.rollback?.tag);
    expect(after.baseCommit).toBe(back.rollback?.target?.commit);
    await promote(before.id);
    const stuck = await h.waitForState(before.id, 'needs_attention', 20_000);
    expect(stuck.attention?.reason).toMatch(/rolled back to .* carries a change production removed/);
    expect(deployTriggers(before.id)).toHaveLength(0);
    // Nothing holds the slot: the hotfix cut after the rollback goes all the way.
    await h.waitForState(after.id, 'awaiting_approval');
    await promote(after.id);
    await h.waitForState(after.id, 'awaiting_backmerge', 20_000);
  }, 90_000);
});
