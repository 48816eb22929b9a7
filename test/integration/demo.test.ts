// `npm run demo`, driven the way a person would: wait for the QA email, check QA really serves
// the fixed app while production still serves the old one, click the promote link found on
// the inbox page, confirm the form, watch production change, merge the back-merge pull
// request, and check that stopping leaves nothing behind.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { BROKEN_TOTAL, FIXED_TOTAL } from '../../src/sandbox/demo/first-hotfix.js';
import { startDemo, type RunningDemo } from '../../src/sandbox/demo/start-demo.js';
import { DEMO_BUSINESS, DEMO_LEAD, QA_RECIPIENT } from '../../src/sandbox/demo/config.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';

let demo: RunningDemo | undefined;
const lines: string[] = [];

beforeAll(async () => {
  // No redisUrl: the demo starts its own redis-server, as `npm run demo` does on a clean machine.
  demo = await startDemo({ port: 0, say: (line) => lines.push(line) });
}, 60_000);
afterAll(async () => {
  await demo?.stop();
});

function running(): RunningDemo {
  if (!demo) throw new Error('the demo did not start');
  return demo;
}

async function hotfix(id: string): Promise<HotfixView> {
  const d = running();
  const res = await fetch(`${d.urls.service}/api/v1/hotfixes/${id}`, { headers: { authorization: `Bearer ${d.apiToken}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as HotfixView;
}

async function waitForState(id: string, state: string, timeoutMs = 20_000): Promise<HotfixView> {
  const deadline = Date.now() + timeoutMs;
  let last: HotfixView | undefined;
  while (Date.now() < deadline) {
    last = await hotfix(id);
    if (last.state === state) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${id} did not reach ${state}; it is ${last?.state}\n${JSON.stringify(last?.attention)}\n${lines.join('\n')}`);
}

async function page(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

/** The number inside `<span id="…">` of the sample app's page. */
function shown(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];
}

/** The inbox's "what now?" sentence. */
function banner(html: string): string {
  return /<p class="next" id="next">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
}

function refuses(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  it('takes the first hotfix from the email link to production, master and the back-merge, and stops cleanly', async () => {
    const d = running();
    const id = d.firstHotfixId;
    const inQa = await waitForState(id, 'awaiting_approval');
    const qaUrl = inQa.qa?.url;
    expect(qaUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    // QA runs the fixed build; production still runs the first release.
    const qa = await page(qaUrl ?? '');
    expect(shown(qa, 'total')).toBe(FIXED_TOTAL);
    expect(shown(qa, 'version')).toBe(inQa.builds.at(-1)?.artifact?.version);
    const before = await page(d.urls.production);
    expect(shown(before, 'total')).toBe(BROKEN_TOTAL);
    expect(shown(before, 'version')).toBe('1.0.0');
    // The artifact URL the build reported really downloads.
    const artifact = await fetch(inQa.builds.at(-1)?.artifact?.url ?? '');
    expect(artifact.status).toBe(200);
    expect((await artifact.arrayBuffer()).byteLength).toBeGreaterThan(100);

    // The inbox lists each approver's email with its promote link, pointing at the service's
    // action page; QA is told for information. A tech lead and a business owner must approve.
    for (const who of [DEMO_LEAD, DEMO_BUSINESS, QA_RECIPIENT]) await d.sims.smtp.waitFor((m) => (m.parsed.subject?.includes(id) ?? false) && m.envelope.to.includes(who), 10_000);
    const inbox = await page(d.urls.inbox);
    expect(inbox).toContain('http-equiv="refresh"');
    // The banner reads both pages as they are now.
    expect(banner(inbox)).toContain(`(its total reads ${FIXED_TOTAL})`);
    expect(banner(inbox)).toContain(`(its total reads ${BROKEN_TOTAL})`);
    expect(inbox).toContain(`[${id}]`);
    expect(inbox).toContain('the tech lead and the business owner');
    const promoteOf = (to: string) => actionLinks(d.sims.smtp.messages.find((m) => (m.parsed.subject?.includes(id) ?? false) && m.envelope.to.includes(to))?.parsed.text ?? '').promote;
    expect(promoteOf(DEMO_LEAD).startsWith(`${d.urls.service}/actions/`)).toBe(true);
    expect(d.sims.smtp.messages.find((m) => m.envelope.to.includes(QA_RECIPIENT))?.parsed.text).toContain('told for information');

    // Like a browser: open the page (nothing changes), then send its form — the lead first.
    const leadLink = promoteOf(DEMO_LEAD);
    const form = await openAction(leadLink);
    expect(form.status).toBe(200);
    expect(form.fields.decision).toBe('promote');
    const recorded = await submitAction(leadLink, form, { comment: 'The total reads €3.30 on QA' });
    expect(recorded.status).toBe(200);
    expect(recorded.html).toContain('Approval recorded');
    expect(recorded.html).toContain('business: waiting');
    expect(await page(d.urls.inbox)).toContain('the business owner (the lead has approved)');
    // The business owner clicks Promote in the hotfix's Slack thread, from the inbox: the Slack
    // simulator sends the service the signed click, and the message then says who promoted.
    const withButtons = await page(d.urls.inbox);
    const form2 = /<form method="post" action="\/slack\/click"[^>]*><input type="hidden" name="channel" value="([^"]+)"><input type="hidden" name="ts" value="([^"]+)">/.exec(withButtons);
    expect(form2, 'the Slack thread shows the buttons').not.toBeNull();
    const clicked = await fetch(`${d.urls.inbox}slack/click`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel: form2?.[1] ?? '', ts: form2?.[2] ?? '', user: 'U0OWNER', action: 'hotfix_promote' }).toString(),
    });
    expect(clicked.status, await clicked.text()).toBe(303);

    const shipped = await waitForState(id, 'awaiting_backmerge');
    expect(shipped.approvals.find((a) => a.via === 'slack')).toMatchObject({ actor: DEMO_BUSINESS, decision: 'promote' });
    expect(await page(d.urls.inbox)).toMatch(/Promoted by Olu \(business owner\) \(owner@finance.example.com\) at \d\d:\d\d UTC — deploying build #\d+/);
    expect(shipped.tags).toEqual(['prod-2', 'v1.0.1']);
    const after = await page(d.urls.production);
    expect(shown(after, 'total')).toBe(FIXED_TOTAL);
    expect(shown(after, 'version')).toBe('1.0.1');
    expect(await refuses(qaUrl ?? '')).toBe(true);
    // master on the origin now contains the deployed commit.
    const bare = join(d.dir, 'origin', 'origin.git');
    const deployed = shipped.deploys.at(-1)?.commit ?? '';
    expect(() => execFileSync('git', ['merge-base', '--is-ancestor', deployed, 'refs/heads/master'], { cwd: bare })).not.toThrow();
    const pulls = d.sims.github.pulls;
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ head: `backmerge/${id}`, base: 'develop', state: 'open' });
    expect(d.sims.slack.messages.some((m) => m.text?.includes('back-merge to develop is ready'))).toBe(true);

    // The person merges the back-merge from the inbox; the service notices develop has it.
    const merged = await fetch(`${d.urls.inbox}pulls/${pulls[0]?.number}/merge`, { method: 'POST', redirect: 'manual' });
    expect(merged.status).toBe(303);
    await waitForState(id, 'completed');

    // A second hotfix, asked for without a commit: the banner reads production as it is now
    // (fixed), and the email says plainly that this build changes nothing.
    const second = await fetch(`${d.urls.service}/api/v1/hotfixes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: inQa.service, title: 'Nothing in it yet', requestedBy: 'dev@example.com' }),
    });
    expect(second.status).toBe(201);
    const secondId = ((await second.json()) as HotfixView).id;
    await waitForState(secondId, 'awaiting_approval');
    const mail = await d.sims.smtp.waitFor((m) => (m.parsed.subject?.includes(secondId) ?? false) && m.envelope.to.includes(DEMO_LEAD), 10_000);
    expect(mail.parsed.text).toContain('NO CHANGE: This build contains no change from production');
    const now = banner(await page(d.urls.inbox));
    expect(now).toContain(secondId);
    expect(now).not.toContain(BROKEN_TOTAL);
    expect(now.match(new RegExp(`\\(its total reads ${FIXED_TOTAL.replace('.', '\\.')}\\)`, 'g'))).toHaveLength(2);

    // Stopping leaves no process, port or directory behind.
    const pids = d.processes();
    expect(pids.length).toBeGreaterThanOrEqual(2); // Redis and production
    const urls = [d.urls.inbox, d.urls.service, d.urls.production, d.urls.jenkins, d.urls.redis.replace('redis:', 'http:'), d.sims.github.url, d.sims.slack.url, d.sims.smtp.url.replace('smtp:', 'http:')];
    await d.stop();
    for (const pid of pids) expect(alive(pid), `process ${pid}`).toBe(false);
    for (const url of urls) expect(await refuses(url), url).toBe(true);
    expect(existsSync(d.dir)).toBe(false);
  });
});
