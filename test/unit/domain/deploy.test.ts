import { describe, expect, it } from 'vitest';
import { advance } from '../../../src/domain/advance.js';
import { baseChecked, deployRollback, inProduction, rebuildOnNewBase, requestDeploy, rollbackTarget, startRollback, waitForSlot } from '../../../src/domain/deploy.js';
import { completeEffect, type Context } from '../../../src/domain/record.js';
import { InvalidStateError } from '../../../src/domain/errors.js';
import type { Hotfix } from '../../../src/domain/hotfix.js';
import { published } from '../../../src/domain/finalize.js';
import { deployParameters } from '../../../src/domain/parameters.js';
import { abandonRun, applyReport } from '../../../src/domain/reports.js';
import {
  ARTIFACT_1,
  at,
  awaitingApproval,
  awaitingBackmerge,
  BUILD_1,
  COMMIT_1,
  ctx,
  deploying,
  deployQueued,
  DEPLOY_NUMBER,
  effect,
  finalizing,
  ID,
  must,
  POLICY,
  QA_DOWN_NUMBER,
  report,
  steps,
} from './builders.js';

const PREVIOUS = { tag: 'prod-41', commit: 'p'.repeat(40), artifact: { version: '1.4.2', url: 'https://artifacts.example.com/payments/1.4.2.tgz' } };
const ROLLBACK_NUMBER = 13;

function deployResult(h: Hotfix, status: 'SUCCESS' | 'FAILURE' | 'ABORTED' | 'UNSTABLE', number = DEPLOY_NUMBER, minute = 30): void {
  applyReport(h, report({ stage: 'deploy', number, status, commit: COMMIT_1 }), POLICY, ctx('jenkins', at(minute)));
}

/** An automatic rollback after a failed deploy, its deploy queued. */
function rollingBack(): Hotfix {
  const h = deployQueued();
  deployResult(h, 'FAILURE');
  deployRollback(h, PREVIOUS, POLICY, ctx('system', at(31)));
  return h;
}

const qaDown = (h: Hotfix, status: 'SUCCESS' | 'FAILURE' = 'SUCCESS', minute = 22): void => {
  applyReport(h, report({ stage: 'qa-down', number: QA_DOWN_NUMBER, status }), POLICY, ctx('jenkins', at(minute)));
};
const hotfixDeploys = (h: Hotfix) => h.deploys.filter((d) => d.kind === 'hotfix');
/** The QA teardown step asked Jenkins (its outbox entry done), then the record is advanced. */
const teardownAsked = (h: Hotfix, c: Context): void => {
  const teardown = effect(h, 'teardown-qa');
  if (teardown) completeEffect(h, teardown.id);
  advance(h, POLICY, c);
};

describe('on the way to production: QA teardown and the base check, side by side', () => {
  it('promotion asks for the teardown; the slot + base check follows once the teardown is asked of Jenkins', () => {
    const h = deploying();
    expect(effect(h, 'teardown-qa')).toBeDefined();
    expect(steps(h)).not.toContain('start-deploy');
    expect(h.promotion?.base).toBeNull();
    teardownAsked(h, ctx('qa', at(21)));
    teardownAsked(h, ctx('qa', at(21)));
    expect(h.outbox.filter((e) => e.step === 'start-deploy')).toEqual([expect.objectContaining({ args: { build: BUILD_1 } })]);
    // Not for a hotfix whose base is known already, nor one no longer being promoted.
    const checked = deploying();
    baseChecked(checked, { newestTag: 'prod-41', current: true }, POLICY, ctx('system', at(21)));
    teardownAsked(checked, ctx('qa', at(22)));
    expect(steps(checked)).not.toContain('start-deploy');
    const rejected = awaitingApproval();
    teardownAsked(rejected, ctx());
    expect(steps(rejected)).not.toContain('start-deploy');
  });

  it('QA down first, base checked second → one deploy of the approved build', () => {
    const h = deploying();
    qaDown(h);
    advance(h, POLICY, ctx('system', at(23)));
    expect(hotfixDeploys(h)).toHaveLength(0);
    baseChecked(h, { newestTag: 'prod-41', current: true }, POLICY, ctx('system', at(24)));
    baseChecked(h, { newestTag: 'prod-41', current: true }, POLICY, ctx('system', at(25)));
    advance(h, POLICY, ctx('system', at(26)));
    expect(hotfixDeploys(h)).toEqual([expect.objectContaining({ commit: COMMIT_1, artifact: ARTIFACT_1, seq: 1 })]);
    expect(h.promotion?.base).toEqual({ newestTag: 'prod-41', current: true, at: at(24).toISOString() });
    expect(h.events.some((e) => e.message?.includes('contains production') && e.message.includes('prod-41'))).toBe(true);
  });

  it('base checked first, QA down second → the deploy is asked for by the teardown report itself', () => {
    const h = deploying();
    baseChecked(h, { newestTag: 'prod-41', current: true }, POLICY, ctx('system', at(21)));
    expect(hotfixDeploys(h)).toHaveLength(0);
    qaDown(h);
    expect(hotfixDeploys(h)).toHaveLength(1);
    expect(h.outbox.map((e) => e.id)).toContain('trigger-run:deploy:1');
  });

  it('a failed teardown does not hold up the approved deploy', () => {
    const h = deploying();
    baseChecked(h, { newestTag: 'prod-41', current: true }, POLICY, ctx('system', at(21)));
    qaDown(h, 'FAILURE');
    expect(h.qa?.status).toBe('failed');
    expect(hotfixDeploys(h)).toHaveLength(1);
  });

  it('production moved on: the rebuild waits for QA to be gone, then starts once', () => {
    const h = deploying();
    baseChecked(h, { newestTag: 'prod-42', current: false }, POLICY, ctx('system', at(21)));
    expect(h.state).toBe('deploying');
    expect(h.builds).toHaveLength(1);
    qaDown(h);
    expect(h.state).toBe('building');
    expect(h.builds).toHaveLength(2);
    expect(hotfixDeploys(h)).toHaveLength(0);
    expect(h.events.some((e) => e.message?.includes('production moved to prod-42'))).toBe(true);
    advance(h, POLICY, ctx('system', at(23)));
    expect(h.builds).toHaveLength(2);
  });

  it('nothing is deployed for a hotfix that is not being promoted, or already deployed', () => {
    const rejected = awaitingApproval();
    baseChecked(rejected, { newestTag: 'prod-41', current: true }, POLICY, ctx());
    advance(rejected, POLICY, ctx());
    expect(rejected.deploys).toHaveLength(0);
    const h = deployQueued();
    advance(h, POLICY, ctx('system', at(40)));
    expect(hotfixDeploys(h)).toHaveLength(1);
  });

  it('an older record (no base field) taken over mid-way still deploys once checked', () => {
    const h = deploying();
    if (h.promotion) delete h.promotion.base;
    qaDown(h);
    baseChecked(h, { newestTag: null, current: true }, POLICY, ctx('system', at(23)));
    expect(hotfixDeploys(h)).toHaveLength(1);
  });
});

describe('the production deploy', () => {
  it('uses the approved commit and artifact, fixed before the trigger', () => {
    const h = deployQueued();
    const d = must(h.deploys[0]);
    expect(d).toMatchObject({ kind: 'hotfix', stage: 'deploy', seq: 1, job: 'payments-deploy', commit: COMMIT_1, artifact: ARTIFACT_1 });
    expect(d.commit).toBe(h.promotion?.commit);
    expect(d.artifact).toEqual(h.qa?.artifact);
    expect(h.outbox.map((e) => e.id)).toContain('trigger-run:deploy:1');
    const params = deployParameters({ hotfix: h, callbackUrl: 'https://hotfix.example.com/api/v1/jenkins/events' }, must(d.commit), must(d.artifact), d.kind);
    expect(params).toMatchObject({ COMMIT: COMMIT_1, ARTIFACT_VERSION: '1.4.3', ARTIFACT_URL: ARTIFACT_1.url, DEPLOY_KIND: 'hotfix' });
  });

  it('is refused unless the hotfix is being promoted', () => {
    expect(() => requestDeploy(awaitingApproval(), POLICY, ctx())).toThrow(InvalidStateError);
  });

  it('waiting for the slot is recorded once per holder and cleared when the deploy starts', () => {
    const h = deploying();
    waitForSlot(h, 'HF-2026-11-002', ctx('system', at(23)));
    waitForSlot(h, 'HF-2026-11-002', ctx('system', at(24)));
    expect(h.promotion?.waitingFor).toBe('HF-2026-11-002');
    expect(h.events.filter((e) => e.message?.includes('HF-2026-11-002'))).toHaveLength(1);
    expect(h.state).toBe('deploying');
    baseChecked(h, { newestTag: 'prod-41', current: true }, POLICY, ctx('system', at(30)));
    expect(h.promotion?.waitingFor).toBeNull();
  });

  it('SUCCESS → finalizing with a tag-production step', () => {
    const h = finalizing();
    expect(h.state).toBe('finalizing');
    expect(h.finalization).toEqual({ commit: COMMIT_1, productionTag: null, releaseTag: null, mergeCommit: null, backmergePushed: false });
    expect(effect(h, 'tag-production')?.args).toEqual({ seq: 1 });
    expect(inProduction(h)).toBe(true);
  });

  it.each(['FAILURE', 'ABORTED', 'UNSTABLE'] as const)('%s → an automatic rollback, nothing tagged or merged', (status) => {
    const h = deployQueued();
    deployResult(h, status);
    expect(h.rollback).toMatchObject({ automatic: true, target: null, tag: null });
    expect(h.rollback?.reason).toContain(status);
    expect(effect(h, 'start-rollback')?.args).toEqual({ n: 2 });
    expect(steps(h)).not.toContain('tag-production');
    expect(steps(h)).not.toContain('merge-production');
    expect(h.finalization).toBeNull();
    expect(inProduction(h)).toBe(false);
  });

  it('no result before the deadline → automatic rollback', () => {
    const h = deployQueued();
    abandonRun(h, 'deploy', 1, 'ABORTED', 'no result within 30 minutes', POLICY, ctx('jenkins-poll', at(60)));
    expect(h.rollback?.automatic).toBe(true);
    expect(steps(h)).toContain('start-rollback');
  });
});

describe('the rollback target', () => {
  const TEMPLATE = 'prod-{build}';

  it('is the tag the deploy replaced, even when the tag of its own deploy is on the origin before the record knows it', () => {
    // The deploy succeeded and tag-production pushed prod-42 at once; the verification failed
    // and the rollback read the origin's tags before tag-production recorded prod-42.
    const h = finalizing();
    expect(h.finalization?.productionTag ?? null).toBeNull();
    expect(rollbackTarget(h, TEMPLATE, ['prod-40', 'prod-41', 'prod-42'])).toEqual({ name: 'prod-41', build: 41 });
  });

  it('is the tag the deploy replaced once its own tag is recorded', () => {
    const h = finalizing();
    published(h, { production: 'prod-42' }, ctx('system', at(31)));
    expect(rollbackTarget(h, TEMPLATE, ['prod-40', 'prod-41', 'prod-42'])).toEqual({ name: 'prod-41', build: 41 });
  });

  it('without a recorded rollback point (older records), is read from the tags', () => {
    const h = finalizing();
    must(h.deploys[0]).replaces = undefined;
    expect(rollbackTarget(h, TEMPLATE, ['prod-40', 'prod-41'])).toEqual({ name: 'prod-41', build: 41 });
    published(h, { production: 'prod-42' }, ctx('system', at(31)));
    expect(rollbackTarget(h, TEMPLATE, ['prod-40', 'prod-41', 'prod-42'])).toEqual({ name: 'prod-41', build: 41 });
    expect(rollbackTarget(h, TEMPLATE, [])).toBeNull();
  });
});

describe('rollback', () => {
  it('deploys the previous production artifact as a rollback run', () => {
    const h = rollingBack();
    const d = must(h.deploys[1]);
    expect(d).toMatchObject({ kind: 'rollback', seq: 2, commit: PREVIOUS.commit, artifact: PREVIOUS.artifact });
    expect(h.rollback?.target).toEqual(PREVIOUS);
    expect(h.outbox.map((e) => e.id)).toContain('trigger-run:deploy:2');
  });

  it('SUCCESS → rolled_back, the running commit gets tagged, people are told', () => {
    const h = rollingBack();
    deployResult(h, 'SUCCESS', ROLLBACK_NUMBER, 40);
    expect(h.state).toBe('rolled_back');
    expect(effect(h, 'tag-rollback')?.args).toEqual({ seq: 2 });
    expect(steps(h)).toEqual(expect.arrayContaining(['notify-requester', 'notify-slack']));
    expect(steps(h)).not.toContain('tag-production');
  });

  it('a failed rollback → needs_attention saying production may run the failed artifact', () => {
    const h = rollingBack();
    deployResult(h, 'FAILURE', ROLLBACK_NUMBER, 40);
    expect(h.state).toBe('needs_attention');
    expect(h.attention?.reason).toMatch(/production may still run the failed artifact/);
    expect(h.outbox.some((e) => e.step === 'notify-slack' && e.args.event === 'rollback-failed')).toBe(true);
  });

  it('after a failed automatic rollback, a person can roll back again as the attention says', () => {
    const h = rollingBack();
    deployResult(h, 'FAILURE', ROLLBACK_NUMBER, 40);
    expect(h.attention?.action).toMatch(/roll back again/);
    expect(() => startRollback(h, { reason: 'retrying by hand', automatic: false }, ctx('ops@example.com', at(50)))).not.toThrow();
  });

  it('a manual rollback of a hotfix in production is started once', () => {
    const h = awaitingBackmerge();
    startRollback(h, { reason: 'errors spiking', automatic: false }, ctx('ops@example.com', at(50)));
    expect(h.rollback).toMatchObject({ reason: 'errors spiking', actor: 'ops@example.com', automatic: false });
    expect(effect(h, 'start-rollback')?.args).toEqual({ n: 2 });
    expect(() => startRollback(h, { reason: 'again', automatic: false }, ctx('ops2@example.com', at(51)))).toThrow(/already under way.*ops@example\.com/);
    deployRollback(h, PREVIOUS, POLICY, ctx('system', at(52)));
    deployResult(h, 'SUCCESS', ROLLBACK_NUMBER, 55);
    expect(h.state).toBe('rolled_back');
  });

  it('a manual rollback is refused for a hotfix that never reached production', () => {
    expect(() => startRollback(awaitingApproval(), { reason: 'x', automatic: false }, ctx())).toThrow(InvalidStateError);
    const running = deployQueued();
    expect(() => startRollback(running, { reason: 'x', automatic: false }, ctx())).toThrow(/never reached production/);
    expect(running.rollback).toBeNull();
  });

  it('a rollback whose target is chosen deploys once, however often the choice is recorded', () => {
    const h = rollingBack();
    const deploys = h.deploys.length;
    expect(deployRollback(h, { ...PREVIOUS, tag: 'prod-40' }, POLICY, ctx('system', at(32)))).toBeNull();
    expect(h.deploys).toHaveLength(deploys);
    expect(h.rollback?.target).toEqual(PREVIOUS);
  });

  it('a rollback deploy needs a rollback under way', () => {
    expect(() => deployRollback(finalizing(), PREVIOUS, POLICY, ctx())).toThrow(InvalidStateError);
  });
});

describe('stale base', () => {
  it('rebuildOnNewBase sends the approved hotfix back to building with a new build and tells people why', () => {
    const h = deploying();
    rebuildOnNewBase(h, 'prod-42', POLICY, ctx('system', at(25)));
    expect(h.state).toBe('building');
    expect(h.promotion).toBeNull();
    expect(h.builds).toHaveLength(2);
    expect(h.builds[1]).toMatchObject({ seq: 2, status: 'REQUESTED' });
    expect(h.outbox.map((e) => e.id)).toContain('trigger-run:build:2');
    expect(h.outbox.some((e) => e.step === 'notify-slack' && e.args.tag === 'prod-42')).toBe(true);
    expect(h.outbox.some((e) => e.step === 'notify-requester' && e.args.event === 'stale-base')).toBe(true);
    expect(h.id).toBe(ID);
  });
});
