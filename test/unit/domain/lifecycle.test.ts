import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/domain/approvals.js';
import { InvalidStateError } from '../../../src/domain/errors.js';
import { finalizeBlocked } from '../../../src/domain/finalize.js';
import type { Hotfix } from '../../../src/domain/hotfix.js';
import { canCancel, cancel, retry } from '../../../src/domain/lifecycle.js';
import { completeEffect, flagAttention } from '../../../src/domain/record.js';
import { applyReport } from '../../../src/domain/reports.js';
import {
  at,
  awaitingApproval,
  awaitingBackmerge,
  BUILD_1,
  building,
  COMMIT_1,
  ctx,
  deploying,
  effect,
  finalizing,
  must,
  opened,
  POLICY,
  qaProvisioning,
  report,
  steps,
} from './builders.js';

function rejected(): Hotfix {
  const h = awaitingApproval();
  decide(h, { actor: 'qa1@example.com', decision: 'reject', comment: 'no', via: 'api', build: null, linkId: null }, POLICY, ctx('qa1@example.com', at(20)));
  return h;
}

function buildFailed(): Hotfix {
  const h = building();
  applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'FAILURE', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(10)));
  return h;
}

describe('cancel', () => {
  it.each([
    ['open', opened],
    ['building', building],
    ['build_failed', buildFailed],
    ['qa_provisioning', qaProvisioning],
    ['awaiting_approval', awaitingApproval],
    ['rejected', rejected],
  ] as const)('is allowed while %s', (state, make) => {
    const h = make();
    expect(h.state).toBe(state);
    cancel(h, 'not needed', POLICY, ctx('dev@example.com', at(50)));
    expect(h.state).toBe('cancelled');
    expect(h.events.some((e) => e.type === 'state' && e.to === 'cancelled' && e.message === 'cancelled: not needed')).toBe(true);
    expect(h.outbox.some((e) => e.step === 'notify-slack' && e.args.event === 'cancelled')).toBe(true);
  });

  it.each([
    ['deploying', deploying],
    ['finalizing', finalizing],
    ['awaiting_backmerge', awaitingBackmerge],
  ] as const)('is refused while %s: production was touched', (state, make) => {
    const h = make();
    expect(h.state).toBe(state);
    expect(canCancel(h)).toBe(false);
    expect(() => cancel(h, '', POLICY, ctx())).toThrow(InvalidStateError);
    expect(h.state).toBe(state);
  });

  it('is refused once cancelled', () => {
    const h = building();
    cancel(h, '', POLICY, ctx());
    expect(() => cancel(h, '', POLICY, ctx())).toThrow(InvalidStateError);
  });

  it('tears down a QA environment that is up and stops pending QA work', () => {
    const h = awaitingApproval();
    cancel(h, '', POLICY, ctx('dev@example.com', at(50)));
    expect(h.qa?.status).toBe('tearing_down');
    expect(effect(h, 'teardown-qa')?.args).toEqual({ cycle: 1 });
    expect(steps(h)).not.toContain('send-qa-email');
    expect(steps(h)).not.toContain('expire-qa');
  });

  it('tears down QA still being provisioned, and ignores its late result', () => {
    const h = qaProvisioning();
    cancel(h, '', POLICY, ctx('dev@example.com', at(11)));
    expect(steps(h)).toContain('teardown-qa');
    expect(steps(h)).not.toContain('provision-qa');
    applyReport(h, report({ stage: 'qa-up', number: 31, status: 'SUCCESS', commit: COMMIT_1, qaUrl: 'https://qa' }), POLICY, ctx('jenkins', at(12)));
    expect(h.state).toBe('cancelled');
  });

  it('stops a running build: no trigger, and its result no longer matters', () => {
    const h = building();
    cancel(h, '', POLICY, ctx('dev@example.com', at(3)));
    expect(must(h.builds[0]).superseded).toBe(true);
    expect(steps(h)).not.toContain('trigger-run');
    expect(steps(h)).not.toContain('check-run');
    expect(steps(h)).not.toContain('teardown-qa');
  });

  it('is allowed from needs_attention only if the hotfix stopped before production', () => {
    const early = building();
    flagAttention(early, ctx(), 'jenkins job missing', 'create it');
    expect(canCancel(early)).toBe(true);
    cancel(early, '', POLICY, ctx());
    expect(early.state).toBe('cancelled');
    const late = finalizing();
    flagAttention(late, ctx(), 'tag exists', 'look');
    expect(canCancel(late)).toBe(false);
  });

  it('does not ask for a second teardown of a rejected hotfix', () => {
    const h = rejected();
    const teardowns = h.outbox.filter((e) => e.step === 'teardown-qa').length;
    cancel(h, '', POLICY, ctx('dev@example.com', at(30)));
    expect(h.outbox.filter((e) => e.step === 'teardown-qa')).toHaveLength(teardowns);
    expect(h.qa?.status).toBe('tearing_down');
  });
});

describe('retry', () => {
  function blocked(): Hotfix {
    const h = finalizing();
    completeEffect(h, must(effect(h, 'tag-production')).id);
    finalizeBlocked(h, 'tag prod-12 exists elsewhere', 'remove it', ctx('system', at(31)), { step: 'tag-production', args: { seq: 1 } });
    return h;
  }

  it('re-queues the failed step from the state it stopped in, with a fresh effect id', () => {
    const h = blocked();
    retry(h, POLICY, ctx('ops@example.com', at(60)));
    expect(h.state).toBe('finalizing');
    expect(h.attention).toBeNull();
    const again = must(effect(h, 'tag-production'));
    expect(again.args).toEqual({ seq: 1, retry: at(60).getTime() });
    expect(again.id).not.toBe('tag-production:1');
  });

  it('two retries at different times are two effects', () => {
    const h = blocked();
    retry(h, POLICY, ctx('ops@example.com', at(60)));
    finalizeBlocked(h, 'still there', 'remove it', ctx('system', at(61)), { step: 'tag-production', args: { seq: 1 } });
    retry(h, POLICY, ctx('ops@example.com', at(62)));
    expect(h.outbox.filter((e) => e.step === 'tag-production')).toHaveLength(2);
  });

  it('is refused when the hotfix does not need attention, or nothing can be retried', () => {
    expect(() => retry(awaitingApproval(), POLICY, ctx())).toThrow(InvalidStateError);
    const h = building();
    flagAttention(h, ctx(), 'odd', 'look at it');
    expect(() => retry(h, POLICY, ctx())).toThrow(/nothing to retry/);
    expect(h.state).toBe('needs_attention');
  });
});
