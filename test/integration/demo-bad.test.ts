// `npm run demo -- --bad`: the first hotfix passes its tests and QA but breaks production's
// /health. A newcomer approves it and watches it deploy, fail its verification and roll back,
// production serving the previous version again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { DEMO_BUSINESS, DEMO_LEAD } from '../../src/sandbox/demo/config.js';
import { startDemo, type RunningDemo } from '../../src/sandbox/demo/start-demo.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';

let demo: RunningDemo | undefined;

beforeAll(async () => {
  demo = await startDemo({ port: 0, bad: true, say: () => undefined });
}, 60_000);
afterAll(async () => {
  await demo?.stop();
});

async function hotfix(d: RunningDemo, id: string): Promise<HotfixView> {
  const res = await fetch(`${d.urls.service}/api/v1/hotfixes/${id}`, { headers: { authorization: `Bearer ${d.apiToken}` } });
  return (await res.json()) as HotfixView;
}

async function until(d: RunningDemo, id: string, state: string, timeoutMs: number): Promise<HotfixView> {
  const deadline = Date.now() + timeoutMs;
  let last: HotfixView | undefined;
  while (Date.now() < deadline) {
    last = await hotfix(d, id);
    if (last.state === state) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${id} did not reach ${state}; it is ${last?.state}: ${JSON.stringify(last?.attention)}`);
}

describe('npm run demo -- --bad', () => {
  it('deploys the approved hotfix, fails its checks in production and rolls back to the previous version', async () => {
    const d = demo;
    if (!d) throw new Error('the demo did not start');
    const id = d.firstHotfixId;
    await until(d, id, 'awaiting_approval', 30_000);
    for (const who of [DEMO_LEAD, DEMO_BUSINESS]) {
      const mail = await d.sims.smtp.waitFor((m) => (m.parsed.subject?.includes(id) ?? false) && m.envelope.to.includes(who), 10_000);
      const link = actionLinks(mail.parsed.text ?? '').promote;
      expect((await submitAction(link, await openAction(link))).status).toBe(200);
    }
    await until(d, id, 'verifying', 20_000);
    expect((await fetch(`${d.urls.production}/health`)).status).toBe(503);
    const back = await until(d, id, 'rolled_back', 40_000);
    expect(back.attention?.reason).toContain('/health answered HTTP 503');
    const version = (await (await fetch(`${d.urls.production}/version`)).json()) as { version: string };
    expect(version.version).toBe('1.0.0');
    expect((await fetch(`${d.urls.production}/health`)).status).toBe(200);
    expect(back.tags.some((t) => t.startsWith('v'))).toBe(false);
    const inbox = await (await fetch(d.urls.inbox)).text();
    expect(inbox).toContain('failed its checks');
  }, 120_000);
});
