import { describe, expect, it } from 'vitest';
import { decide, recordChanges } from '../../../src/domain/approvals.js';
import { CHANGE_LIST_MAX } from '../../../src/domain/hotfix.js';
import { canBuild, requestBuild } from '../../../src/domain/build.js';
import { InvalidStateError } from '../../../src/domain/errors.js';
import { expireQa, qaReady, qaTornDown, qaUpQueued } from '../../../src/domain/qa.js';
import { applyReport } from '../../../src/domain/reports.js';
import { newHotfix } from '../../../src/domain/create.js';
import {
  ARTIFACT_1,
  ARTIFACT_2,
  at,
  awaitingApproval,
  BUILD_1,
  BUILD_2,
  building,
  COMMIT_1,
  COMMIT_2,
  ctx,
  effect,
  ID,
  must,
  opened,
  policy,
  POLICY,
  QA_UP_NUMBER,
  QA_URL,
  qaProvisioning,
  queueBuild,
  report,
  steps,
  T0,
} from './builders.js';

const HOUR = 3_600_000;

describe('building', () => {
  it('cannot start before the branch exists', () => {
    const h = newHotfix({ id: ID, service: 'payments', title: 't', requestedBy: 'dev@example.com', commits: [] }, T0);
    expect(canBuild(h)).toBe(false);
    expect(() => requestBuild(h, POLICY, ctx())).toThrow(InvalidStateError);
    expect(h.state).toBe('open');
  });

  it('a request adds a build run and a trigger-run effect', () => {
    const h = opened();
    const run = requestBuild(h, POLICY, ctx('dev@example.com', at(2)));
    expect(h.state).toBe('building');
    expect(run).toMatchObject({ stage: 'build', seq: 1, job: 'payments-build', status: 'REQUESTED', requestedBy: 'dev@example.com' });
    expect(h.outbox.map((e) => e.id)).toContain('trigger-run:build:1');
  });

  it('SUCCESS with an artifact → qa_provisioning with a provision-qa effect', () => {
    const h = qaProvisioning();
    expect(h.state).toBe('qa_provisioning');
    expect(effect(h, 'provision-qa')?.args).toEqual({ cycle: 1 });
    expect(h.qa).toMatchObject({ cycle: 1, env: 'qa-hf-2026-11-001', status: 'provisioning', build: BUILD_1, commit: COMMIT_1, artifact: ARTIFACT_1 });
    expect(h.qa?.up).toMatchObject({ stage: 'qa-up', job: 'payments-qa-up', commit: COMMIT_1 });
    // Not beside the qa-up trigger: once Jenkins has it (below).
    expect(effect(h, 'prepare-qa-email')).toBeUndefined();
  });

  it('what the email lists is looked up once Jenkins has the qa-up, while the environment comes up', () => {
    const h = qaProvisioning();
    qaUpQueued(h, 1, { queueId: 41, number: null, url: null }, ctx('qa', at(11)), 5000);
    expect(must(h.qa?.up).status).toBe('QUEUED');
    expect(effect(h, 'prepare-qa-email')?.args).toEqual({ cycle: 1 });
  });

  it('a qa-up queued after its environment is already up (its callback first) asks for no lookup: the email does it', () => {
    const h = qaProvisioning();
    qaReady(h, 1, QA_URL, POLICY, ctx('jenkins', at(11)));
    qaUpQueued(h, 1, { queueId: 41, number: QA_UP_NUMBER, url: null }, ctx('qa', at(12)), 5000);
    expect(h.state).toBe('awaiting_approval');
    expect(effect(h, 'prepare-qa-email')).toBeUndefined();
  });

  it('a command brings QA up inside its step: the lookup runs beside it from the start', () => {
    const h = qaProvisioning({ policy: policy({ provider: 'command' }) });
    expect(h.state).toBe('qa_provisioning');
    expect(h.qa?.up).toBeNull();
    expect(effect(h, 'prepare-qa-email')?.args).toEqual({ cycle: 1 });
  });

  it.each(['FAILURE', 'UNSTABLE', 'ABORTED'] as const)('%s → build_failed and the requester is told', (status) => {
    const h = building();
    applyReport(h, report({ stage: 'build', number: BUILD_1, status, commit: COMMIT_1, url: 'https://ci/job/7/' }), POLICY, ctx('jenkins', at(10)));
    expect(h.state).toBe('build_failed');
    expect(effect(h, 'notify-requester')?.args).toEqual({ event: 'build-failed', seq: 1 });
    expect(steps(h)).not.toContain('provision-qa');
  });

  it('SUCCESS without an artifact → needs_attention, nothing goes to QA', () => {
    const h = building();
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'SUCCESS', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(10)));
    expect(h.state).toBe('needs_attention');
    expect(h.attention?.reason).toMatch(/no artifact/);
    expect(h.qa).toBeNull();
    expect(steps(h)).not.toContain('provision-qa');
  });

  it('SUCCESS of a commit other than the one asked for → needs_attention, never tested', () => {
    const h = building();
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'SUCCESS', commit: COMMIT_2, artifact: ARTIFACT_1 }), POLICY, ctx('jenkins', at(10)));
    expect(h.state).toBe('needs_attention');
    expect(h.attention?.reason).toContain(COMMIT_2.slice(0, 12));
    expect(h.qa).toBeNull();
  });

  it('a failed build can be built again, and the retry starts a fresh cycle', () => {
    const h = building();
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'FAILURE', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(10)));
    queueBuild(h, COMMIT_2, POLICY, at(11));
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'SUCCESS', commit: COMMIT_2, artifact: ARTIFACT_2 }), POLICY, ctx('jenkins', at(20)));
    expect(h.state).toBe('qa_provisioning');
    expect(h.qa).toMatchObject({ cycle: 1, build: BUILD_2 });
  });
});

describe('the QA environment', () => {
  it('ready → awaiting_approval, QA mailed, expiry armed at now + ttlHours', () => {
    const h = awaitingApproval();
    const readyAt = at(15);
    expect(h.state).toBe('awaiting_approval');
    expect(h.qa).toMatchObject({ url: QA_URL, status: 'up', expiresAt: new Date(readyAt.getTime() + 24 * HOUR).toISOString() });
    expect(effect(h, 'send-qa-email')).toMatchObject({ args: { cycle: 1 }, runAt: null });
    expect(effect(h, 'expire-qa')).toMatchObject({ args: { cycle: 1 }, runAt: new Date(readyAt.getTime() + 24 * HOUR).toISOString() });
  });

  it('with the command provider there is no Jenkins run, and ready works the same', () => {
    const p = policy({ provider: 'command' });
    const h = qaProvisioning({ policy: p });
    expect(h.qa?.up).toBeNull();
    qaReady(h, 1, QA_URL, p, ctx('qa', at(15)));
    expect(h.state).toBe('awaiting_approval');
    expect(steps(h)).toEqual(expect.arrayContaining(['send-qa-email', 'expire-qa']));
  });

  it('up without a URL → needs_attention', () => {
    const h = qaProvisioning();
    applyReport(h, report({ stage: 'qa-up', number: QA_UP_NUMBER, status: 'SUCCESS', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(15)));
    expect(h.state).toBe('needs_attention');
    expect(steps(h)).not.toContain('send-qa-email');
  });

  it('a failed qa-up → needs_attention naming the environment', () => {
    const h = qaProvisioning();
    applyReport(h, report({ stage: 'qa-up', number: QA_UP_NUMBER, status: 'FAILURE', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(15)));
    expect(h.state).toBe('needs_attention');
    expect(h.attention?.reason).toContain('qa-hf-2026-11-001');
    expect(h.qa?.status).toBe('failed');
  });

  it('ready for an old cycle changes nothing', () => {
    const h = qaProvisioning();
    qaReady(h, 99, QA_URL, POLICY, ctx('qa', at(15)));
    expect(h.state).toBe('qa_provisioning');
  });

  it('expiry → rejected "qa expired", QA torn down, the requester told', () => {
    const h = awaitingApproval();
    expect(expireQa(h, 1, POLICY, ctx('system', at(24 * 60 + 15)))).toBe(true);
    expect(h.state).toBe('rejected');
    expect(h.rejection).toMatchObject({ reason: 'qa expired', build: BUILD_1 });
    expect(h.events.some((e) => e.type === 'state' && e.to === 'rejected' && e.message === 'qa expired')).toBe(true);
    expect(h.qa?.status).toBe('tearing_down');
    expect(h.qa?.down).toMatchObject({ stage: 'qa-down', job: 'payments-qa-down' });
    expect(effect(h, 'teardown-qa')?.args).toEqual({ cycle: 1 });
    expect(steps(h)).not.toContain('expire-qa');
    expect(effect(h, 'notify-requester')?.args).toMatchObject({ event: 'rejected' });
  });

  it('expiry after a decision, or of an old cycle, does nothing', () => {
    const decided = awaitingApproval();
    decide(decided, { actor: 'qa1@example.com', decision: 'promote', comment: '', via: 'api', build: null, linkId: null }, POLICY, ctx('qa1@example.com', at(20)));
    expect(expireQa(decided, 1, POLICY, ctx())).toBe(false);
    expect(decided.state).toBe('deploying');
    const old = awaitingApproval();
    expect(expireQa(old, 2, POLICY, ctx())).toBe(false);
    expect(old.state).toBe('awaiting_approval');
  });

  it('a new build while QA is up supersedes the cycle: no email for it', () => {
    const h = awaitingApproval();
    queueBuild(h, COMMIT_2, POLICY, at(30));
    expect(h.state).toBe('building');
    expect(steps(h)).not.toContain('send-qa-email');
    expect(steps(h)).not.toContain('provision-qa');
    expect(must(h.builds[0]).status).toBe('SUCCESS');
  });

  it('a rebuild that fails leaves no QA environment up without a teardown planned', () => {
    const h = awaitingApproval();
    queueBuild(h, COMMIT_2, POLICY, at(30));
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'FAILURE', commit: COMMIT_2 }), POLICY, ctx('jenkins', at(40)));
    expect(h.state).toBe('build_failed');
    const upWithoutEnd = h.qa?.status === 'up' && !steps(h).includes('teardown-qa') && !steps(h).includes('expire-qa');
    expect(upWithoutEnd, 'QA env of build #7 stays up forever').toBe(false);
  });

  it("a late qa-up report of a superseded cycle does not make the new cycle's QA ready", () => {
    const h = qaProvisioning(); // cycle 1 provisioning build #7 (COMMIT_1)
    queueBuild(h, COMMIT_2, POLICY, at(12));
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'SUCCESS', commit: COMMIT_2, artifact: ARTIFACT_2 }), POLICY, ctx('jenkins', at(20)));
    expect(h.qa).toMatchObject({ cycle: 2, build: BUILD_2, commit: COMMIT_2 });
    // Jenkins finishes the qa-up of cycle 1 (it deployed ARTIFACT_1 of COMMIT_1) only now.
    applyReport(h, report({ stage: 'qa-up', number: QA_UP_NUMBER, status: 'SUCCESS', commit: COMMIT_1, qaUrl: QA_URL }), POLICY, ctx('jenkins', at(21)));
    expect(h.state).toBe('qa_provisioning');
    expect(steps(h)).not.toContain('send-qa-email');
  });
});

describe('what a build changes, kept for the QA email (issue 14)', () => {
  const list = (n: number) => ({
    commits: Array.from({ length: n }, (_, i) => ({ sha: `${i}`.padStart(40, 'a'), subject: `fix ${i}`, author: 'Dev <dev@example.com>', extra: 'not kept' })),
    files: Array.from({ length: n }, (_, i) => ({ status: 'M', path: `src/f${i}.ts` })),
  });

  it('keeps the totals and the first 50 of each list, only for its own cycle, once', () => {
    const h = qaProvisioning();
    recordChanges(h, 2, { commits: 1, files: 1 }, list(1));
    expect(h.qa?.changes ?? null).toBeNull();
    const big = list(120);
    recordChanges(h, 1, { commits: 120, files: 120 }, big);
    expect(h.qa?.changes).toEqual({ commits: 120, files: 120 });
    expect(h.qa?.changeList?.commits).toHaveLength(CHANGE_LIST_MAX);
    expect(h.qa?.changeList?.files).toHaveLength(CHANGE_LIST_MAX);
    expect(h.qa?.changeList?.commits[0]).toEqual({ sha: big.commits[0]?.sha, subject: 'fix 0', author: 'Dev <dev@example.com>' });
    recordChanges(h, 1, { commits: 1, files: 1 }, list(1));
    expect(h.qa?.changes).toEqual({ commits: 120, files: 120 });
    expect(h.qa?.changeList?.commits).toHaveLength(CHANGE_LIST_MAX);
  });

  it('lets go of the lists once the environment is gone or its cycle retired (the counts stay)', () => {
    const h = awaitingApproval();
    recordChanges(h, 1, { commits: 2, files: 2 }, list(2));
    queueBuild(h, COMMIT_2, POLICY, at(20));
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'SUCCESS', commit: COMMIT_2, artifact: ARTIFACT_2 }), POLICY, ctx('jenkins', at(25)));
    expect(h.qa?.cycle).toBe(2);
    expect(h.qaRetired?.[0]).toMatchObject({ cycle: 1, changes: { commits: 2, files: 2 }, changeList: null });

    const done = awaitingApproval();
    recordChanges(done, 1, { commits: 2, files: 2 }, list(2));
    qaTornDown(done, 1, true, '', ctx('jenkins', at(30)));
    expect(done.qa).toMatchObject({ status: 'down', changes: { commits: 2, files: 2 }, changeList: null });
  });
});

describe('one QA environment per cycle (issue 10.6)', () => {
  const upReport = (number: number, commit: string) => report({ stage: 'qa-up', number, status: 'SUCCESS', commit, qaUrl: QA_URL });

  it('a newer build gets its own environment; the old one is torn down once it is up', () => {
    const h = awaitingApproval(); // cycle 1 up for build #7
    queueBuild(h, COMMIT_2, POLICY, at(30));
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'SUCCESS', commit: COMMIT_2, artifact: ARTIFACT_2 }), POLICY, ctx('jenkins', at(35)));
    expect(h.qa).toMatchObject({ cycle: 2, env: 'qa-hf-2026-11-001-2', status: 'provisioning' });
    expect(h.qaRetired?.map((c) => [c.cycle, c.env, c.status])).toEqual([[1, 'qa-hf-2026-11-001', 'tearing_down']]);
    expect(h.outbox.filter((e) => e.step === 'teardown-qa').map((e) => e.args)).toEqual([{ cycle: 1 }]);
    // Its teardown reports: the retired cycle is forgotten, the current one untouched.
    applyReport(h, report({ stage: 'qa-down', number: 40, status: 'SUCCESS' }), POLICY, ctx('jenkins', at(36)));
    expect(h.qaRetired).toEqual([]);
    expect(h.qa?.status).toBe('provisioning');
  });

  it('an environment still being created is torn down only after its qa-up ends', () => {
    const h = qaProvisioning(); // cycle 1's qa-up asked of Jenkins
    must(h.qa?.up).attemptedAt = at(11).toISOString();
    queueBuild(h, COMMIT_2, POLICY, at(12));
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'SUCCESS', commit: COMMIT_2, artifact: ARTIFACT_2 }), POLICY, ctx('jenkins', at(20)));
    expect(h.qaRetired?.[0]?.status).toBe('provisioning');
    expect(steps(h)).not.toContain('teardown-qa');
    applyReport(h, upReport(QA_UP_NUMBER, COMMIT_1), POLICY, ctx('jenkins', at(21)));
    expect(h.outbox.filter((e) => e.step === 'teardown-qa').map((e) => e.args)).toEqual([{ cycle: 1 }]);
    expect(h.state).toBe('qa_provisioning');
    expect(h.qa?.cycle).toBe(2);
  });

  it('a qa-up that never went out leaves nothing to remove', () => {
    const h = qaProvisioning(); // cycle 1's qa-up never asked of Jenkins
    queueBuild(h, COMMIT_2, POLICY, at(12));
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'SUCCESS', commit: COMMIT_2, artifact: ARTIFACT_2 }), POLICY, ctx('jenkins', at(20)));
    expect(h.qaRetired).toEqual([]);
    expect(steps(h)).not.toContain('teardown-qa');
  });
});
