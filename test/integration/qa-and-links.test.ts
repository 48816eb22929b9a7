import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkSigner } from '../../src/adapters/signing/link-signer.js';
import { SECRETS, startHarness, type Harness } from '../helpers/harness.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';

describe('QA through shell commands, and QA that expires', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      qa: {
        provider: 'command',
        ttlHours: 2 / 3600, // two seconds
        // The values arrive as environment variables, never spliced into the command.
        up: 'echo "provisioning $QA_ENV for $ARTIFACT_VERSION"; echo "QA_URL=https://$QA_ENV.qa.example.com/?v=$ARTIFACT_VERSION"',
        down: 'test -n "$QA_ENV"',
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('provisions with the command, emails, then expires: rejected as "qa expired" and torn down', async () => {
    const hf = await h.createHotfix({ title: '$(touch /tmp/hotfix-pwned) QA by command' });
    const ready = await h.waitForState(hf.id, 'awaiting_approval');
    expect(ready.qa?.url).toBe(`https://${ready.qa?.env}.qa.example.com/?v=${ready.builds[0]?.artifact?.version}`);
    expect(ready.qa?.up).toBeNull();
    const mail = await h.smtp.waitFor((m) => m.parsed.subject?.includes(hf.id) ?? false);
    const links = actionLinks(mail.parsed.text ?? '');
    const expired = await h.waitFor(hf.id, (x) => x.state === 'rejected' && x.qa?.status === 'down', 'expire', 15_000);
    expect(expired.rejection?.reason).toBe('qa expired');
    // The links expired with the environment.
    expect((await openAction(links.promote)).status).toBe(410);
  });

  it('a failing QA command stops the hotfix with its output', async () => {
    const broken = await startHarness({ qa: { provider: 'command', up: 'echo "no capacity left" >&2; exit 3' } });
    try {
      const hf = await broken.createHotfix({ title: 'QA cannot start' });
      const stuck = await broken.waitForState(hf.id, 'needs_attention');
      expect(stuck.attention?.reason).toContain('exited 3');
      expect(stuck.attention?.reason).toContain('no capacity left');
    } finally {
      await broken.close();
    }
  });
});

describe('email links', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ qa: { provider: 'jenkins', recipients: ['qa1@example.com', 'qa2@example.com'] } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuse tampering, forgery, other hotfixes, and posts without the page', async () => {
    const hf = await h.waitForState((await h.createHotfix({ title: 'Links' })).id, 'awaiting_approval');
    const mail = await h.smtp.waitFor((m) => (m.parsed.subject?.includes(hf.id) ?? false) && m.envelope.to.includes('qa1@example.com'));
    const links = actionLinks(mail.parsed.text ?? '');
    const token = links.promote.split('/actions/')[1] ?? '';
    const [version, payload, mac] = token.split('.');
    const base = `${h.url}/actions/`;

    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), r: 'mallory@example.com' })).toString('base64url');
    expect((await openAction(`${base}${version}.${tampered}.${mac}`)).status).toBe(404);
    expect((await openAction(`${base}garbage`)).status).toBe(400);
    const forger = createLinkSigner({ current: 'some-other-key-that-is-long-enough-1234', previous: [] });
    const forged = forger.sign({ hotfixId: hf.id, recipient: 'qa1@example.com', decision: 'promote', build: hf.qa?.build ?? 0, expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await openAction(`${base}${forged.token}`)).status).toBe(404);
    const real = createLinkSigner({ current: SECRETS.linkSigningKey, previous: [] });
    const otherHotfix = real.sign({ hotfixId: 'HF-2001-01-001', recipient: 'qa1@example.com', decision: 'promote', build: 1, expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await openAction(`${base}${otherHotfix.token}`)).status).toBe(404);
    const expired = real.sign({ hotfixId: hf.id, recipient: 'qa1@example.com', decision: 'promote', build: hf.qa?.build ?? 0, expiresAt: new Date(Date.now() - 1000) });
    const expiredPage = await openAction(`${base}${expired.token}`);
    expect(expiredPage.status).toBe(410);
    expect(expiredPage.html).toContain('expired');

    // A POST that did not come from the page (a scanner, a CSRF attempt) changes nothing.
    const page = await openAction(links.promote);
    expect((await submitAction(links.promote, { ...page, fields: {} })).status).toBe(400);
    expect((await submitAction(links.promote, { ...page, fields: { ...page.fields, decision: 'reject' } })).status).toBe(400);
    expect((await submitAction(links.promote, page, {}, { origin: 'https://evil.example.net' })).status).toBe(403);
    // A cross-site form post as a browser sends it from an attacker's page that knows the link:
    // `Origin: null` (its no-referrer policy, like ours), the decision, but no proof — the same-origin
    // policy keeps that page from reading ours, so it cannot have one.
    const crossSite = await fetch(links.promote, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
      body: new URLSearchParams({ decision: 'promote', comment: 'lgtm' }).toString(),
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(400);
    expect((await h.get(hf.id)).state).toBe('awaiting_approval');
    expect((await h.get(hf.id)).approvals).toHaveLength(0);

    // The GET page is a real page: readable, accessible, no script, the form posts back.
    expect(page.html).toMatch(/<html lang="en">/);
    expect(page.html).toContain('name="viewport"');
    expect(page.html).toContain('<label for="comment">');
    expect(page.html).not.toContain('<script');
    expect(page.html).toContain('<form method="post">');
    const res = await fetch(links.promote);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");

    // Each recipient's link acts as that recipient.
    const done = await submitAction(links.promote, page);
    expect(done.status).toBe(200);
    const after = await h.get(hf.id);
    expect(after.approvals[0]).toMatchObject({ actor: 'qa1@example.com', via: 'email', decision: 'promote' });
    const used = await submitAction(links.promote, page);
    expect(used.status).toBe(409);
    expect(used.html).toMatch(/already (used|promoted)/);
  });
});
