// The approval policy the organisation asked for (a tech lead AND a business owner), freeze
// windows and their override, on plain records: no Redis, no clock but the one given.

import { describe, expect, it } from 'vitest';
import { matchGroups } from '../../../src/domain/approval-groups.js';
import { decide, groupStatus, policyView, qaEmailRecipients, type DecisionRequest } from '../../../src/domain/approvals.js';
import { advance } from '../../../src/domain/advance.js';
import { baseChecked } from '../../../src/domain/deploy.js';
import { needsSlot } from '../../../src/domain/deploy-slot.js';
import { FrozenError, ForbiddenError } from '../../../src/domain/errors.js';
import type { Hotfix } from '../../../src/domain/hotfix.js';
import type { FreezeCalendar, ServicePolicy } from '../../../src/domain/policy.js';
import { completeEffect } from '../../../src/domain/record.js';
import { applyReport } from '../../../src/domain/reports.js';
import { at, awaitingApproval, BUILD_1, ctx, policy, QA_DOWN_NUMBER, report } from './builders.js';

const GROUPS = [
  { name: 'lead', required: 1, members: ['lead@example.com', 'cto@example.com'] },
  { name: 'business', required: 1, members: ['*@finance.example.com', 'cto@example.com'] },
];

/** Frozen between two instants (a calendar as the config builds it, reduced to what the domain asks). */
function frozen(from: Date, until: Date, name = 'year-end'): FreezeCalendar {
  return { activeAt: (t) => (t >= from && t < until ? { name, until } : null) };
}

function leadAndBusiness(extra: Partial<ServicePolicy> = {}): ServicePolicy {
  return { ...policy(), approvals: { groups: GROUPS }, freezeOverride: { group: 'lead' }, ...extra };
}

const promote = (actor: string, more: Partial<DecisionRequest> = {}): DecisionRequest => ({ actor, decision: 'promote', comment: '', via: 'api', build: BUILD_1, linkId: null, ...more });

describe('groups: one of each', () => {
  it('matches each person to one group seat at most, re-seating when that meets more groups', () => {
    expect(matchGroups(GROUPS, ['cto@example.com']).map((g) => g.met)).toEqual([true, false]);
    // cto first takes lead; when ann from finance comes, cto keeps lead; with lead@ instead, cto moves to business.
    expect(matchGroups(GROUPS, ['cto@example.com', 'ann@finance.example.com']).map((g) => [g.name, g.approvedBy])).toEqual([['lead', ['cto@example.com']], ['business', ['ann@finance.example.com']]]);
    expect(matchGroups(GROUPS, ['cto@example.com', 'lead@example.com']).map((g) => [g.name, g.approvedBy])).toEqual([['lead', ['lead@example.com']], ['business', ['cto@example.com']]]);
    expect(matchGroups(GROUPS, ['ann@finance.example.com', 'bob@finance.example.com']).map((g) => g.met)).toEqual([false, true]);
  });

  it('a lead alone waits for business; then business promotes; approvals carry their group', () => {
    const p = leadAndBusiness();
    const h = awaitingApproval({ policy: p });
    expect(decide(h, promote('lead@example.com'), p, ctx('lead@example.com', at(20)))).toEqual({ kind: 'recorded', approvals: 1, required: 2 });
    expect(h.state).toBe('awaiting_approval');
    expect(policyView(h, p, at(20)).groups).toEqual([
      { name: 'lead', required: 1, approvedBy: ['lead@example.com'], met: true },
      { name: 'business', required: 1, approvedBy: [], met: false },
    ]);
    expect(h.events.at(-1)?.message).toContain('business: waiting — 1 of *@finance.example.com, cto@example.com');
    expect(decide(h, promote('ann@finance.example.com'), p, ctx('ann', at(21)))).toMatchObject({ kind: 'promoted', approvers: ['lead@example.com', 'ann@finance.example.com'] });
    expect(h.approvals.map((a) => [a.actor, a.group])).toEqual([['lead@example.com', 'lead'], ['ann@finance.example.com', 'business']]);
  });

  it('one person in both groups meets one of them only', () => {
    const p = leadAndBusiness();
    const h = awaitingApproval({ policy: p });
    decide(h, promote('cto@example.com'), p, ctx('cto', at(20)));
    expect(h.state).toBe('awaiting_approval');
    expect(groupStatus(h, p, BUILD_1).filter((g) => g.met)).toHaveLength(1);
  });

  it('the requester never counts: not by the API, not for a group, not on someone else\'s behalf', () => {
    const p = leadAndBusiness();
    const h = awaitingApproval({ policy: p, requestedBy: 'lead@example.com' });
    expect(() => decide(h, promote('lead@example.com'), p, ctx())).toThrow(/requested this hotfix/);
    expect(() => decide(h, promote('api', { onBehalfOf: 'lead@example.com' }), p, ctx())).toThrow(ForbiddenError);
    expect(() => decide(h, promote('nobody@elsewhere.org'), p, ctx())).toThrow(/not allowed to decide/);
    expect(h.approvals).toHaveLength(0);
  });

  it('an admin deciding for someone is recorded as on their behalf, and counts as theirs', () => {
    const p = leadAndBusiness();
    const h = awaitingApproval({ policy: p });
    decide(h, promote('api', { onBehalfOf: 'lead@example.com' }), p, ctx('api', at(20)));
    expect(h.approvals[0]).toMatchObject({ actor: 'api', onBehalfOf: 'lead@example.com', group: 'lead' });
  });

  it('mails the QA recipients and every approver named by address, never the requester', () => {
    const p = leadAndBusiness();
    const h = awaitingApproval({ policy: p, requestedBy: 'cto@example.com' });
    expect(qaEmailRecipients(h, p)).toEqual(['qa-team@example.com', 'lead@example.com']);
  });
});

describe('freeze windows', () => {
  it('a promote during a freeze without an override changes nothing and names the freeze and its end', () => {
    const p = leadAndBusiness({ freezes: frozen(at(0), at(600)) });
    const h = awaitingApproval({ policy: p });
    const err = (() => {
      try {
        decide(h, promote('lead@example.com'), p, ctx('lead', at(20)));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(FrozenError);
    expect((err as FrozenError).message).toContain(`frozen (year-end) until ${at(600).toISOString()}`);
    expect(h.approvals).toHaveLength(0);
  });

  it('the override: a lead with a reason; then business completes the promotion, which deploys through the freeze', () => {
    const p = leadAndBusiness({ freezes: frozen(at(0), at(600)) });
    const h = awaitingApproval({ policy: p });
    expect(() => decide(h, promote('ann@finance.example.com', { override: 'payments down' }), p, ctx())).toThrow(/cannot override the year-end freeze/);
    decide(h, promote('lead@example.com', { override: 'payments are down for every EU customer' }), p, ctx('lead', at(20)));
    decide(h, promote('ann@finance.example.com'), p, ctx('ann', at(21)));
    expect(h.state).toBe('deploying');
    expect(h.promotion?.override).toMatchObject({ by: 'lead@example.com', reason: 'payments are down for every EU customer' });
    baseChecked(h, { newestTag: 'prod-41', current: true }, p, ctx('system', at(22)));
    applyReport(h, report({ stage: 'qa-down', number: QA_DOWN_NUMBER, status: 'SUCCESS' }), p, ctx('jenkins', at(23)));
    expect(h.deploys).toHaveLength(1);
  });

  it('a window that starts while the approved hotfix waits: it waits, lets the slot go, and deploys after', () => {
    const p0 = leadAndBusiness();
    const h: Hotfix = awaitingApproval({ policy: p0 });
    decide(h, promote('lead@example.com'), p0, ctx('lead', at(20)));
    decide(h, promote('ann@finance.example.com'), p0, ctx('ann', at(21)));
    completeEffect(h, h.outbox.find((e) => e.step === 'teardown-qa')?.id ?? ''); // its call went out
    // The freeze begins before the QA teardown has finished.
    const p = { ...p0, freezes: frozen(at(22), at(120), 'weekend') };
    baseChecked(h, { newestTag: 'prod-41', current: true }, p, ctx('system', at(22)));
    applyReport(h, report({ stage: 'qa-down', number: QA_DOWN_NUMBER, status: 'SUCCESS' }), p, ctx('jenkins', at(30)));
    expect(h.deploys).toHaveLength(0);
    expect(h.promotion?.frozen).toEqual({ name: 'weekend', until: at(120).toISOString() });
    expect(needsSlot(h)).toBe(false);
    const wake = h.outbox.find((e) => e.step === 'wake');
    expect(wake?.runAt).toBe(at(120).toISOString());
    // Still frozen: nothing; after: the base is checked again under the slot, then deployed.
    advance(h, p, ctx('system', at(60)));
    expect(h.outbox.some((e) => e.step === 'start-deploy')).toBe(false);
    completeEffect(h, wake?.id ?? '');
    advance(h, p, ctx('system', at(121)));
    expect(h.promotion?.frozen).toBeNull();
    expect(h.outbox.some((e) => e.step === 'start-deploy')).toBe(true);
    baseChecked(h, { newestTag: 'prod-41', current: true }, p, ctx('system', at(122)));
    expect(h.deploys).toHaveLength(1);
  });
});
