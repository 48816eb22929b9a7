// Drive one hotfix from request to completed as its users would (retrying a call when the
// API is restarting), then count every side effect it caused in the outside world.

import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { actionLinks, openAction, submitAction } from '../helpers/actions.js';
import type { Cluster, ServiceUnderTest } from './cluster.js';

export async function requestHotfix(c: Cluster, service: ServiceUnderTest, title: string): Promise<string> {
  const fix = service.origin.fix(title);
  const key = randomBytes(8).toString('hex');
  for (let attempt = 0; attempt < 300; attempt++) {
    const res = await c.call('POST', '/api/v1/hotfixes', { service: service.name, title, requestedBy: 'dev@example.com', commits: [fix] }, { 'idempotency-key': key });
    if (res.status === 201) return (res.body as HotfixView).id;
    // 409: the first attempt died half-way and the recovery job is finishing it; ask again.
    if (res.status !== 409 && res.status !== 503) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('create never succeeded');
}

/** QA's part: open the promote link from the newest QA email for this cycle and confirm. */
export async function promoteFromEmail(c: Cluster, h: HotfixView): Promise<void> {
  const mail = await c.smtp.waitFor((m) => (m.parsed.subject?.includes(h.id) ?? false) && (m.parsed.text ?? '').includes(`Build:       #${h.qa?.build}`), 30_000);
  const link = actionLinks(mail.parsed.text ?? '').promote;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const page = await openAction(link);
      if (page.status !== 200) return; // already decided (a retry after the API restarted)
      const done = await submitAction(link, page);
      if (done.status === 200 || done.status === 409) return;
      throw new Error(`promote page answered ${done.status}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('promote page')) throw err;
      await new Promise((r) => setTimeout(r, 100)); // the API is restarting
    }
  }
}

export async function mergeBackmerge(service: ServiceUnderTest, id: string): Promise<void> {
  const o = service.origin;
  o.git(['fetch', '--quiet', 'origin']);
  o.git(['checkout', '--quiet', '-B', 'develop', 'origin/develop']);
  o.git(['merge', '--quiet', '--no-ff', '-m', `Merge back-merge of ${id}`, `origin/backmerge/${id}`]);
  o.git(['push', '--quiet', 'origin', 'develop']);
}

export async function runToCompletion(c: Cluster, service: ServiceUnderTest, title: string): Promise<HotfixView> {
  const id = await requestHotfix(c, service, title);
  for (;;) {
    const h = await c.waitFor(id, (x) => x.state === 'awaiting_approval' || x.state === 'awaiting_backmerge', 'reach QA or production');
    if (h.state === 'awaiting_backmerge') break;
    await promoteFromEmail(c, h);
    await c.waitFor(id, (x) => x.state !== 'awaiting_approval', 'leave QA');
  }
  await mergeBackmerge(service, id);
  const done = await c.waitFor(id, (x) => x.state === 'completed', 'complete');
  await slackCaughtUp(c, done);
  return done;
}

function slackKey(metadata: unknown): string | undefined {
  const m = metadata as { event_payload?: { key?: unknown } } | undefined;
  return typeof m?.event_payload?.key === 'string' ? m.event_payload.key : undefined;
}

function count<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of items) out.set(key(i), (out.get(key(i)) ?? 0) + 1);
  return out;
}

const SLACK_EVENTS = ['thread', 'qa-ready', 'promoted', 'deployed', 'backmerge', 'completed'];

/** Notifications do not hold a hotfix up, so they may trail it: wait for each to arrive. */
export async function slackCaughtUp(c: Cluster, h: HotfixView): Promise<void> {
  for (const event of SLACK_EVENTS) {
    await c.slack.waitForMessage((m) => (slackKey(m.metadata)?.startsWith(`${h.id}:`) ?? false) && (slackKey(m.metadata)?.includes(event) ?? false), 15_000);
  }
}

/** Every side effect of a clean lifecycle happened exactly once (an email resend is marked as one). */
export function assertExactlyOnce(c: Cluster, service: ServiceUnderTest, h: HotfixView): void {
  const triggers = c.jenkins.triggers.filter((t) => t.params.HOTFIX_ID === h.id && !t.merged);
  const byStage = count(triggers, (t) => t.params.STAGE ?? '?');
  expect(Object.fromEntries(byStage), 'Jenkins triggers per stage').toEqual({ build: h.builds.length, 'qa-up': h.qa?.cycle ?? 0, 'qa-down': h.qa?.cycle ?? 0, deploy: 1 });
  expect(h.deploys).toHaveLength(1);

  const tags = service.origin.git(['for-each-ref', '--format=%(refname:strip=2)%09%(contents:subject)', 'refs/tags']).split('\n').filter((l) => l.includes(`Hotfix ${h.id}:`));
  service.origin.git(['fetch', '--quiet', '--tags', 'origin']);
  const remoteTags = service.origin.git(['ls-remote', '--tags', 'origin']).split('\n').filter((l) => !l.endsWith('^{}'));
  const ours = remoteTags.filter((l) => h.tags.some((t) => l.endsWith(`refs/tags/${t}`)));
  expect(ours, 'tags on the origin').toHaveLength(2);
  expect(tags.length).toBeLessThanOrEqual(2);
  const merges = service.origin.git(['log', '--format=%s', 'origin/master']).split('\n').filter((s) => s.startsWith(`Merge hotfix ${h.id}:`));
  expect(merges, 'merge commits on master').toHaveLength(1);
  expect(c.github.pulls.filter((p) => p.head === `backmerge/${h.id}`), 'back-merge pull requests').toHaveLength(1);

  const mails = c.smtp.messages.filter((m) => m.parsed.subject?.includes(h.id) && m.parsed.subject.includes('ready for QA'));
  const firstSends = mails.filter((m) => !m.parsed.subject?.startsWith('[resent]'));
  expect(firstSends, 'QA emails (not marked as resends)').toHaveLength(h.qa?.cycle ?? 1);
  expect(mails.length - firstSends.length, 'resends').toBeLessThanOrEqual(1);

  const keys = count(c.slack.messages.filter((m) => slackKey(m.metadata)?.startsWith(`${h.id}:`)), (m) => slackKey(m.metadata) ?? '?');
  for (const [key, n] of keys) expect(n, `Slack messages for ${key}`).toBe(1);
  for (const event of SLACK_EVENTS) {
    expect([...keys.keys()].some((k) => k.includes(event)), `a Slack message for ${event}`).toBe(true);
  }
}

export interface CrashPoint {
  /** `either`: armed in the API and the worker, for work whichever of them records last schedules. */
  role: 'api' | 'worker' | 'either';
  /** A HOTFIX_CHAOS point (see chaos.ts). */
  point: string;
  /** Crash there this many times in a row (the restarted process crashes at the same point); default 1. */
  times?: number;
}

/**
 * Arm one crash point, drive a hotfix to completion through it (the supervisor restarts the
 * process it killed), and check the point was reached exactly once and nothing happened twice.
 */
export async function finishesThroughCrash(c: Cluster, crash: CrashPoint, title: string): Promise<HotfixView> {
  const targets = () => (crash.role === 'api' ? [c.api] : crash.role === 'worker' ? [c.workers[0]] : [c.api, c.workers[0]]);
  const crashes = () => (crash.role === 'either' ? c.crashes.api + c.crashes.worker : c.crashes[crash.role]);
  const times = crash.times ?? 1;
  for (const target of targets()) {
    if (!target) throw new Error('no process');
    await c.restart(target, crash.point, times);
  }
  const before = crashes();
  const service = c.services[0];
  if (!service) throw new Error('no service');
  const h = await runToCompletion(c, service, title);
  expect(crashes() - before, `a process crashed at ${crash.point}`).toBe(times);
  assertExactlyOnce(c, service, h);
  // The process that did not crash still has the point armed: disarm it for the next case.
  if (crash.role === 'either') for (const target of targets()) if (target) await c.restart(target);
  return h;
}
