// Promote and Reject in the hotfix's Slack thread: the sandbox Slack clicks as Slack does (a
// signed block_actions payload POSTed to /slack/actions), the service answers at once, a worker
// decides through the same rules as an email link, and the message changes in place.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { postSigned, replay } from '../../src/sandbox/slack/interactivity.js';
import type { SlackMessageRecord } from '../../src/sandbox/slack/index.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

const SIGNING_SECRET = 'slack-signing-secret-for-tests-0123';
const USERS = {
  alice: { id: 'U0ALICE', name: 'Alice', email: 'alice@example.com' },
  bob: { id: 'U0BOB', name: 'Bob', email: 'bob@example.com' },
  requester: { id: 'U0DEV', name: 'Dev', email: 'dev@example.com' },
  outsider: { id: 'U0MALLORY', name: 'Mallory', email: 'mallory@elsewhere.org' },
  noEmail: { id: 'U0GHOST', name: 'Ghost', email: '' },
};

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    slack: { signingSecret: SIGNING_SECRET, users: Object.values(USERS) },
    approvals: { required: 1, approvers: ['*@example.com'] },
    qa: { provider: 'jenkins', recipients: ['qa@example.com'] },
  });
});
afterAll(async () => {
  await h?.close();
});

const deploysOf = (id: string) => h.jenkins.triggers.filter((t) => t.job === JOBS.deploy && t.params.HOTFIX_ID === id);

async function toQa(title: string): Promise<{ hf: HotfixView; message: SlackMessageRecord }> {
  const created = await h.createHotfix({ title });
  const hf = await h.waitForState(created.id, 'awaiting_approval');
  const message = await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes(`build #${hf.qa?.build}`) && (m.blocks?.length ?? 0) > 0);
  return { hf, message };
}

const buttonsOf = (m: SlackMessageRecord) =>
  (m.blocks ?? []).flatMap((b) => ((b as { type: string; elements?: Array<{ action_id?: string; confirm?: { text?: { text?: string } } }> }).type === 'actions' ? ((b as { elements: Array<{ action_id?: string; confirm?: { text?: { text?: string } } }> }).elements ?? []) : []));

const ephemeralTo = (user: { id: string }, text: string | RegExp) =>
  h.slack.waitForEphemeral((e) => e.user === user.id && (typeof text === 'string' ? e.text.includes(text) : text.test(e.text)));

describe('Slack buttons', () => {
  it('an approver clicks Promote: Slack is answered at once, the hotfix is promoted once, the message says who and when', async () => {
    const { hf, message } = await toQa('Promote from Slack');
    const buttons = buttonsOf(message);
    expect(buttons.map((b) => b.action_id)).toEqual(['hotfix_promote', 'hotfix_reject']);
    expect(buttons[0]?.confirm?.text?.text).toContain(`build #${hf.qa?.build}`);

    const click = await h.slack.click(USERS.alice.id, message, 'hotfix_promote');
    expect(click.status).toBe(200);
    expect(click.body).toBe('');
    const promoted = await h.waitFor(hf.id, (x) => x.promotion !== null, 'promoted');
    expect(promoted.approvals).toEqual([expect.objectContaining({ actor: 'alice@example.com', decision: 'promote', via: 'slack', build: hf.qa?.build })]);
    await h.waitFor(hf.id, () => (message.updates ?? 0) > 0, 'message updated');
    expect(message.text).toMatch(new RegExp(`Promoted by Alice \\(alice@example.com\\) at \\d\\d:\\d\\d UTC — deploying build #${hf.qa?.build}`));
    expect(buttonsOf(message)).toEqual([]);

    // The very same request again (a replay within Slack's five minutes) changes nothing.
    expect((await replay(`${h.url}/slack/actions`, click.request)).status).toBe(200);
    const done = await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(done.approvals.filter((a) => a.decision === 'promote')).toHaveLength(1);
    expect(deploysOf(hf.id)).toHaveLength(1);
  });

  it('a click after someone promoted elsewhere is told who did, and when', async () => {
    const { hf, message } = await toQa('Already promoted');
    expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' })).status).toBe(202);
    await h.slack.click(USERS.bob.id, message, 'hotfix_promote');
    await ephemeralTo(USERS.bob, /^Already promoted by qa@example.com at \w{3}, \d+ \w{3} \d{4}, \d\d:\d\d UTC; the hotfix is now/);
    await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(deploysOf(hf.id)).toHaveLength(1);
  });

  it('forged, tampered and old signatures are refused with 401 and change nothing', async () => {
    const { hf, message } = await toQa('Forged clicks');
    const target = { url: `${h.url}/slack/actions`, signingSecret: 'not-the-signing-secret-0123456' };
    const payload = { type: 'block_actions', user: { id: USERS.alice.id }, container: { channel_id: message.channel, message_ts: message.ts }, actions: [{ action_id: 'hotfix_promote', value: 'x', action_ts: '1.2' }] };
    const forged = await postSigned(target, payload);
    expect(forged.status).toBe(401);
    expect(forged.body).toContain('X-Slack-Signature');
    const old = await postSigned({ ...target, signingSecret: SIGNING_SECRET }, payload, Math.floor(Date.now() / 1000) - 6 * 60);
    expect(old.status).toBe(401);
    expect(old.body).toContain('5 minutes');
    const good = await postSigned({ ...target, signingSecret: SIGNING_SECRET }, payload);
    const tampered = await replay(target.url, { ...good.request, body: good.request.body.replace('hotfix_promote', 'hotfix_reject') });
    expect(tampered.status).toBe(401);
    const unsigned = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: good.request.body });
    expect(unsigned.status).toBe(401);
    // A valid signature around a value the service never signed: answered, and told so privately.
    expect(good.status).toBe(200);
    await ephemeralTo(USERS.alice, 'not made by the hotfix service');
    expect((await h.get(hf.id)).state).toBe('awaiting_approval');
    expect((await h.get(hf.id)).approvals).toEqual([]);
  });

  it('the requester, an outsider and a member without an email are each told why, privately', async () => {
    const { hf, message } = await toQa('Who may click');
    await h.slack.click(USERS.requester.id, message, 'hotfix_promote');
    await ephemeralTo(USERS.requester, 'dev@example.com requested this hotfix and cannot approve it');
    await h.slack.click(USERS.outsider.id, message, 'hotfix_promote');
    await ephemeralTo(USERS.outsider, /Not allowed: mallory@elsewhere.org is not allowed to decide/);
    await h.slack.click(USERS.noEmail.id, message, 'hotfix_promote');
    await ephemeralTo(USERS.noEmail, 'no email address');
    const still = await h.get(hf.id);
    expect(still.state).toBe('awaiting_approval');
    expect(still.approvals).toEqual([]);
    expect(message.updates ?? 0).toBe(0);
  });

  it('a button of an older build is out of date', async () => {
    const { hf, message } = await toQa('Stale button');
    await h.api('POST', `/api/v1/hotfixes/${hf.id}/builds`, {});
    const rebuilt = await h.waitFor(hf.id, (x) => x.state === 'awaiting_approval' && (x.qa?.build ?? 0) > (hf.qa?.build ?? 0), 'new QA build');
    await h.slack.click(USERS.alice.id, message, 'hotfix_promote');
    await ephemeralTo(USERS.alice, `Out of date: this button is for build #${hf.qa?.build}, but QA now tests build #${rebuilt.qa?.build}`);
    expect((await h.get(hf.id)).approvals).toEqual([]);
  });

  it('Reject opens a modal that insists on a reason, then rejects and says so in place', async () => {
    const { hf, message } = await toQa('Reject from Slack');
    expect((await h.slack.click(USERS.bob.id, message, 'hotfix_reject')).status).toBe(200);
    const view = await h.slack.waitForView((v) => v.user === USERS.bob.id && v.callback_id === 'hotfix_reject_reason');
    expect(JSON.stringify(view.view)).toContain(hf.id);
    const empty = await h.slack.submitView(view.id, { reason: { reason_input: '  ' } });
    expect(empty.status).toBe(200);
    expect(JSON.parse(empty.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('Say why') } });
    expect((await h.get(hf.id)).state).toBe('awaiting_approval');

    const submitted = await h.slack.submitView(view.id, { reason: { reason_input: 'Totals still wrong for JPY' } });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');
    const rejected = await h.waitForState(hf.id, 'rejected');
    expect(rejected.rejection).toMatchObject({ actor: 'bob@example.com', reason: 'Totals still wrong for JPY' });
    await h.waitFor(hf.id, () => (message.updates ?? 0) > 0, 'message updated');
    expect(message.text).toMatch(/Rejected by Bob \(bob@example.com\) at \d\d:\d\d UTC: Totals still wrong for JPY/);
    // The same submission again is one job, already done.
    expect((await h.slack.submitView(view.id, { reason: { reason_input: 'Again' } })).status).toBe(200);
    expect((await h.get(hf.id)).approvals.filter((a) => a.decision === 'reject')).toHaveLength(1);
  });

  it('a Slack click and an email link at the same moment promote exactly once', async () => {
    const { hf, message } = await toQa('Slack and email race');
    const mail = await h.smtp.waitFor((m) => (m.parsed.subject?.includes(hf.id) ?? false) && m.envelope.to.includes('qa@example.com'));
    const links = actionLinks(mail.parsed.text ?? '');
    const page = await openAction(links.promote);
    const [slack, email] = await Promise.all([h.slack.click(USERS.alice.id, message, 'hotfix_promote'), submitAction(links.promote, page)]);
    expect(slack.status).toBe(200);
    expect([200, 409]).toContain(email.status);
    const done = await h.waitForState(hf.id, 'awaiting_backmerge');
    expect(done.approvals.filter((a) => a.decision === 'promote')).toHaveLength(1);
    expect(deploysOf(hf.id)).toHaveLength(1);
    if (done.approvals[0]?.via === 'email') {
      // Slack lost: Alice is told who won.
      await ephemeralTo(USERS.alice, 'Already promoted by qa@example.com');
      expect(message.updates ?? 0).toBe(0);
    } else {
      expect(email.status).toBe(409);
      expect(email.html).toContain('Already promoted by alice@example.com');
    }
  });

  it('a Slack button value is not an email link', async () => {
    const { message } = await toQa('Button is not a link');
    const value = buttonsOf(message)[0] as { value?: string } | undefined;
    const res = await fetch(`${h.url}/actions/${(value as { value: string }).value}`);
    expect(res.status).toBe(404);
  });
});
