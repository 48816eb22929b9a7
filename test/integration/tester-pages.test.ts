// What a QA tester sees, in a real browser (Chromium) at desktop and phone sizes: the confirm
// page, the result, the live status page that follows the hotfix to production, "already
// used", a reject, and a build that changes nothing — with no console errors on any page.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { contractPipeline } from '../../src/sandbox/index.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';
import { launchBrowser, VIEWPORTS, visibleText, watchedPage, type WatchedPage } from '../helpers/browser.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

const TESTER = 'qa-team@example.com';
let h: Harness;
let browser: Browser;
let desktop: BrowserContext;
let phone: BrowserContext;
const opened: WatchedPage[] = [];

beforeAll(async () => {
  h = await startHarness({
    pollIntervalSeconds: 1,
    // Production takes a moment, so the status page has something to follow.
    jenkins: (sim) => sim.defineJob(JOBS.deploy, contractPipeline({ durationMs: 2500 }), { nextBuildNumber: 11 }),
    config: (raw) => {
      (raw.server as Record<string, unknown>).timeZone = 'Europe/Berlin';
    },
  });
  browser = await launchBrowser();
  desktop = await browser.newContext(VIEWPORTS.desktop);
  phone = await browser.newContext(VIEWPORTS.phone);
}, 60_000);
afterAll(async () => {
  for (const w of opened) expect(w.problems, `problems on ${w.page.url()}`).toEqual([]);
  await browser?.close();
  await h?.close();
});

async function open(context: BrowserContext, url: string): Promise<Page> {
  const w = await watchedPage(context);
  opened.push(w);
  await w.page.goto(url);
  return w.page;
}

async function inQa(title: string, commits?: string[]): Promise<{ hf: HotfixView; links: { promote: string; reject: string }; text: string }> {
  const created = await h.createHotfix({ title, ...(commits ? { commits } : {}) });
  const hf = await h.waitForState(created.id, 'awaiting_approval');
  const mail = await h.smtp.waitFor((m) => (m.parsed.subject ?? '').includes(hf.id) && m.envelope.to.includes(TESTER));
  return { hf, links: actionLinks(mail.parsed.text ?? ''), text: mail.parsed.text ?? '' };
}

/** Read the page as it reloads itself (meta refresh) until `predicate` holds; the test never reloads it. */
async function until(page: Page, predicate: (text: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = await visibleText(page);
      if (predicate(last)) return last;
    } catch {
      // between two documents while it reloads
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the page never showed ${what}; last:\n${last}`);
}

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

describe('what a QA tester sees', () => {
  it('promote on a phone, then follow the hotfix live to production; the QA link is history once torn down', async () => {
    const { hf, links } = await inQa('Fix the refund rounding');
    const page = await open(phone, links.promote);
    expect(await page.title()).toBe(`Promote ${hf.id} to production?`);
    // While QA is up, its environment is a link.
    expect(await page.getByRole('link', { name: hf.qa?.url ?? '' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Promote to production' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').innerText()).toBe('Promoted');

    await page.getByRole('link', { name: `Follow ${hf.id} live` }).click();
    await page.waitForLoadState();
    expect(page.url()).toBe(`${links.promote}/status`);
    const first = await visibleText(page);
    expect(first).toContain('Going to production');
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('5');
    expect(first).toContain('This page updates itself every 5 seconds');

    // It moves on by itself, and stops once the hotfix is in production.
    const done = await until(page, (t) => t.includes(`${hf.id}: In production`) && t.includes('no longer updates'), 'the hotfix in production');
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    expect(done).toMatch(/Deploy #\d+ of 1\.0\.\d+ succeeded at \w{3}, \d{1,2} \w{3} 2\d{3}, \d{2}:\d{2} CET/);
    const released = await h.get(hf.id);
    for (const tag of released.tags) expect(done).toContain(tag);
    expect(done).toMatch(new RegExp(`${released.qa?.env ?? '?'} — torn down at`));
    expect(await page.getByRole('link', { name: released.qa?.url ?? '' }).count()).toBe(0);
    expect(done).toContain(`Promoted by ${TESTER} at`);
    expect(done).not.toMatch(ISO);
  }, 60_000);

  it('a used link says who decided and when, in words and the service time zone, and leads on to the status', async () => {
    const { hf, links } = await inQa('Second look');
    const first = await open(desktop, links.promote);
    await first.getByRole('button', { name: 'Promote to production' }).click();
    await first.waitForLoadState();
    // In production before the next test: a deploy still running would make its base stale.
    await h.waitForState(hf.id, 'awaiting_backmerge', 20_000);
    const again = await open(desktop, links.promote);
    const text = await visibleText(again);
    expect(await again.locator('h1').innerText()).toBe('This link was already used');
    expect(text).toMatch(new RegExp(`Already promoted with this link by ${TESTER} at \\w{3}, \\d{1,2} \\w{3} 2\\d{3}, \\d{2}:\\d{2} CET\\.`));
    expect(text).not.toContain('this link was already used');
    expect(text).not.toMatch(ISO);
    expect(await again.getByRole('link', { name: `Follow ${hf.id} live` }).count()).toBe(1);
  }, 60_000);

  it('a reject reads as a decision: who, when, why — not "0 of 1 approvals"', async () => {
    const { hf, links } = await inQa('Looks wrong');
    const page = await open(phone, links.reject);
    await page.getByLabel('Why are you rejecting it? (required)').fill('The refund total is still off by a cent');
    await page.getByRole('button', { name: 'Reject this hotfix' }).click();
    await page.waitForLoadState();
    const text = await visibleText(page);
    expect(await page.locator('h1').innerText()).toBe('Rejected');
    expect(text).toContain(`Rejected by ${TESTER} — promotion stopped`);
    expect(text).toContain(`Rejected by ${TESTER} at`);
    expect(text).toContain('reason: “The refund total is still off by a cent”');
    expect(text).not.toContain('0 of 1');
    await page.getByRole('link', { name: `Follow ${hf.id} live` }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').innerText()).toBe(`${hf.id}: Rejected`);
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
  }, 60_000);

  it('a build with no change from production says so in the email and the page, and promotes only when ticked', async () => {
    const { hf, links, text } = await inQa('Asked for without a fix', []);
    expect(text).toContain(`NO CHANGE: This build contains no change from production (${hf.baseTag ?? '?'})`);
    expect(text).toContain('Commits since the production tag:\n  (none)');
    // The API says the same, and needs the confirmation too.
    const refused = await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'lead@example.com' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'no_change' } });
    // A form posted without the tick (no browser to stop it) changes nothing and says why.
    const form = await openAction(links.promote);
    const untucked = await submitAction(links.promote, form);
    expect(untucked.status).toBe(400);
    expect(untucked.html).toContain('Tick the box');
    expect((await h.get(hf.id)).state).toBe('awaiting_approval');

    const page = await open(desktop, links.promote);
    expect(await visibleText(page)).toContain(`No change: This build contains no change from production (${hf.baseTag ?? '?'})`);
    const tick = page.getByLabel('I know this build changes nothing in production and promote it anyway.');
    expect(await tick.isChecked()).toBe(false);
    // The browser will not send the form without the tick.
    await page.getByRole('button', { name: 'Promote to production' }).click();
    expect(await page.locator('h1').innerText()).toBe(`Promote ${hf.id} to production?`);
    expect((await h.get(hf.id)).state).toBe('awaiting_approval');
    await tick.check();
    await page.getByRole('button', { name: 'Promote to production' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').innerText()).toBe('Promoted');
    await h.waitForState(hf.id, 'awaiting_backmerge', 20_000);
  }, 60_000);

  it('serves a favicon, and keeps the status view of an expired link for a while, not for ever', async () => {
    const icon = await fetch(`${h.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    expect(new Uint8Array(await icon.arrayBuffer()).slice(0, 4)).toEqual(new Uint8Array([0, 0, 1, 0]));
    const hf = (await h.api('GET', '/api/v1/hotfixes?limit=1')).body as { items: Array<{ id: string }> };
    const id = hf.items[0]?.id ?? '';
    const sign = (expiresAt: Date) => h.service.deps.links.sign({ hotfixId: id, recipient: TESTER, decision: 'promote', build: 1, expiresAt }).token;
    const lately = await fetch(`${h.url}/actions/${sign(new Date(Date.now() - 3_600_000))}/status`);
    expect(lately.status).toBe(200);
    expect(await lately.text()).toContain(id);
    expect((await fetch(`${h.url}/actions/${sign(new Date(Date.now() - 31 * 24 * 3_600_000))}/status`)).status).toBe(410);
    expect((await fetch(`${h.url}/actions/not-a-token/status`)).status).toBe(404);
  });
});
