import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { contractPipeline } from '../../src/sandbox/index.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ pollIntervalSeconds: 1 });
});
afterAll(async () => {
  await h?.close();
});

async function toQa(title: string, files: Record<string, string> = {}): Promise<HotfixView> {
  const created = await h.createHotfix({ title });
  if (Object.keys(files).length > 0) {
    h.origin.commit(created.branch, files, title);
    await h.waitFor(created.id, (x) => x.builds.length === 1 && x.builds[0]?.status !== 'REQUESTED', 'trigger the first build');
    await h.api('POST', `/api/v1/hotfixes/${created.id}/builds`, { actor: 'dev@example.com' });
  }
  return h.waitForState(created.id, 'awaiting_approval');
}

const promote = (id: string) => h.api('POST', `/api/v1/hotfixes/${id}/promote`, { actor: 'qa@example.com' });
const deploys = (id: string) => h.jenkins.triggers.filter((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === id);

describe('on the way to production', () => {
  it('stale base: production moved since the branch was cut → merged in, rebuilt, QA again; the earlier fix is kept', async () => {
    const first = await toQa('First fix', { 'first.js': 'export const first = 1;\n' });
    const second = await toQa('Second fix', { 'second.js': 'export const second = 2;\n' });
    expect(second.baseTag).toBe(first.baseTag);
    await promote(first.id);
    const firstDone = await h.waitForState(first.id, 'awaiting_backmerge');
    const newTag = firstDone.tags[0] ?? '';
    await promote(second.id);
    const rebuilt = await h.waitFor(second.id, (x) => x.state === 'awaiting_approval' && (x.qa?.cycle ?? 0) > (second.qa?.cycle ?? 0), 'rebuild and re-enter QA');
    expect(rebuilt.events.some((e) => e.message?.includes(`production moved to ${newTag}`))).toBe(true);
    expect(deploys(second.id)).toHaveLength(0);
    h.origin.git(['fetch', '--quiet', 'origin']);
    const head = h.origin.rev(`origin/${second.branch}`);
    expect(h.origin.git(['merge-base', '--is-ancestor', `${newTag}^{commit}`, head]) === '').toBe(true);
    expect(rebuilt.qa?.commit).toBe(head);
    await h.slack.waitForMessage((m) => (m.text ?? '').includes(second.id) && (m.text ?? '').includes('production moved'));
    await promote(second.id);
    const secondDone = await h.waitForState(second.id, 'awaiting_backmerge');
    const deployed = secondDone.deploys[0]?.commit ?? '';
    // Production never loses the earlier fix: what the second deploy shipped contains the first.
    expect(h.origin.git(['show', `${deployed}:first.js`])).toContain('first = 1');
    expect(h.origin.git(['show', `${deployed}:second.js`])).toContain('second = 2');
  });

  it('a merge conflict into master after the deploy → needs_attention, saying production already runs it', async () => {
    const hf = await toQa('Conflicts with master', { 'app.js': 'export const rate = 2.0;\n' });
    // Someone pushes to master directly meanwhile, touching the same line.
    h.origin.commit('master', { 'app.js': 'export const rate = 3.0;\n' }, 'Direct change on master');
    await promote(hf.id);
    const stuck = await h.waitForState(hf.id, 'needs_attention');
    expect(stuck.attention?.reason).toContain('app.js');
    expect(stuck.attention?.reason).toContain('production already runs this hotfix');
    expect(stuck.tags).toHaveLength(2);
    expect(deploys(hf.id)).toHaveLength(1);
    h.origin.git(['fetch', '--quiet', 'origin']);
    expect(h.origin.git(['log', '-1', '--format=%s', 'origin/master'])).toBe('Direct change on master');
    // A person merges by hand, then asks the service to carry on.
    h.origin.git(['checkout', '--quiet', '-B', 'master', 'origin/master']);
    h.origin.git(['merge', '--quiet', '-X', 'theirs', '-m', 'Manual merge', stuck.deploys[0]?.commit ?? '']);
    h.origin.git(['push', '--quiet', 'origin', 'master']);
    expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/retry`, { actor: 'lead@example.com' })).status).toBe(202);
    const resumed = await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(resumed.events.some((e) => e.message?.includes('already contains the hotfix'))).toBe(true);
  });

  it('back-merge conflicts are listed in the pull request and in Slack', async () => {
    h.origin.commit('develop', { 'refund.js': 'export const develop = true;\n' }, 'Develop changes refund.js');
    const hf = await toQa('Touches refund.js', { 'refund.js': 'export const hotfix = true;\n' });
    await promote(hf.id);
    const done = await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(done.backmerge?.conflicts).toEqual(['refund.js']);
    const pr = h.github.pulls.find((p) => p.head === `backmerge/${hf.id}`);
    expect(pr?.body).toContain('refund.js');
    const message = await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes('back-merge'));
    expect(message.text).toContain('refund.js');
  });

  it('a failed deploy rolls back to the previous production artifact, tags what runs, and tags nothing for the hotfix', async () => {
    const tagsBefore = h.origin.git(['ls-remote', '--tags', 'origin']);
    h.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5, result: (b) => (b.params.DEPLOY_KIND === 'hotfix' ? 'FAILURE' : 'SUCCESS') }));
    try {
      const hf = await toQa('Fails to deploy', { 'boom.js': 'export const boom = 1;\n' });
      const previous = await h.service.deps.git.tags(h.config.services[0]?.repo ?? '');
      await promote(hf.id);
      const rolled = await h.waitFor(hf.id, (x) => x.state === 'rolled_back' && x.rollback?.tag !== null, 'roll back and tag');
      const [failed, rollback] = rolled.deploys;
      expect(failed).toMatchObject({ kind: 'hotfix', status: 'FAILURE' });
      expect(rollback).toMatchObject({ kind: 'rollback', status: 'SUCCESS' });
      const rollbackTrigger = deploys(hf.id).find((t) => t.params.DEPLOY_KIND === 'rollback');
      const target = rolled.rollback?.target;
      expect(rollbackTrigger?.params).toMatchObject({ ARTIFACT_VERSION: target?.artifact.version, ARTIFACT_URL: target?.artifact.url, COMMIT: target?.commit });
      expect(previous).toContain(target?.tag);
      // Only the rollback's own production tag is new, on the commit that runs again.
      expect(rolled.tags).toEqual([`prod-${rollback?.number}`]);
      expect(h.origin.remoteRev(`refs/tags/prod-${rollback?.number}`)).toBe(target?.commit);
      const newTags = h.origin.git(['ls-remote', '--tags', 'origin']).split('\n').filter((l) => !tagsBefore.includes(l) && !l.endsWith('^{}'));
      expect(newTags).toHaveLength(1);
      await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes('rolled back'));
      await h.smtp.waitFor((m) => m.envelope.to.includes('dev@example.com') && (m.parsed.subject?.includes('rolled back') ?? false) && (m.parsed.subject?.includes(hf.id) ?? false));
      // The next hotfix starts from what really runs.
      const next = await h.createHotfix({ title: 'After the rollback' });
      expect(next.baseTag).toBe(`prod-${rollback?.number}`);
    } finally {
      h.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5 }));
    }
  });

  it('rolls back a hotfix already in production on request; refuses while a newer one runs', async () => {
    const older = await toQa('Older in production', { 'older.js': 'export const older = 1;\n' });
    await promote(older.id);
    await h.waitForState(older.id, 'awaiting_backmerge');
    const newer = await toQa('Newer in production', { 'newer.js': 'export const newer = 1;\n' });
    await promote(newer.id);
    const newerDone = await h.waitForState(newer.id, 'awaiting_backmerge');
    const refused = await h.api('POST', `/api/v1/hotfixes/${older.id}/rollback`, { actor: 'lead@example.com', reason: 'slow' });
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('newer');
    const missingReason = await h.api('POST', `/api/v1/hotfixes/${newer.id}/rollback`, { actor: 'lead@example.com' });
    expect(missingReason.status).toBe(400);
    const accepted = await h.api('POST', `/api/v1/hotfixes/${newer.id}/rollback`, { actor: 'lead@example.com', reason: 'Checkout errors' });
    expect(accepted.status).toBe(202);
    const rolled = await h.waitFor(newer.id, (x) => x.state === 'rolled_back' && x.rollback?.tag !== null, 'roll back');
    expect(rolled.rollback?.target?.tag).toBe((await h.get(older.id)).tags[0]);
    expect(rolled.deploys.at(-1)?.artifact).toEqual((await h.get(older.id)).deploys[0]?.artifact);
    expect(newerDone.tags).toHaveLength(2);
    const again = await h.api('POST', `/api/v1/hotfixes/${newer.id}/rollback`, { actor: 'lead@example.com', reason: 'again' });
    expect(again.status).toBe(409);
  });

  it('cancels before production, tearing QA down; refuses after', async () => {
    const hf = await toQa('To be cancelled');
    const res = await h.api('POST', `/api/v1/hotfixes/${hf.id}/cancel`, { actor: 'dev@example.com', reason: 'not needed' });
    expect(res.status).toBe(202);
    const cancelled = await h.waitFor(hf.id, (x) => x.state === 'cancelled' && x.qa?.status === 'down', 'cancel and tear down');
    expect(cancelled.events.some((e) => e.message?.includes('not needed'))).toBe(true);
    expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' })).status).toBe(409);
    expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/cancel`, { actor: 'dev@example.com' })).status).toBe(409);
  });

  it('Slack answering 429 with Retry-After: the message is still delivered, once', async () => {
    await h.settleAll(); // the 429 is for this hotfix's message, not an earlier one's
    h.slack.failNext({ count: 1, mode: 429, retryAfterSeconds: 1 });
    const hf = await h.createHotfix({ title: 'Slack is busy' });
    await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id), 10_000);
    await h.waitForState(hf.id, 'awaiting_approval');
    await h.settle(hf.id);
    expect(h.slack.messages.filter((m) => (m.text ?? '').includes(hf.id) && !m.thread_ts)).toHaveLength(1);
  });
});

describe('a release tag in the way (tags never move)', () => {
  let fixed: Harness;
  beforeAll(async () => {
    // Release names fixed at request (v1.4.2-hotfix.1 …): a name someone else can take first.
    fixed = await startHarness({
      pollIntervalSeconds: 1,
      config: (raw) => {
        for (const s of raw.services) s.tags = { production: 'prod-{build}', release: 'v{base}-hotfix.{n}' };
      },
    });
  });
  afterAll(async () => {
    await fixed?.close();
  });

  it('still tags production, then stops for a person naming the release tag', async () => {
    const created = await fixed.createHotfix({ title: 'Release name taken' });
    const qa = await fixed.waitForState(created.id, 'awaiting_approval');
    const release = qa.release?.name ?? '';
    expect(release).toMatch(/^v1\.4\.2-hotfix\.\d+$/);
    // Someone tags another commit with the name this hotfix was given.
    fixed.origin.tag(release, 'prod-9');

    expect((await fixed.api('POST', `/api/v1/hotfixes/${created.id}/promote`, { actor: 'qa@example.com' })).status).toBeLessThan(300);
    const stuck = await fixed.waitForState(created.id, 'needs_attention');

    expect(stuck.attention?.reason).toContain(`tag ${release} already exists`);
    const production = stuck.finalization?.productionTag ?? '';
    expect(production).toMatch(/^prod-\d+$/);
    expect(fixed.origin.remoteRev(`refs/tags/${production}`)).toBe(stuck.finalization?.commit);
    expect(stuck.finalization?.releaseTag).toBeNull();
    expect(stuck.finalization?.mergeCommit).toBeNull();

    // The person removes the stray tag and asks the service to carry on: the release follows.
    fixed.origin.git(['push', '--quiet', 'origin', `:refs/tags/${release}`]);
    expect((await fixed.api('POST', `/api/v1/hotfixes/${created.id}/retry`, { actor: 'lead@example.com' })).status).toBe(202);
    const released = await fixed.waitForState(created.id, 'awaiting_backmerge');
    expect(released.finalization).toMatchObject({ productionTag: production, releaseTag: release });
    expect(fixed.origin.remoteRev(`refs/tags/${release}`)).toBe(released.finalization?.commit);
    expect(fixed.origin.remoteRev('refs/heads/master')).toBe(released.finalization?.mergeCommit);
  });
});
