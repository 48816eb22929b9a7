// The tag scheme teams already use (README "Tags"), on real processes, a real origin and the
// real Jenkins client: two hotfixes on one base go to production, the second is rolled back,
// and the worker is killed right after each kind of tag reached the origin. Afterwards the
// origin holds exactly the scheme's tags, every one annotated, none made twice.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { startCluster, type Cluster, type ServiceUnderTest } from './cluster.js';
import { runToCompletion } from './lifecycle.js';

const SEED = {
  production: '{version}-production-{timestamp}',
  release: 'v{base}-hotfix.{n}',
  environment: '{version}-{env}-{timestamp}',
  rollback: '{version}-rollback-{reason}',
};
/** What production ran before the service's first hotfix, named as the scheme names it. */
const FIRST_PRODUCTION = 'v1.4.2-production-20261101T120000Z';
const TS = '\\d{8}T\\d{6}Z';

let c: Cluster;
let svc: ServiceUnderTest;
let before: Set<string>;

beforeAll(async () => {
  c = await startCluster({ service: (s) => (s.tags = SEED) });
  const first = c.services[0];
  if (!first) throw new Error('no service');
  svc = first;
  svc.origin.tag(FIRST_PRODUCTION, 'master', 'v1.4.2 in production');
  before = new Set(originTags());
}, 60_000);
afterAll(async () => {
  await c?.close();
});

function originTags(): string[] {
  return svc.origin.git(['ls-remote', '--tags', 'origin']).split('\n').filter((l) => l && !l.endsWith('^{}')).map((l) => l.replace(/^.*refs\/tags\//, ''));
}
function newTags(): string[] {
  return originTags().filter((t) => !before.has(t)).sort();
}
/** `tag` for an annotated tag object; `commit` for a lightweight one. */
function objectType(tag: string): string {
  return svc.origin.git(['cat-file', '-t', `refs/tags/${tag}`], `${svc.origin.dir}/origin.git`);
}
function commitOf(tag: string): string {
  return svc.origin.remoteRev(`refs/tags/${tag}`) ?? '';
}
function worker() {
  const w = c.workers[0];
  if (!w) throw new Error('no worker');
  return w;
}

describe('the tag scheme v{base}-hotfix.{n}, environment and rollback tags', () => {
  let one: HotfixView;
  let two: HotfixView;

  it('two hotfixes on v1.4.2 are v1.4.2-hotfix.1 and -hotfix.2, with QA and production tags — through a crash after each tag', async () => {
    // The worker dies right after the QA tag, and after the release push (the production and
    // release tags, the merge and the back-merge branch in one).
    await c.restart(worker(), ['after:git.ensureTag:qa', 'after:git.publish:release']);
    const crashed = c.crashes.worker;
    one = await runToCompletion(c, svc, 'Fix rounding of refunds');
    expect(c.crashes.worker - crashed).toBe(2);
    two = await runToCompletion(c, svc, 'Fix currency of fees');

    expect(one.baseTag).toBe(FIRST_PRODUCTION);
    expect(two.baseTag).toMatch(new RegExp(`^v1\\.4\\.2-hotfix\\.1-production-${TS}$`));
    const tags = newTags();
    expect(tags).toHaveLength(6);
    for (const [n, h] of [[1, one], [2, two]] as const) {
      const ours = tags.filter((t) => t.startsWith(`v1.4.2-hotfix.${n}`));
      expect(ours.map((t) => t.replace(new RegExp(TS), '<ts>')).sort()).toEqual([`v1.4.2-hotfix.${n}`, `v1.4.2-hotfix.${n}-production-<ts>`, `v1.4.2-hotfix.${n}-qa-<ts>`]);
      expect([...h.tags].sort()).toEqual(ours);
      for (const t of ours) expect(objectType(t), t).toBe('tag');
      const production = ours.find((t) => t.includes('-production-')) ?? '';
      expect(commitOf(production)).toBe(commitOf(`v1.4.2-hotfix.${n}`));
      expect(commitOf(ours.find((t) => t.includes('-qa-')) ?? '')).toBe(h.builds.at(-1)?.commit);
    }
    // The production tag names the rollback point and who approved; the QA tag what QA saw.
    const production2 = tags.find((t) => t.startsWith('v1.4.2-hotfix.2-production-')) ?? '';
    const message = svc.origin.tagMessage(production2);
    expect(message).toContain(`Rollback point: ${two.baseTag ?? '?'}`);
    expect(message).toMatch(/Approved by:\n {2}- qa@example\.com/);
    expect(two.deploys[0]?.replaces).toBe(two.baseTag);
    expect(svc.origin.tagMessage(tags.find((t) => t.startsWith('v1.4.2-hotfix.1-qa-')) ?? '')).toContain(`Environment: ${one.qa?.env ?? '?'}`);
  }, 240_000);

  it('rolling back -hotfix.2 lands -hotfix.1 in production again and marks the rollback — through a crash after each tag', async () => {
    await c.restart(worker(), ['after:git.ensureTag:production', 'after:git.ensureTag:rollback']);
    const crashed = c.crashes.worker;
    const res = await c.call('POST', `/api/v1/hotfixes/${two.id}/rollback`, { reason: 'Checkout errors spiked' });
    expect(res.status).toBe(202);
    const back = await c.waitFor(two.id, (x) => x.state === 'rolled_back' && Boolean(x.rollback?.marker), 'roll back and tag it', 120_000);
    expect(c.crashes.worker - crashed).toBe(2);

    const added = newTags().filter((t) => !one.tags.includes(t) && !two.tags.includes(t));
    expect(added.map((t) => t.replace(new RegExp(TS), '<ts>')).sort()).toEqual(['v1.4.2-hotfix.1-production-<ts>', 'v1.4.2-hotfix.2-rollback-checkout-errors-spiked']);
    const marker = 'v1.4.2-hotfix.2-rollback-checkout-errors-spiked';
    const landed = added.find((t) => t.includes('-production-')) ?? '';
    for (const t of added) {
      expect(objectType(t), t).toBe('tag');
      expect(commitOf(t), t).toBe(commitOf('v1.4.2-hotfix.1'));
    }
    expect(back.rollback).toMatchObject({ tag: landed, marker });
    const note = svc.origin.tagMessage(marker);
    expect(note).toContain('Rollback of hotfix');
    expect(note).toContain('Checkout errors spiked');
    expect(note).toContain(`From: ${two.tags.find((t) => t.includes('-production-')) ?? '?'}`);
    expect(note).toContain('Requested by: api');

    // The next hotfix starts from what production runs now, and takes the next number on v1.4.2.
    const three = await runToCompletion(c, svc, 'Fix the fix');
    expect(three.baseTag).toBe(landed);
    expect(three.tags.find((t) => !t.includes('-'))).toBeUndefined();
    expect(three.tags).toContain('v1.4.2-hotfix.3');

    // Slack says from which version to which, why, who, and how long production was affected.
    const said = await c.slack.waitForMessage((m) => (m.text ?? '').includes(two.id) && /rolled back/i.test(m.text ?? ''), 20_000);
    const from = two.tags.find((t) => t.includes('-production-')) ?? '?';
    const to = one.tags.find((t) => t.includes('-production-')) ?? '?';
    expect(said.text).toContain(`rolled back from ${from} to ${to}`);
    expect(said.text).toContain('by api. Reason: Checkout errors spiked.');
    expect(said.text).toMatch(/Production was affected for \d+ (s|min)\./);
  }, 240_000);
});
