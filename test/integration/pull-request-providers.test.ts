import { describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

/** A person merges the back-merge branch into develop and pushes, outside the service. */
function mergeIntoDevelop(h: Harness, id: string): void {
  h.origin.git(['fetch', '--quiet', 'origin']);
  h.origin.git(['checkout', '--quiet', '-B', 'develop', 'origin/develop']);
  h.origin.git(['merge', '--quiet', '--no-ff', '-m', `Merge back-merge of ${id}`, `origin/backmerge/${id}`]);
  h.origin.git(['push', '--quiet', 'origin', 'develop']);
}

describe('back-merge through each pull-request provider', () => {
  it('gitlab: a merge request into develop, once', async () => {
    const h = await startHarness({ pullRequests: 'gitlab' });
    try {
      const hf = await h.waitForState((await h.createHotfix({ title: 'Via GitLab' })).id, 'awaiting_approval');
      await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' });
      const done = await h.waitForState(hf.id, 'awaiting_backmerge');
      const mrs = h.gitlab.mergeRequests.filter((m) => m.sourceBranch === `backmerge/${hf.id}`);
      expect(mrs).toHaveLength(1);
      expect(mrs[0]?.targetBranch).toBe('develop');
      expect(done.backmerge?.url).toContain(`/merge_requests/${mrs[0]?.iid}`);
      expect(done.backmerge?.number).toBe(mrs[0]?.iid);
      const slack = await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes('back-merge'));
      expect(slack.text).toContain(done.backmerge?.url ?? 'missing');
      // Merged in GitLab by sam: the record says who, from GitLab's merge_user.
      h.gitlab.setMergeRequestState('acme/payments', mrs[0]?.iid ?? -1, 'merged', 'sam');
      mergeIntoDevelop(h, hf.id);
      const completed = await h.waitForState(hf.id, 'completed');
      expect(completed.backmerge?.mergedBy).toBe('sam');
      expect(h.gitlab.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/merge_requests/${mrs[0]?.iid}`))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('github: develop has the hotfix but GitHub cannot say who merged → completed all the same, and the record says why the name is missing', async () => {
    const h = await startHarness({ pullRequests: 'github' });
    try {
      const hf = await h.waitForState((await h.createHotfix({ title: 'GitHub away at the end' })).id, 'awaiting_approval');
      await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' });
      const done = await h.waitForState(hf.id, 'awaiting_backmerge');
      h.github.setPullState('acme/payments', done.backmerge?.number ?? -1, 'merged', 'dana');
      h.github.failNext({ mode: 503, count: 1000, match: (method, path) => method === 'GET' && /\/pulls\/\d+$/.test(path) });
      mergeIntoDevelop(h, hf.id);
      const completed = await h.waitForState(hf.id, 'completed');
      expect(completed.backmerge?.mergedBy).toBeNull();
      expect(completed.events.some((e) => (e.message ?? '').startsWith('who merged the back-merge is not recorded: ') && (e.message ?? '').includes('503'))).toBe(true);
      const md = String((await h.api('GET', `/api/v1/hotfixes/${hf.id}/evidence.md`)).body);
      expect(md).toContain('the pull-request host records no merge of the proposal');
    } finally {
      await h.close();
    }
  });

  it('none: the branch alone, and Slack says to open the merge by hand', async () => {
    const h = await startHarness({ pullRequests: 'none' });
    try {
      const hf = await h.waitForState((await h.createHotfix({ title: 'Branch only' })).id, 'awaiting_approval');
      await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' });
      const done = await h.waitForState(hf.id, 'awaiting_backmerge');
      expect(done.backmerge).toMatchObject({ branch: `backmerge/${hf.id}`, url: null, number: null, conflicts: [] });
      expect(h.origin.remoteRev(`refs/heads/backmerge/${hf.id}`)).not.toBeNull();
      expect(h.github.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
      const slack = await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes('back-merge'));
      expect(slack.text).toContain(`backmerge/${hf.id}`);
      expect(slack.text).toContain('open a merge into develop');
      mergeIntoDevelop(h, hf.id);
      const completed = await h.waitForState(hf.id, 'completed');
      expect(completed.backmerge?.mergedBy).toBeNull();
    } finally {
      await h.close();
    }
  });
});
