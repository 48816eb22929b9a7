// The way from a promotion to the production deploy: QA teardown and the deploy slot with the
// stale-base check run side by side; one deploy per service at a time, the next hotfix waiting
// in view; and a QA teardown that never ends does not hold production (or the slot) forever.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { contractPipeline } from '../../src/sandbox/index.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
const DEADLINE_SECONDS = 6;

beforeAll(async () => {
  h = await startHarness({ pollIntervalSeconds: 1, deployTimeoutMinutes: DEADLINE_SECONDS / 60 });
});
afterAll(async () => {
  await h?.close();
});
afterEach(() => {
  h.jenkins.defineJob(JOBS.qaDown, contractPipeline({ durationMs: 5 }));
});

// Builds of the production tag itself: the second's base stays current once the first lands,
// so what is seen is the slot alone (a real fix would make the second rebuild on the new tag).
const promote = async (id: string) => expect((await h.api('POST', `/api/v1/hotfixes/${id}/promote`, { actor: 'qa@example.com', confirmNoChange: true })).status).toBe(202);
const toQa = async (title: string): Promise<HotfixView> => h.waitForState((await h.createHotfix({ title, commits: [] })).id, 'awaiting_approval');
const said = (x: HotfixView, text: string) => x.events.some((e) => e.message?.includes(text));

/** Two hotfixes in QA whose teardowns wait for the test to finish them (or for the deadline). */
async function twoInQaWithTeardownByHand(first: string, second: string): Promise<[HotfixView, HotfixView]> {
  await h.settleAll();
  h.jenkins.defineJob(JOBS.qaDown, 'manual');
  return [await toQa(first), await toQa(second)];
}

async function finishTeardown(id: string): Promise<void> {
  const build = await h.jenkins.waitForBuildStart((b) => b.job === JOBS.qaDown && b.params.HOTFIX_ID === id);
  await h.jenkins.finish(JOBS.qaDown, build.number, 'SUCCESS');
}

describe('from promotion to the production deploy', () => {
  it('checks the base while QA goes down; the next hotfix of the service waits in view, then goes', async () => {
    const [first, second] = await twoInQaWithTeardownByHand('Slot first', 'Slot second');

    await promote(first.id);
    // The slot and the stale-base check are done before QA is down, not after it.
    const checked = await h.waitFor(first.id, (x) => x.promotion?.base != null, 'base checked');
    expect(checked.promotion?.base).toMatchObject({ current: true, newestTag: first.baseTag });
    expect(checked.qa?.status).toBe('tearing_down');
    expect(said(checked, 'holding the payments deploy slot')).toBe(true);

    await promote(second.id);
    const waiting = await h.waitFor(second.id, (x) => x.promotion?.waitingFor === first.id, 'wait for the slot');
    expect(said(waiting, `waiting: ${first.id} is deploying payments`)).toBe(true);
    expect(waiting.promotion?.base).toBeNull();

    await finishTeardown(first.id);
    const firstDone = await h.waitForState(first.id, 'awaiting_backmerge');
    // The second gets the slot once the first is tagged; production is now the first's tag.
    const secondChecked = await h.waitFor(second.id, (x) => x.promotion?.base != null, 'second base checked');
    expect(secondChecked.promotion?.base).toMatchObject({ current: true, newestTag: firstDone.tags.find((t) => t.startsWith('prod-')) });
    expect(secondChecked.deploys).toHaveLength(0);

    await finishTeardown(second.id);
    const secondDone = await h.waitForState(second.id, 'awaiting_backmerge');
    const [a, b] = [firstDone.deploys[0], secondDone.deploys[0]];
    expect(Date.parse(b?.requestedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(a?.finishedAt ?? 'x'));
  });

  it('a QA teardown with no result by the deadline is given up: production goes ahead, the slot is let go', async () => {
    const [hung, next] = await twoInQaWithTeardownByHand('Teardown hangs', 'After the hung teardown');
    await promote(hung.id);
    await promote(next.id);
    const done = await h.waitForState(hung.id, 'awaiting_backmerge', (DEADLINE_SECONDS + 15) * 1000);
    expect(done.qa?.status).toBe('failed');
    expect(said(done, `no result within ${DEADLINE_SECONDS} seconds`)).toBe(true);
    expect(done.deploys).toHaveLength(1);
    await h.waitForState(next.id, 'awaiting_backmerge', (DEADLINE_SECONDS + 15) * 1000);
  }, 60_000);
});
