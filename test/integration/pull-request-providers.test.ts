import { describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/harness.js';

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
    } finally {
      await h.close();
    }
  });
});
