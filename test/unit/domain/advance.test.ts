// `advance` over whole records: given what the record says, which state change is due and which
// work is owed. The records are reached the way the service reaches them (builders.ts), then a
// fact is written on them as a step or a report would; no Redis, no fakes.

import { describe, expect, it } from 'vitest';
import { advance } from '../../../src/domain/advance.js';
import { canBuild, requestBuild } from '../../../src/domain/build.js';
import { baseChecked, deployRollback, refuseRollback } from '../../../src/domain/deploy.js';
import { holderIsStale, needsSlot, nextWaiter, slotWaits } from '../../../src/domain/deploy-slot.js';
import { mergedIntoProduction } from '../../../src/domain/finalize.js';
import type { Hotfix } from '../../../src/domain/hotfix.js';
import { retry } from '../../../src/domain/lifecycle.js';
import { addEffect, completeEffect, flagAttention } from '../../../src/domain/record.js';
import { applyReport } from '../../../src/domain/reports.js';
import { takeReport } from '../../../src/domain/runs.js';
import type { HotfixState } from '../../../src/domain/states.js';
import {
  ARTIFACT_1,
  at,
  awaitingApproval,
  awaitingBackmerge,
  BUILD_1,
  building,
  COMMIT_1,
  COMMIT_2,
  ctx,
  deploying,
  deployQueued,
  DEPLOY_NUMBER,
  finalizing,
  must,
  opened,
  POLICY,
  QA_URL,
  qaProvisioning,
  report,
  tagged,
} from './builders.js';

const PREVIOUS = { tag: 'prod-41', commit: 'p'.repeat(40), artifact: { version: '1.4.2', url: 'https://artifacts.example.com/payments/1.4.2.tgz' } };

/** Write a fact as a step would (no decision), then ask `advance` what follows. */
function after(h: Hotfix, fact: (h: Hotfix) => void, minute = 40) {
  fact(h);
  return advance(h, POLICY, ctx('system', at(minute)));
}

const buildResult = (status: 'SUCCESS' | 'FAILURE', more: { commit?: string | null; artifact?: typeof ARTIFACT_1 | null } = {}) => (h: Hotfix) =>
  void takeReport(h, report({ stage: 'build', number: BUILD_1, status, commit: more.commit === undefined ? COMMIT_1 : more.commit, artifact: more.artifact === undefined ? ARTIFACT_1 : more.artifact }), ctx('jenkins', at(10)));
const deployResult = (status: 'SUCCESS' | 'FAILURE') => (h: Hotfix) =>
  void takeReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER, status, commit: COMMIT_1 }), ctx('jenkins', at(30)));
const qaUpDone = (h: Hotfix) => {
  const qa = must(h.qa);
  qa.status = 'up';
  qa.url = QA_URL;
};

describe('advance: the state change and the work owed, from the whole record', () => {
  it.each<[string, () => Hotfix, (h: Hotfix) => void, HotfixState, string[]]>([
    ['a good build goes to QA', building, buildResult('SUCCESS'), 'qa_provisioning', ['provision-qa']],
    ['a failed build goes back to the requester', building, buildResult('FAILURE'), 'build_failed', ['notify-requester']],
    ['a success that does not say its commit stops for a person', building, buildResult('SUCCESS', { commit: null }), 'needs_attention', ['notify-slack']],
    ['a build of another commit stops for a person', building, buildResult('SUCCESS', { commit: COMMIT_2 }), 'needs_attention', ['notify-slack']],
    ['a build without an artifact stops for a person', building, buildResult('SUCCESS', { artifact: null }), 'needs_attention', ['notify-slack']],
    ['QA up asks for decisions', qaProvisioning, qaUpDone, 'awaiting_approval', ['send-qa-email', 'expire-qa', 'notify-slack']],
    [
      'a promote of the tested build deploys',
      awaitingApproval,
      (h) => h.approvals.push({ actor: 'qa1@example.com', decision: 'promote', comment: '', at: at(20).toISOString(), via: 'api', build: BUILD_1, linkId: null }),
      'deploying',
      ['teardown-qa', 'notify-slack'],
    ],
    ['a reject of the tested build wins', awaitingApproval, (h) => (h.rejection = { actor: 'qa1@example.com', reason: 'no', at: at(20).toISOString(), build: BUILD_1 }), 'rejected', ['teardown-qa', 'notify-slack', 'notify-requester']],
    ['a deploy that succeeded is tagged', deployQueued, deployResult('SUCCESS'), 'finalizing', ['tag-production', 'notify-slack']],
    ['a deploy that failed rolls back, still deploying', deployQueued, deployResult('FAILURE'), 'deploying', ['start-rollback']],
    ['develop containing the hotfix completes it', awaitingBackmerge, (h) => (must(h.backmerge).mergedAt = at(50).toISOString()), 'completed', ['notify-slack']],
    ['a cancellation is carried out', awaitingApproval, (h) => (h.cancellation = { actor: 'dev@example.com', reason: 'not needed', at: at(20).toISOString() }), 'cancelled', ['teardown-qa', 'notify-slack']],
  ])('%s', (_name, make, fact, state, owed) => {
    const h = make();
    const out = after(h, fact);
    expect(out.to).toBe(state);
    expect(h.state).toBe(state);
    expect(out.owed.map((e) => e.step).sort()).toEqual([...owed].sort());
  });

  it('changes nothing when called again', () => {
    const h = building();
    after(h, buildResult('SUCCESS'));
    const once = structuredClone(h);
    expect(advance(h, POLICY, ctx('system', at(50)))).toEqual({ from: 'qa_provisioning', to: 'qa_provisioning', owed: [] });
    expect(h).toEqual(once);
  });

  it('owes the slot claim and base check once the teardown call has gone out, and only once', () => {
    const h = deploying();
    expect(h.outbox.some((e) => e.step === 'start-deploy')).toBe(false);
    const teardown = must(h.outbox.find((e) => e.step === 'teardown-qa'));
    expect(after(h, (d) => completeEffect(d, teardown.id)).owed.map((e) => e.id)).toEqual([`start-deploy:${BUILD_1}`]);
    expect(advance(h, POLICY, ctx('system', at(41))).owed).toEqual([]);
  });

  it('a late result of a superseded build decides nothing', () => {
    const h = building();
    h.builds[0]!.superseded = true;
    const out = after(h, buildResult('SUCCESS'));
    expect(out.to).toBe('building');
    expect(out.owed).toEqual([]);
  });
});

describe('a result that arrives while a person is asked to act is applied (issue 10.1)', () => {
  /** The deploy's poll gave up (Jenkins unreachable): a person is asked, the deploy still runs. */
  function pollGaveUp(): Hotfix {
    const h = deployQueued();
    const poll = must(h.outbox.find((e) => e.step === 'check-run'));
    completeEffect(h, poll.id);
    flagAttention(h, ctx('system', at(28)), 'check-run failed after 20 attempts: jenkins unreachable', 'fix the cause, then POST /retry', { step: 'check-run', args: poll.args });
    return h;
  }

  it('SUCCESS → finalizing, tagged as usual', () => {
    const h = pollGaveUp();
    expect(h.state).toBe('needs_attention');
    applyReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER, status: 'SUCCESS', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(31)));
    expect(h.state).toBe('finalizing');
    expect(h.attention).toBeNull();
    expect(h.outbox.some((e) => e.step === 'tag-production')).toBe(true);
    expect(h.events.some((e) => e.type === 'state' && e.from === 'needs_attention' && e.to === 'deploying' && e.message?.includes('finished SUCCESS meanwhile'))).toBe(true);
  });

  it('FAILURE → the automatic rollback starts', () => {
    const h = pollGaveUp();
    applyReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER, status: 'FAILURE', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(31)));
    expect(h.state).toBe('deploying');
    expect(h.rollback).toMatchObject({ automatic: true });
    expect(h.outbox.some((e) => e.step === 'start-rollback')).toBe(true);
  });

  it('a retry after the run finished applies the result instead of polling a finished run', () => {
    const h = pollGaveUp();
    // The result was recorded without `advance` (an older service version): the record holds it.
    takeReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER, status: 'SUCCESS', commit: COMMIT_1 }), ctx('jenkins', at(31)));
    expect(h.state).toBe('needs_attention');
    retry(h, POLICY, ctx('ops@example.com', at(40)));
    expect(h.state).toBe('finalizing');
  });

  it('a retry of a step that is not about a finished run re-queues it', () => {
    const h = building();
    flagAttention(h, ctx(), 'trigger-run failed: HTTP 404', 'fix the job name, then build again', { step: 'trigger-run', args: { stage: 'build', seq: 1 } });
    expect(advance(h, POLICY, ctx()).to).toBe('needs_attention');
    retry(h, POLICY, ctx('ops@example.com', at(5)));
    expect(h.state).toBe('building');
    expect(h.outbox.some((e) => e.step === 'trigger-run' && e.args.retry === at(5).getTime())).toBe(true);
  });
});

describe('the deploy slot, as rules on the record', () => {
  it.each<[string, () => Hotfix, boolean]>([
    ['awaiting approval', awaitingApproval, false],
    ['approved, base not checked yet', deploying, true],
    ['deploy in flight', deployQueued, true],
    ['deployed, not tagged', finalizing, true],
    [
      'tagged and merged',
      () => {
        const h = finalizing();
        tagged(h, { production: 'prod-12', release: 'v1.4.3' }, ctx());
        mergedIntoProduction(h, 'master', 'm'.repeat(40), false, ctx());
        return h;
      },
      false,
    ],
    [
      'tagged, merge left to a person',
      () => {
        const h = finalizing();
        tagged(h, { production: 'prod-12', release: 'v1.4.3' }, ctx());
        flagAttention(h, ctx(), 'merge conflicts', 'merge by hand', { step: 'merge-production', args: {} });
        return h;
      },
      false,
    ],
    [
      'deploy untagged, tag step blocked',
      () => {
        const h = finalizing();
        flagAttention(h, ctx(), 'tag exists elsewhere', 'fix it', { step: 'tag-production', args: { seq: 1 } });
        return h;
      },
      true,
    ],
    [
      'approved but stopped before any deploy',
      () => {
        const h = deploying();
        flagAttention(h, ctx(), 'start-deploy failed', 'retry', { step: 'start-deploy', args: { build: BUILD_1 } });
        return h;
      },
      false,
    ],
    [
      'rollback deploying',
      () => {
        const h = awaitingBackmerge();
        h.rollback = { reason: 'x', actor: 'ops@example.com', at: at(50).toISOString(), automatic: false, target: null, tag: null };
        deployRollback(h, PREVIOUS, POLICY, ctx());
        return h;
      },
      true,
    ],
    [
      'rollback refused: production moved on',
      () => {
        const h = awaitingBackmerge();
        h.rollback = { reason: 'x', actor: 'ops@example.com', at: at(50).toISOString(), automatic: false, target: null, tag: null };
        refuseRollback(h, 'prod-15 (HF-2026-11-002)', ctx());
        return h;
      },
      false,
    ],
  ])('%s → needs the slot: %s', (_name, make, needed) => {
    const h = make();
    expect(needsSlot(h)).toBe(needed);
    expect(holderIsStale(h)).toBe(!needed);
  });

  it('a missing holder is stale; the next waiter is the first that still waits', () => {
    expect(holderIsStale(null)).toBe(true);
    const gone = awaitingApproval();
    const waiting = deploying();
    addEffect(waiting, 'start-deploy', { build: BUILD_1, wait: 1 }, at(30), at(31));
    expect(slotWaits(waiting)).toHaveLength(1);
    expect(nextWaiter([null, gone, waiting])).toBe(waiting);
    expect(nextWaiter([gone])).toBeNull();
  });
});

describe('a rollback production moved past (issue 10.2)', () => {
  it('is refused with what production runs now, and a new one can be asked for', () => {
    const h = awaitingBackmerge();
    h.rollback = { reason: 'errors', actor: 'ops@example.com', at: at(50).toISOString(), automatic: false, target: null, tag: null };
    refuseRollback(h, 'prod-15 (HF-2026-11-002)', ctx('system', at(55)));
    expect(h.state).toBe('awaiting_backmerge');
    expect(h.rollback?.refused).toMatch(/production now runs prod-15 \(HF-2026-11-002\)/);
    expect(h.deploys.filter((d) => d.kind === 'rollback')).toHaveLength(0);
    expect(h.outbox.some((e) => e.step === 'notify-slack' && e.args.event === 'rollback-refused')).toBe(true);
  });
});

describe('an opened hotfix', () => {
  it('has nothing due until a build is asked for', () => {
    const h = opened();
    expect(advance(h, POLICY, ctx())).toEqual({ from: 'open', to: 'open', owed: [] });
  });
});

describe('a branch cut from a production tag that was rolled back since (issue 10.6)', () => {
  it('is not deployed: a person is asked, and may build again once the change is reverted', () => {
    const h = deploying();
    baseChecked(h, { newestTag: 'prod-44', current: false, rolledBack: true }, POLICY, ctx('system', at(21)));
    expect(h.state).toBe('needs_attention');
    expect(h.attention?.reason).toMatch(/rolled back to prod-44 .* carries a change production removed/);
    expect(h.deploys).toHaveLength(0);
    expect(needsSlot(h)).toBe(false);
    expect(canBuild(h)).toBe(true);
    requestBuild(h, POLICY, ctx('dev@example.com', at(30)));
    expect(h.state).toBe('building');
    expect(h.promotion).toBeNull();
  });
});
