import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ approvals: { required: 2, approvers: ['*@example.com'] }, qa: { provider: 'jenkins', recipients: ['qa1@example.com', 'qa2@example.com'] } });
});
afterAll(async () => {
  await h?.close();
});

async function toQa(title: string): Promise<HotfixView> {
  const created = await h.createHotfix({ title });
  return h.waitForState(created.id, 'awaiting_approval');
}

async function linksFor(id: string, recipient: string, build?: number): Promise<{ promote: string; reject: string }> {
  const mail = await h.smtp.waitFor((m) => (m.parsed.subject?.includes(id) ?? false) && m.envelope.to.includes(recipient) && (build === undefined || (m.parsed.text ?? '').includes(`Build:       #${build}`)));
  return actionLinks(mail.parsed.text ?? '');
}

const deploysOf = (id: string) => h.jenkins.triggers.filter((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === id);

describe('decisions', () => {
  it('needs two distinct approvers; the page says how many so far; the requester cannot approve', async () => {
    const hf = await toQa('Two approvers');
    const self = await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'dev@example.com' });
    expect(self.status).toBe(403);
    expect(JSON.stringify(self.body)).toContain('cannot approve');
    const outsider = await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'someone@elsewhere.org' });
    expect(outsider.status).toBe(403);

    const first = await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa1@example.com', comment: 'fine' });
    expect(first.status).toBe(202);
    expect((first.body as { decision: unknown }).decision).toEqual({ kind: 'recorded', approvals: 1, required: 2 });
    const twice = await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'QA1@example.com' });
    expect(twice.status).toBe(409);
    expect((await h.get(hf.id)).state).toBe('awaiting_approval');

    const links = await linksFor(hf.id, 'qa2@example.com');
    const page = await openAction(links.promote);
    expect(page.html).toContain('1 of 2');
    const done = await submitAction(links.promote, page);
    expect(done.status).toBe(200);
    const promoted = await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(promoted.promotion?.approvedBy).toEqual(['qa1@example.com', 'qa2@example.com']);
    expect(deploysOf(hf.id)).toHaveLength(1);
  });

  it('twenty people clicking at once produce exactly one promotion', async () => {
    const hf = await toQa('Stampede');
    await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'lead@example.com' });
    const links = await linksFor(hf.id, 'qa1@example.com');
    const page = await openAction(links.promote);
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => submitAction(links.promote, page)),
      ...Array.from({ length: 10 }, (_, i) => h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: `approver${i}@example.com` })),
    ]);
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200 || s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    await h.waitForState(hf.id, 'awaiting_backmerge');
    await h.settle(hf.id);
    expect(deploysOf(hf.id)).toHaveLength(1);
    const final = await h.get(hf.id);
    expect(final.events.filter((e) => e.to === 'deploying')).toHaveLength(1);
    expect(final.tags).toHaveLength(2);
  });

  it('a page opened before others promoted says who did, in words, when submitted', async () => {
    const hf = await toQa('Opened, then overtaken');
    const links = await linksFor(hf.id, 'qa2@example.com');
    const page = await openAction(links.promote);
    expect(page.status).toBe(200);
    await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'lead@example.com' });
    expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa1@example.com' })).status).toBe(202);
    const late = await submitAction(links.promote, page);
    expect(late.status).toBe(409);
    // The words the page would have shown on opening: who, when in words, where it is now.
    expect(late.html).toContain('Already promoted by lead@example.com and qa1@example.com at');
    expect(late.html).toContain('the hotfix is now');
    expect(late.html).not.toContain('(now ');
    await h.settle(hf.id);
  });

  it('promote and reject racing: one outcome wins and the other is told', async () => {
    const hf = await toQa('Race');
    await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'lead@example.com' });
    const [promote, reject] = await Promise.all([
      h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa1@example.com' }),
      h.api('POST', `/api/v1/hotfixes/${hf.id}/reject`, { actor: 'qa2@example.com', reason: 'broken on mobile' }),
    ]);
    expect([promote.status, reject.status].sort()).toEqual([202, 409]);
    const settled = await h.settle(hf.id);
    if (promote.status === 202) {
      expect(['deploying', 'finalizing', 'awaiting_backmerge']).toContain(settled.state);
      expect(JSON.stringify(reject.body)).toContain('already promoted');
    } else {
      expect(settled.state).toBe('rejected');
      expect(deploysOf(hf.id)).toHaveLength(0);
    }
  });

  it('reject tears QA down and tells the requester; a new build starts a fresh cycle and old links are out of date', async () => {
    const hf = await toQa('Reject then fix');
    const old = await linksFor(hf.id, 'qa1@example.com');
    const rejectPage = await openAction(old.reject);
    const missingReason = await submitAction(old.reject, rejectPage, { comment: '' });
    expect(missingReason.status).toBe(400);
    const rejected = await submitAction(old.reject, rejectPage, { comment: 'Refund total is wrong' });
    expect(rejected.status).toBe(200);
    const r = await h.waitFor(hf.id, (x) => x.state === 'rejected' && x.qa?.status === 'down', 'be rejected with QA down');
    expect(r.rejection).toMatchObject({ actor: 'qa1@example.com', reason: 'Refund total is wrong' });
    expect(h.jenkins.triggers.filter((t) => t.job === JOBS.qaDown && t.params.HOTFIX_ID === hf.id)).toHaveLength(1);
    const note = await h.smtp.waitFor((m) => m.envelope.to.includes('dev@example.com') && (m.parsed.subject?.includes(`${hf.id}`) ?? false) && (m.parsed.subject?.includes('rejected') ?? false));
    expect(note.parsed.text).toContain('Refund total is wrong');
    await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes('Refund total is wrong'));

    h.origin.commit(hf.branch, { 'refund.js': 'export const fixed = true;\n' }, 'Fix the refund total');
    expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/builds`, { actor: 'dev@example.com' })).status).toBe(202);
    const again = await h.waitForState(hf.id, 'awaiting_approval');
    expect(again.qa?.cycle).toBe(2);
    const stale = await openAction(old.promote);
    expect(stale.status).toBe(409);
    expect(stale.html).toMatch(/out of date/i);
    const fresh = await linksFor(hf.id, 'qa1@example.com', again.qa?.build);
    expect(fresh.promote).not.toBe(old.promote);
    await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa2@example.com' });
    const page = await openAction(fresh.promote);
    expect((await submitAction(fresh.promote, page)).status).toBe(200);
    const done = await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(done.deploys[0]?.commit).toBe(again.qa?.commit);
  });
});
