// The web console in a real browser (Debian's Chromium through playwright-core): sign in with an
// API token, see the hotfixes in flight, open one, retry one that needs attention behind a
// confirmation, and watch its state change arrive without a reload — at desktop and phone
// widths, with the strict CSP and no console errors. Plus what a browser cannot show: CSRF and
// cross-origin posts refused, nothing readable without a session, a rotated token ends it.

import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection } from '../../src/adapters/redis/connection.js';
import { createRedisSessionStore } from '../../src/adapters/redis/sessions.js';
import { launchBrowser, VIEWPORTS, visibleText, watchedPage } from '../helpers/browser.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

const T = { ops: 'console-ops-token-0123456789abcd', qa: 'console-qa-token-0123456789abcde', dev: 'console-dev-token-0123456789abcd' };
const buildPath = (job: string) => `/${job.split('/').map((p) => `job/${p}`).join('/')}/`;

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness({
    pollIntervalSeconds: 1,
    config: (raw) => {
      raw.auth = {
        tokens: [
          { principal: 'ops@example.com', roles: ['operator'], token: T.ops },
          { principal: 'qa@example.com', roles: ['approver'], token: T.qa },
          { principal: 'dev@example.com', roles: ['requester'], token: T.dev },
        ],
      };
    },
  });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A hotfix whose first build Jenkins refuses to start (403): it needs a person. */
async function needingAttention(title: string) {
  // Twice: the client asks for a fresh crumb and tries once more before it believes a 403.
  h.jenkins.failNext({ match: (m, p) => m === 'POST' && p.startsWith(`${buildPath(JOBS.build)}build`), mode: 403, count: 2 });
  const created = await h.createHotfix({ title });
  return h.waitForState(created.id, 'needs_attention');
}

async function signIn(url: string, token: string) {
  const context = await browser.newContext(VIEWPORTS.desktop);
  const watched = await watchedPage(context);
  await watched.page.goto(url);
  await watched.page.fill('#credential', token);
  await Promise.all([watched.page.waitForURL((u) => !u.pathname.startsWith('/console/sign-in'), { timeout: 5000 }), watched.page.click('button[type=submit]')]).catch(async (err: unknown) => {
    throw new Error(`sign-in did not leave the page: ${watched.page.url()}\n${await visibleText(watched.page)}\n${watched.problems.join('\n')}`, { cause: err });
  });
  return { context, ...watched };
}

describe('web console', () => {
  it('sign in, see the list, open a hotfix, retry it behind a confirmation, and watch the state change arrive live', async () => {
    const stuck = await needingAttention('Console retry');
    const context = await browser.newContext(VIEWPORTS.desktop);
    const { page, problems } = await watchedPage(context);

    // Nothing is readable without signing in: the console sends the browser to its sign-in page.
    await page.goto(`${h.url}/`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    await page.fill('#credential', 'not-a-token-of-this-service');
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=alert]');
    expect(await visibleText(page)).toContain('That credential is not valid here');
    await page.fill('#credential', T.ops);
    await Promise.all([page.waitForURL(`${h.url}/console`), page.click('button[type=submit]')]);

    const list = await visibleText(page);
    expect(list).toContain('Hotfixes in flight');
    expect(list).toContain('ops@example.com (operator)');
    expect(list).toContain(stuck.id);
    expect(list).toMatch(/Waits for: A person: .*403/);

    await Promise.all([page.waitForURL(`${h.url}/console/hotfixes/${stuck.id}`), page.click(`a[href="/console/hotfixes/${stuck.id}"]`)]);
    expect(await visibleText(page)).toContain('needs attention');
    // The page's own document object survives the live update: no reload happens.
    await page.evaluate('window.keptAcrossUpdates = 42');
    await Promise.all([page.waitForURL(`${h.url}/console/hotfixes/${stuck.id}/retry`), page.click('a.btn:has-text("Retry…")')]);
    expect(await visibleText(page)).toContain('Do this once the cause named above is fixed');
    await Promise.all([page.waitForURL(`${h.url}/console/hotfixes/${stuck.id}?done=retry`), page.click('button:has-text("Retry")')]);
    expect(await visibleText(page)).toContain('Done: retry asked by you.');
    await page.evaluate('window.keptAcrossUpdates = 42');

    // Jenkins now builds; QA comes up; the page shows it without being reloaded.
    await page.waitForSelector('h1 .state.awaiting_approval', { timeout: 20_000 });
    expect(await page.evaluate('window.keptAcrossUpdates')).toBe(42);
    const after = await h.get(stuck.id);
    expect(after.events.some((e) => e.type === 'state' && e.actor === 'ops@example.com' && e.from === 'needs_attention')).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('an approver promotes from the console; a requester sees no such button; works at phone width', async () => {
    const created = await h.createHotfix({ title: 'Console promote' });
    const inQa = await h.waitForState(created.id, 'awaiting_approval');

    const dev = await signIn(`${h.url}/console/hotfixes/${inQa.id}`, T.dev);
    expect(new URL(dev.page.url()).pathname).toBe(`/console/hotfixes/${inQa.id}`);
    const devText = await visibleText(dev.page);
    expect(devText).toContain('Waits for: Approval from approvers (0 of 1) after testing QA.');
    expect(devText).toContain('Cancel…');
    expect(devText).not.toContain('Promote…');
    await dev.context.close();

    const context = await browser.newContext(VIEWPORTS.phone);
    const { page, problems } = await watchedPage(context);
    await page.goto(`${h.url}/console/hotfixes/${inQa.id}`);
    await page.fill('#credential', T.qa);
    await Promise.all([page.waitForURL(`${h.url}/console/hotfixes/${inQa.id}`), page.click('button[type=submit]')]);
    // Nothing wider than the phone's screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await Promise.all([page.waitForURL(`${h.url}/console/hotfixes/${inQa.id}/promote`), page.click('a.btn:has-text("Promote…")')]);
    await page.fill('#reason', 'Checked on QA: totals right');
    await Promise.all([page.waitForURL(`${h.url}/console/hotfixes/${inQa.id}?done=promote`), page.click('button:has-text("Promote")')]);
    await page.waitForSelector('h1 .state.awaiting_backmerge', { timeout: 20_000 });
    const done = await h.get(inQa.id);
    expect(done.approvals).toEqual([expect.objectContaining({ actor: 'qa@example.com', decision: 'promote', via: 'console', comment: 'Checked on QA: totals right' })]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('refuses forms without the session’s CSRF token or from another origin, and answers nothing without a session', async () => {
    const stuck = await needingAttention('Console CSRF');
    const signin = await fetch(`${h.url}/console/sign-in`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ credential: T.ops }).toString() });
    expect(signin.status).toBe(303);
    const setCookie = signin.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^hotfix_console=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/console; Expires=.*; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0] ?? '';

    const confirm = await fetch(`${h.url}/console/hotfixes/${stuck.id}/retry`, { headers: { cookie } });
    expect(confirm.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(confirm.headers.get('content-security-policy')).toContain("default-src 'none'");
    const csrf = /name="csrf" value="([^"]+)"/.exec(await confirm.text())?.[1] ?? '';
    expect(csrf).not.toBe('');
    const post = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${h.url}/console/hotfixes/${stuck.id}/retry`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString() });
    expect((await post({})).status).toBe(403);
    expect((await post({ csrf: `${csrf}x` })).status).toBe(403);
    expect((await post({ csrf }, { origin: 'https://evil.example.com' })).status).toBe(403);
    expect((await h.get(stuck.id)).state).toBe('needs_attention');

    expect((await fetch(`${h.url}/console/live`)).status).toBe(401);
    expect((await fetch(`${h.url}/console/live`, { headers: { cookie: 'hotfix_console=forged-session-id' } })).status).toBe(401);
    const anonymous = await fetch(`${h.url}/console/hotfixes/${stuck.id}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/console/sign-in?next=${encodeURIComponent(`/console/hotfixes/${stuck.id}`)}`);
    expect((await fetch(`${h.url}/console/live`, { headers: { cookie } })).status).toBe(200);

    const done = await post({ csrf });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/console/hotfixes/${stuck.id}?done=retry`);
    await h.waitForState(stuck.id, 'awaiting_approval', 20_000);
  }, 60_000);

  it('a session made from a token that is no longer configured ends at its next request', async () => {
    const redis = redisConnection(h.config.redis, { lazyConnect: true });
    await redis.connect();
    try {
      const sessions = createRedisSessionStore(redis, h.config.redis.prefix);
      const session = (credential: string) =>
        sessions.create({ principal: { name: 'ops@example.com', roles: ['operator'], via: 'token' }, credential: createHash('sha256').update(credential).digest('hex'), createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() });
      const current = await session(T.ops);
      expect((await fetch(`${h.url}/console/live`, { headers: { cookie: `hotfix_console=${current}` } })).status).toBe(200);
      const rotatedOut = await session('a-token-since-removed-from-the-config');
      expect((await fetch(`${h.url}/console/live`, { headers: { cookie: `hotfix_console=${rotatedOut}` } })).status).toBe(401);
      expect(await sessions.get(rotatedOut)).toBeNull();
    } finally {
      await redis.quit();
    }
  });
});
