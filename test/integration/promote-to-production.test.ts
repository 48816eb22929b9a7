import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function toQa(title: string): Promise<HotfixView> {
  const fix = h.origin.commit(`fix/${title.replace(/\W+/g, '-')}`, { [`fix-${title.length}.js`]: `export const fixed = ${JSON.stringify(title)};\n` }, title, 'prod-10');
  const created = await h.createHotfix({ title, commits: [fix] });
  return h.waitForState(created.id, 'awaiting_approval');
}

describe('promotion by the email link', () => {
  it('deploys the tested artifact, tags, merges into master, opens the back-merge and completes', async () => {
    const hf = await toQa('Fix refund rounding');
    const mail = await h.smtp.waitFor((m) => m.parsed.subject?.includes(hf.id) ?? false);
    const links = actionLinks(mail.parsed.text ?? '');

    // A mail scanner opens both links (HEAD and GET, several times): nothing changes.
    for (const link of [links.promote, links.reject]) {
      for (let i = 0; i < 3; i++) {
        expect((await fetch(link, { method: 'HEAD' })).status).toBe(200);
        expect((await openAction(link)).status).toBe(200);
      }
    }
    expect((await h.get(hf.id)).state).toBe('awaiting_approval');

    const page = await openAction(links.promote);
    expect(page.html).toContain(hf.id);
    expect(page.html).toContain(hf.qa?.url ?? 'missing');
    expect(page.html).toContain('0 of 1');
    const done = await submitAction(links.promote, page, { comment: 'Looks good on QA' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Promoted');

    const finished = await h.waitForState(hf.id, 'awaiting_backmerge');
    const build = finished.builds.at(-1);
    const deploy = finished.deploys[0];
    expect(deploy?.kind).toBe('hotfix');
    expect(deploy?.status).toBe('SUCCESS');
    expect(deploy?.artifact).toEqual(build?.artifact);
    expect(deploy?.commit).toBe(build?.commit);
    const deployTriggers = h.jenkins.triggers.filter((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === hf.id);
    expect(deployTriggers).toHaveLength(1);
    expect(deployTriggers[0]?.params).toMatchObject({ STAGE: 'deploy', DEPLOY_KIND: 'hotfix', COMMIT: build?.commit, ARTIFACT_VERSION: build?.artifact?.version, ARTIFACT_URL: build?.artifact?.url });
    // QA was torn down before the deploy was triggered.
    const qaDown = h.jenkins.triggers.find((t) => t.job === JOBS.qaDown && t.params.HOTFIX_ID === hf.id);
    expect(qaDown?.params.QA_ENV).toBe(hf.qa?.env);
    expect(qaDown && deployTriggers[0] && qaDown.at < deployTriggers[0].at).toBe(true);

    // Tags on the deployed commit, with the audit trail in their messages.
    const prodTag = `prod-${deploy?.number}`;
    expect(finished.tags).toEqual([prodTag, 'v1.4.3']);
    expect(h.origin.remoteRev(`refs/tags/${prodTag}`)).toBe(build?.commit);
    expect(h.origin.remoteRev('refs/tags/v1.4.3')).toBe(build?.commit);
    const message = h.origin.tagMessage(prodTag);
    expect(message).toContain(hf.id);
    expect(message).toContain('Fix refund rounding');
    expect(message).toContain('qa-team@example.com');
    expect(message).toContain(hf.qa?.url ?? 'missing');
    expect(message).toContain(`#${build?.number}`);

    // master has a --no-ff merge naming the hotfix, containing the deployed commit.
    const master = h.origin.remoteRev('refs/heads/master') ?? '';
    h.origin.git(['fetch', '--quiet', 'origin']);
    expect(h.origin.git(['log', '-1', '--format=%s', 'origin/master'])).toBe(`Merge hotfix ${hf.id}: Fix refund rounding`);
    expect(h.origin.git(['rev-list', '--parents', '-n', '1', master]).split(' ')).toHaveLength(3);

    // The back-merge branch and its pull request; the Slack thread says so.
    expect(h.origin.remoteRev(`refs/heads/backmerge/${hf.id}`)).toBe(master);
    expect(finished.backmerge).toMatchObject({ branch: `backmerge/${hf.id}`, conflicts: [] });
    const prs = h.github.pulls.filter((p) => p.head === `backmerge/${hf.id}`);
    expect(prs).toHaveLength(1);
    expect(prs[0]?.base).toBe('develop');
    expect(prs[0]?.repository).toBe('acme/payments');
    const prUrl = `${h.github.url}/acme/payments/pull/${prs[0]?.number}`;
    expect(finished.backmerge?.url).toBe(prUrl);
    // Notifications follow the state change; the back-merge message may still be on its way.
    const backmergeMessage = await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes('back-merge'));
    const root = h.slack.messages.find((m) => (m.text ?? '').includes(hf.id) && !m.thread_ts);
    expect(root).toBeDefined();
    expect(backmergeMessage?.thread_ts).toBe(root?.ts);
    expect(backmergeMessage?.text).toContain(prUrl);

    // A person merges the back-merge into develop (GitHub marks the pull request merged by
    // them); the service notices from git, and asks GitHub who it was for the record.
    h.github.setPullState('acme/payments', prs[0]?.number ?? -1, 'merged', 'dana');
    h.origin.git(['fetch', '--quiet', 'origin']);
    h.origin.git(['checkout', '--quiet', '-B', 'develop', 'origin/develop']);
    h.origin.git(['merge', '--quiet', '--no-ff', '-m', 'Merge back-merge', `origin/backmerge/${hf.id}`]);
    h.origin.git(['push', '--quiet', 'origin', 'develop']);
    const completed = await h.waitForState(hf.id, 'completed');
    expect(completed.events.at(-1)?.type).toBeDefined();
    expect(completed.backmerge?.mergedBy).toBe('dana');
    expect(completed.events.some((e) => e.type === 'state' && e.to === 'completed' && (e.message ?? '').includes('merged by dana'))).toBe(true);
    const evidence = (await h.api('GET', `/api/v1/hotfixes/${hf.id}/evidence`)).body as { backmerge: { mergedBy: string | null; mergedAt: string | null } };
    expect(evidence.backmerge).toMatchObject({ mergedBy: 'dana', mergedAt: completed.backmerge?.mergedAt });
    await h.settle(hf.id);
    expect(h.slack.messages.filter((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes('complete'))).toHaveLength(1);

    // The used link now says so, and changes nothing.
    const again = await openAction(links.promote);
    expect(again.status).toBe(409);
    expect(again.html).toContain('already');
  });
});
