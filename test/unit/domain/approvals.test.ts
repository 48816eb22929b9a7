import { describe, expect, it } from 'vitest';
import { approvalsFor, decide, DecisionRefused, explainOutOfDate, mayApprove, sameActor, type DecisionRequest } from '../../../src/domain/approvals.js';
import { ForbiddenError, InvalidStateError } from '../../../src/domain/errors.js';
import type { Hotfix } from '../../../src/domain/hotfix.js';
import type { ServicePolicy } from '../../../src/domain/policy.js';
import { applyReport } from '../../../src/domain/reports.js';
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
  deploying,
  effect,
  policy,
  POLICY,
  QA_UP_NUMBER,
  QA_URL,
  queueBuild,
  report,
  REQUESTER,
  steps,
} from './builders.js';

function req(actor: string, decision: DecisionRequest['decision'] = 'promote', more: Partial<DecisionRequest> = {}): DecisionRequest {
  return { actor, decision, comment: '', via: 'email', build: BUILD_1, linkId: null, ...more };
}

function refusal(fn: () => unknown): DecisionRefused {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecisionRefused) return err;
    throw err;
  }
  throw new Error('expected the decision to be refused');
}

const decideAt = (h: Hotfix, r: DecisionRequest, p: ServicePolicy = POLICY, minute = 20) => decide(h, r, p, ctx(r.actor, at(minute)));

describe('who may approve', () => {
  it('matches globs on the email address, case-insensitively', () => {
    const approvers = ['*@example.com', 'Lead@Corp.io'];
    expect(mayApprove('qa@example.com', approvers)).toBe(true);
    expect(mayApprove('QA.Person@EXAMPLE.COM', approvers)).toBe(true);
    expect(mayApprove('lead@corp.io', approvers)).toBe(true);
    expect(mayApprove('LEAD@CORP.IO', approvers)).toBe(true);
  });

  it('does not match look-alike addresses', () => {
    const approvers = ['*@example.com', 'lead@corp.io'];
    for (const actor of ['qa@example.com.evil.org', 'qa@evil.com', 'qa@sub.example.com', 'qa@exampleXcom', 'other@corp.io', 'lead@corp.io.evil', 'xlead@corp.io']) {
      expect(mayApprove(actor, approvers), actor).toBe(false);
    }
  });

  it('treats regex characters in a pattern literally', () => {
    expect(mayApprove('a+b@example.com', ['a+b@example.com'])).toBe(true);
    expect(mayApprove('aab@example.com', ['a+b@example.com'])).toBe(false);
    expect(mayApprove('anyone@x.io', [])).toBe(false);
  });

  it('compares actors case- and space-insensitively', () => {
    expect(sameActor(' Dev@Example.com ', 'dev@example.com')).toBe(true);
    expect(sameActor('dev@example.com', 'dev2@example.com')).toBe(false);
  });
});

describe('deciding', () => {
  it('one promote of the tested build is enough when one is required', () => {
    const h = awaitingApproval();
    const out = decideAt(h, req('qa1@example.com'));
    expect(out).toEqual({ kind: 'promoted', approvers: ['qa1@example.com'] });
    expect(h.state).toBe('deploying');
    expect(h.promotion).toMatchObject({ build: BUILD_1, commit: COMMIT_1, artifact: ARTIFACT_1, approvedBy: ['qa1@example.com'], waitingFor: null });
    expect(effect(h, 'teardown-qa')?.args).toEqual({ cycle: 1 });
  });

  it('an actor outside approvals.approvers is forbidden and nothing is recorded', () => {
    const h = awaitingApproval();
    expect(() => decideAt(h, req('mallory@evil.com'))).toThrow(ForbiddenError);
    expect(() => decideAt(h, req('mallory@evil.com', 'reject'))).toThrow(ForbiddenError);
    expect(h.approvals).toEqual([]);
    expect(h.state).toBe('awaiting_approval');
  });

  it('the requester cannot approve their own hotfix, whatever the case', () => {
    const h = awaitingApproval();
    expect(() => decideAt(h, req(REQUESTER))).toThrow(ForbiddenError);
    expect(() => decideAt(h, req('DEV@Example.COM'))).toThrow(ForbiddenError);
    expect(h.approvals).toEqual([]);
    expect(h.state).toBe('awaiting_approval');
  });

  it('with required: 2, one approval is recorded and the second distinct one promotes', () => {
    const p = policy({ required: 2 });
    const h = awaitingApproval({ policy: p });
    expect(decideAt(h, req('qa1@example.com'), p)).toEqual({ kind: 'recorded', approvals: 1, required: 2 });
    expect(h.state).toBe('awaiting_approval');
    expect(approvalsFor(h, p)).toMatchObject({ build: BUILD_1, count: 1 });
    expect(decideAt(h, req('qa2@example.com'), p, 21)).toEqual({ kind: 'promoted', approvers: ['qa1@example.com', 'qa2@example.com'] });
    expect(h.state).toBe('deploying');
  });

  it('with required: 2, the same person twice (any case) does not count twice', () => {
    const p = policy({ required: 2 });
    const h = awaitingApproval({ policy: p });
    decideAt(h, req('qa1@example.com', 'promote', { linkId: 'link-a' }), p);
    const r = refusal(() => decideAt(h, req('QA1@Example.com', 'promote', { linkId: 'link-b' }), p, 21));
    expect(r.reason).toBe('used');
    expect(r.message).toContain('qa1@example.com');
    expect(h.state).toBe('awaiting_approval');
    expect(h.approvals).toHaveLength(1);
  });

  it('a reject from any allowed approver wins over earlier approvals', () => {
    const p = policy({ required: 2 });
    const h = awaitingApproval({ policy: p });
    decideAt(h, req('qa1@example.com'), p);
    expect(decideAt(h, req('lead@corp.io', 'reject', { comment: 'totals still off' }), p, 21)).toEqual({ kind: 'rejected' });
    expect(h.state).toBe('rejected');
    expect(h.promotion).toBeNull();
    expect(h.rejection).toMatchObject({ actor: 'lead@corp.io', reason: 'totals still off', build: BUILD_1 });
    expect(steps(h)).toEqual(expect.arrayContaining(['teardown-qa', 'notify-requester']));
    expect(steps(h)).not.toContain('expire-qa');
  });

  it('a decision about a build QA is no longer testing is out of date', () => {
    const h = awaitingApproval();
    const r = refusal(() => decideAt(h, req('qa1@example.com', 'promote', { build: BUILD_1 - 1 })));
    expect(r.reason).toBe('out_of_date');
    expect(r.message).toMatch(/out of date/);
    expect(h.state).toBe('awaiting_approval');
  });

  it('after a rebuild, links of the old build are out of date', () => {
    const h = awaitingApproval();
    queueBuild(h, COMMIT_2, POLICY, at(30));
    const r = refusal(() => decideAt(h, req('qa1@example.com'), POLICY, 31));
    expect(r.reason).toBe('out_of_date');
    expect(r.message).toContain('building');
    expect(r).toBeInstanceOf(InvalidStateError);
  });

  it('a link used once is refused the second time: "already promoted by X at T"', () => {
    const h = awaitingApproval();
    decideAt(h, req('qa1@example.com', 'promote', { linkId: 'L1' }));
    const r = refusal(() => decideAt(h, req('qa1@example.com', 'promote', { linkId: 'L1' }), POLICY, 25));
    expect(r.reason).toBe('used');
    expect(r.message).toMatch(new RegExp(`already\\b.*promoted by qa1@example\\.com at ${at(20).toISOString()}`));
  });

  it('a used link stays used even while more approvals are awaited', () => {
    const p = policy({ required: 2 });
    const h = awaitingApproval({ policy: p });
    decideAt(h, req('qa1@example.com', 'promote', { linkId: 'L1' }), p);
    expect(refusal(() => decideAt(h, req('qa1@example.com', 'promote', { linkId: 'L1' }), p, 21)).reason).toBe('used');
  });

  it('a decision after the promotion is out of date and names who promoted and when', () => {
    const h = deploying();
    for (const decision of ['promote', 'reject'] as const) {
      const r = refusal(() => decideAt(h, req('qa2@example.com', decision), POLICY, 40));
      expect(r.reason).toBe('out_of_date');
      expect(r.message).toContain(`already promoted by qa1@example.com at ${at(20).toISOString()}`);
    }
    expect(h.state).toBe('deploying');
  });

  it('a decision after a rejection names who rejected and why', () => {
    const h = awaitingApproval();
    decideAt(h, req('qa1@example.com', 'reject', { comment: 'broken' }));
    const r = refusal(() => decideAt(h, req('qa2@example.com'), POLICY, 21));
    expect(r.message).toBe(`already rejected by qa1@example.com at ${at(20).toISOString()}: broken`);
  });

  it('before QA there is nothing to decide on', () => {
    const h = building();
    expect(refusal(() => decideAt(h, req('qa1@example.com', 'promote', { build: null }))).reason).toBe('out_of_date');
    expect(explainOutOfDate(h)).toBe('out of date: the hotfix is building');
  });

  it('an API decision without a build applies to the build under test', () => {
    const h = awaitingApproval();
    decideAt(h, req('qa1@example.com', 'promote', { build: null, via: 'api' }));
    expect(h.approvals[0]).toMatchObject({ build: BUILD_1, via: 'api' });
    expect(h.promotion?.build).toBe(BUILD_1);
  });

  it('approvals of one build do not count for the next', () => {
    const p = policy({ required: 2 });
    const h = awaitingApproval({ policy: p });
    decideAt(h, req('qa1@example.com'), p);
    queueBuild(h, COMMIT_2, p, at(30));
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'SUCCESS', commit: COMMIT_2, artifact: ARTIFACT_2 }), p, ctx('jenkins', at(40)));
    applyReport(h, report({ stage: 'qa-up', number: QA_UP_NUMBER + 1, status: 'SUCCESS', commit: COMMIT_2, qaUrl: QA_URL }), p, ctx('jenkins', at(45)));
    expect(h.state).toBe('awaiting_approval');
    expect(approvalsFor(h, p)).toMatchObject({ build: BUILD_2, count: 0 });
    expect(decideAt(h, req('qa2@example.com', 'promote', { build: BUILD_2 }), p, 50)).toEqual({ kind: 'recorded', approvals: 1, required: 2 });
    expect(decideAt(h, req('qa1@example.com', 'promote', { build: BUILD_2 }), p, 51)).toMatchObject({ kind: 'promoted' });
    expect(h.promotion).toMatchObject({ build: BUILD_2, commit: COMMIT_2, artifact: ARTIFACT_2 });
  });
});

describe('a build with no change from production', () => {
  const empty = (h: Hotfix): Hotfix => {
    if (h.qa) h.qa.changes = { commits: 0, files: 0 };
    return h;
  };

  it('is promoted only with an explicit confirmation', () => {
    const h = empty(awaitingApproval());
    const refused = refusal(() => decide(h, req('qa@example.com'), POLICY, ctx('qa@example.com', at(20))));
    expect(refused.reason).toBe('no_change');
    expect(refused.message).toContain('contains no change from production');
    expect(h.approvals).toHaveLength(0);
    expect(decide(h, req('qa@example.com', 'promote', { confirmNoChange: true }), POLICY, ctx('qa@example.com', at(21)))).toMatchObject({ kind: 'promoted' });
  });

  it('is never promoted where the service refuses such builds; a reject still works', () => {
    const strict: ServicePolicy = { ...POLICY, promoteWithoutChanges: 'refuse' };
    const h = empty(awaitingApproval());
    const refused = refusal(() => decide(h, req('qa@example.com', 'promote', { confirmNoChange: true }), strict, ctx('qa@example.com', at(20))));
    expect(refused.message).toContain('does not promote such builds');
    expect(decide(h, req('qa@example.com', 'reject', { comment: 'nothing in it' }), strict, ctx('qa@example.com', at(21)))).toEqual({ kind: 'rejected' });
  });

  it('a build whose changes are not known yet, or that changes files, needs nothing more', () => {
    const unknown = awaitingApproval();
    expect(decide(unknown, req('qa@example.com'), POLICY, ctx('qa@example.com', at(20)))).toMatchObject({ kind: 'promoted' });
    const changed = awaitingApproval();
    if (changed.qa) changed.qa.changes = { commits: 1, files: 2 };
    expect(decide(changed, req('qa@example.com'), POLICY, ctx('qa@example.com', at(20)))).toMatchObject({ kind: 'promoted' });
  });
});
