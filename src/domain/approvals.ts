// Who may decide, and what a decision does. `decide` runs inside one atomic store update, so
// of twenty racing clicks exactly one starts the promotion and the rest are told who won.

import picomatch from 'picomatch';
import { advance } from './advance.js';
import { ForbiddenError, InvalidStateError } from './errors.js';
import type { Approval, Decision, Hotfix } from './hotfix.js';
import type { ServicePolicy } from './policy.js';
import { requestTeardown } from './qa.js';
import { addEffect, moveTo, note, type Context } from './record.js';

export interface DecisionRequest {
  actor: string;
  decision: Decision;
  comment: string;
  via: 'email' | 'api';
  /** The build the decision is about; the current one when made through the API. */
  build: number | null;
  linkId: string | null;
}

export type DecisionOutcome =
  | { kind: 'recorded'; approvals: number; required: number }
  | { kind: 'promoted'; approvers: string[] }
  | { kind: 'rejected' };

/** A decision that changes nothing; `reason` lets pages choose their words. */
export class DecisionRefused extends InvalidStateError {
  constructor(
    readonly reason: 'used' | 'out_of_date',
    message: string,
    state?: string,
  ) {
    super(message, state);
  }
}

export function mayApprove(actor: string, approvers: readonly string[]): boolean {
  if (approvers.length === 0) return false;
  // Globs on email addresses: `*` may span dots (`*@example.com`), nothing is a path.
  return picomatch.isMatch(actor.trim().toLowerCase(), approvers.map((a) => a.toLowerCase()), { dot: true, nobrace: true, noextglob: true });
}

export function sameActor(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function lastDecisive(h: Hotfix): Approval | undefined {
  const build = h.promotion?.build ?? h.rejection?.build;
  return [...h.approvals].reverse().find((a) => a.build === build && (h.state === 'rejected' ? a.decision === 'reject' : a.decision === 'promote'));
}

/** Why a decision no longer applies, in words for the person who made it. */
export function explainOutOfDate(h: Hotfix): string {
  if (h.rejection && h.state === 'rejected') {
    return `already rejected by ${h.rejection.actor} at ${h.rejection.at}${h.rejection.reason ? `: ${h.rejection.reason}` : ''}`;
  }
  if (h.promotion) {
    const who = lastDecisive(h);
    return `already promoted by ${h.promotion.approvedBy.join(' and ')} at ${who?.at ?? h.promotion.approvedAt} (now ${h.state})`;
  }
  if (h.state === 'cancelled') return 'out of date: the hotfix was cancelled';
  return `out of date: the hotfix is ${h.state.replace(/_/g, ' ')}`;
}

function promotersOf(h: Hotfix, build: number): string[] {
  const names = h.approvals.filter((a) => a.build === build && a.decision === 'promote').map((a) => a.actor.toLowerCase());
  return [...new Set(names)];
}

/**
 * Why a decision through this link, on this build, can no longer be taken — or null if it
 * can. The email page asks before showing its form; `decide` asks before deciding.
 */
export function refusalOf(h: Hotfix, linkId: string | null, build: number | null): DecisionRefused | null {
  const used = linkId ? h.approvals.find((a) => a.linkId === linkId) : undefined;
  if (used) return new DecisionRefused('used', `this link was already used: ${used.decision === 'promote' ? 'promoted' : 'rejected'} by ${used.actor} at ${used.at}`, h.state);
  if (h.state !== 'awaiting_approval' || !h.qa) return new DecisionRefused('out_of_date', explainOutOfDate(h), h.state);
  if (build !== null && build !== h.qa.build) {
    return new DecisionRefused('out_of_date', `out of date: this decision is for build #${build}, but QA is now testing build #${h.qa.build}`, h.state);
  }
  return null;
}

export function decide(h: Hotfix, req: DecisionRequest, policy: ServicePolicy, ctx: Context): DecisionOutcome {
  const refused = refusalOf(h, req.linkId, req.build);
  if (refused) throw refused;
  const qa = h.qa;
  if (!qa) throw new DecisionRefused('out_of_date', explainOutOfDate(h), h.state);
  const build = req.build ?? qa.build;
  if (!mayApprove(req.actor, policy.approvals.approvers)) {
    throw new ForbiddenError(`${req.actor} is not allowed to decide on ${policy.name} hotfixes (approvals.approvers)`);
  }
  if (req.decision === 'promote' && sameActor(req.actor, h.requestedBy)) {
    throw new ForbiddenError(`${req.actor} requested this hotfix and cannot approve it`);
  }
  const earlier = h.approvals.find((a) => a.build === build && sameActor(a.actor, req.actor) && a.decision === 'promote');
  if (req.decision === 'promote' && earlier) {
    throw new DecisionRefused('used', `already approved by ${earlier.actor} at ${earlier.at}`, h.state);
  }
  const at = ctx.now.toISOString();
  h.approvals.push({ actor: req.actor, decision: req.decision, comment: req.comment, at, via: req.via, build, linkId: req.linkId });
  if (req.decision === 'reject') h.rejection = { actor: req.actor, reason: req.comment, at, build };
  advance(h, policy, ctx);
  if (h.state === 'rejected') return { kind: 'rejected' };
  if (h.state === 'deploying' && h.promotion) return { kind: 'promoted', approvers: h.promotion.approvedBy };
  const approvers = promotersOf(h, build);
  note(h, 'approval', ctx, `approved by ${req.actor} (${approvers.length} of ${policy.approvals.required})`);
  return { kind: 'recorded', approvals: approvers.length, required: policy.approvals.required };
}

/** `advance` in awaiting_approval: a reject of the build under test wins; enough promotes send it to production. */
export function nextAfterDecisions(h: Hotfix, policy: ServicePolicy, ctx: Context): boolean {
  const qa = h.qa;
  if (!qa) return false;
  const rejection = h.rejection?.build === qa.build ? h.rejection : null;
  if (rejection) {
    const message = rejection.expired ? 'qa expired' : `rejected by ${rejection.actor}${rejection.reason ? `: ${rejection.reason}` : ''}`;
    moveTo(h, 'rejected', ctx, message);
    requestTeardown(h, policy, ctx);
    addEffect(h, 'notify-slack', { event: 'rejected', build: qa.build }, ctx.now);
    addEffect(h, 'notify-requester', { event: 'rejected', build: qa.build }, ctx.now);
    return true;
  }
  const approvers = promotersOf(h, qa.build);
  if (approvers.length === 0 || approvers.length < policy.approvals.required) return false;
  const approvedAt = h.approvals.filter((a) => a.build === qa.build && a.decision === 'promote').at(-1)?.at ?? ctx.now.toISOString();
  h.promotion = { build: qa.build, commit: qa.commit, artifact: qa.artifact, approvedBy: approvers, approvedAt, waitingFor: null, base: null };
  moveTo(h, 'deploying', ctx, `approved by ${approvers.join(', ')}; tearing down QA, then deploying build #${qa.build}`);
  // The deploy slot and the base check follow once the teardown has been asked for (`nextInDeploying`).
  requestTeardown(h, policy, ctx);
  addEffect(h, 'notify-slack', { event: 'promoted', build: qa.build }, ctx.now);
  return true;
}

export function approvalsFor(h: Hotfix): { build: number | null; count: number } {
  const build = h.qa?.build ?? null;
  return { build, count: build === null ? 0 : promotersOf(h, build).length };
}
