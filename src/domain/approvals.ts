// Who may decide, and what a decision does. `decide` runs inside one atomic store update, so
// of twenty racing clicks exactly one starts the promotion and the rest are told who won.
// Approvals meet groups (a tech lead and a business owner …); the requester never counts, a
// person counts once; during a freeze window a promotion needs an override from its group.

import { advance } from './advance.js';
import { describeGroup, isMember, matchGroups, type GroupStatus } from './approval-groups.js';
import { FrozenError, ForbiddenError, InvalidStateError } from './errors.js';
import { CHANGE_LIST_MAX, type Approval, type ChangeList, type Channel, type Decision, type Hotfix, type HotfixView, type QaCycle } from './hotfix.js';
import { approvalGroups, type ServicePolicy } from './policy.js';
import { requestTeardown } from './qa.js';
import { addEffect, moveTo, note, type Context } from './record.js';

export interface DecisionRequest {
  /** The authenticated principal (an email link's recipient, a token's or SSO's principal). */
  actor: string;
  /** An admin deciding for this person (the decision counts as theirs). */
  onBehalfOf?: string | null;
  decision: Decision;
  comment: string;
  via: Channel;
  /** The build the decision is about; the current one when made through the API. */
  build: number | null;
  linkId: string | null;
  /** Promote through a freeze window: the reason (only a member of the override group may). */
  override?: string | null;
  /** The decider saw that the build contains no change from production and promotes it anyway. */
  confirmNoChange?: boolean;
}

export type DecisionOutcome =
  | { kind: 'recorded'; approvals: number; required: number }
  | { kind: 'promoted'; approvers: string[] }
  | { kind: 'rejected' };

/** The person a decision counts for. */
export function decider(a: Pick<Approval, 'actor' | 'onBehalfOf'>): string {
  return (a.onBehalfOf ?? a.actor).trim().toLowerCase();
}

/** A decision that changes nothing; `reason` lets pages choose their words. */
export class DecisionRefused extends InvalidStateError {
  constructor(
    readonly reason: 'used' | 'out_of_date' | 'no_change',
    message: string,
    state?: string,
  ) {
    super(message, state);
  }
}

/**
 * Who gets the QA email with links: the QA recipients, and every approver named by address in
 * a group (globs name nobody in particular) — not the requester, whose promote would not count.
 */
export function qaEmailRecipients(h: Pick<Hotfix, 'requestedBy'>, policy: ServicePolicy): string[] {
  const named = approvalGroups(policy.approvals).flatMap((g) => g.members.filter((m) => !m.includes('*')));
  const approvers = named.map((m) => m.toLowerCase()).filter((m) => !sameActor(m, h.requestedBy));
  const all = [...policy.qa.recipients.map((r) => r.toLowerCase()), ...approvers];
  return [...new Set(all)];
}

/** May this person decide on the service's hotfixes at all (a member of some group)? */
export function mayDecide(person: string, policy: ServicePolicy): boolean {
  return approvalGroups(policy.approvals).some((g) => isMember(person, g.members));
}

/** May `actor` decide under this policy (a member of at least one group)? */
export function mayApprove(actor: string, approvers: readonly string[]): boolean {
  return isMember(actor, approvers);
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

/** Distinct people who promoted `build`, the requester never among them, first first. */
function promotersOf(h: Hotfix, build: number): string[] {
  const names = h.approvals.filter((a) => a.build === build && a.decision === 'promote').map(decider);
  return [...new Set(names)].filter((n) => !sameActor(n, h.requestedBy));
}

/** Which groups the promotes of `build` meet, and by whom. */
export function groupStatus(h: Hotfix, policy: ServicePolicy, build: number | null): GroupStatus[] {
  return matchGroups(approvalGroups(policy.approvals), build === null ? [] : promotersOf(h, build));
}

export interface PolicyView {
  groups: GroupStatus[];
  freeze: { name: string; until: string } | null;
}

/** A hotfix as GET /api/v1/hotfixes/:id answers it: the record and where its policy stands. */
export type ApiHotfix = HotfixView & { policy?: PolicyView };

/** The policy as the API shows it: the groups of the build under test and an active freeze. */
export function policyView(h: Hotfix, policy: ServicePolicy, now: Date): PolicyView {
  const freeze = policy.freezes?.activeAt(now) ?? null;
  return { groups: groupStatus(h, policy, h.promotion?.build ?? h.qa?.build ?? null), freeze: freeze ? { name: freeze.name, until: freeze.until.toISOString() } : null };
}

/** Each group in words, for pages, emails and Slack. */
export function describeGroups(h: Hotfix, policy: ServicePolicy, build: number | null): string[] {
  const groups = approvalGroups(policy.approvals);
  return groupStatus(h, policy, build).map((s, i) => describeGroup(s, groups[i]?.members ?? []));
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
  const person = decider(req);
  const groups = approvalGroups(policy.approvals);
  if (!groups.some((g) => isMember(person, g.members))) {
    throw new ForbiddenError(`${person} is not allowed to decide on ${policy.name} hotfixes (not in ${groups.map((g) => g.name).join(' or ')})`);
  }
  if (req.decision === 'promote' && sameActor(person, h.requestedBy)) {
    throw new ForbiddenError(`${person} requested this hotfix and cannot approve it`);
  }
  if (req.decision === 'promote') refuseNoChange(h, qa, req, policy);
  const earlier = h.approvals.find((a) => a.build === build && decider(a) === person && a.decision === 'promote');
  if (req.decision === 'promote' && earlier && !req.override) {
    throw new DecisionRefused('used', `already approved by ${person} at ${earlier.at}`, h.state);
  }
  const override = req.decision === 'promote' ? freezeOverride(h, req, person, policy, ctx) : null;
  const at = ctx.now.toISOString();
  h.approvals.push({
    actor: req.actor,
    ...(req.onBehalfOf ? { onBehalfOf: req.onBehalfOf } : {}),
    decision: req.decision,
    comment: req.comment,
    at,
    via: req.via,
    build,
    linkId: req.linkId,
    ...(override ? { override: override.reason } : {}),
  });
  assignGroups(h, policy, build);
  if (req.decision === 'reject') h.rejection = { actor: person, reason: req.comment, at, build };
  advance(h, policy, ctx);
  if (h.state === 'rejected') return { kind: 'rejected' };
  if (h.state === 'deploying' && h.promotion) return { kind: 'promoted', approvers: h.promotion.approvedBy };
  const status = groupStatus(h, policy, build);
  const counted = status.reduce((n, g) => n + g.approvedBy.length, 0);
  const required = status.reduce((n, g) => n + g.required, 0);
  const words = describeGroups(h, policy, build).join('; ');
  note(h, 'approval', ctx, `approved by ${person} (${counted} of ${required}${status.length > 1 ? `: ${words}` : ''})`);
  return { kind: 'recorded', approvals: counted, required };
}

/** The build under test is the production tag's code again: say so, and promote only if told to. */
export function isNoChange(qa: Pick<QaCycle, 'changes'>): boolean {
  return qa.changes?.files === 0;
}

function refuseNoChange(h: Hotfix, qa: QaCycle, req: DecisionRequest, policy: ServicePolicy): void {
  if (!isNoChange(qa)) return;
  const what = `build #${qa.build} contains no change from production (${h.baseTag ?? 'the production tag'})`;
  if (policy.promoteWithoutChanges === 'refuse') throw new DecisionRefused('no_change', `${what}; ${policy.name} does not promote such builds: push the fix and build again, or reject it`, h.state);
  if (!req.confirmNoChange) throw new DecisionRefused('no_change', `${what}: promoting it needs an explicit confirmation (confirmNoChange)`, h.state);
}

/**
 * What a build changes from production, once looked at (while QA comes up, by the QA email, or
 * the first promote). With the lists, their first CHANGE_LIST_MAX entries are kept for the email.
 */
export function recordChanges(h: Hotfix, cycle: number, changes: { commits: number; files: number }, list?: ChangeList): void {
  const qa = h.qa;
  if (qa?.cycle !== cycle) return;
  if (qa.changes == null) qa.changes = changes;
  if (list && qa.changeList == null && qa.status !== 'down') {
    qa.changeList = {
      commits: list.commits.slice(0, CHANGE_LIST_MAX).map(({ sha, subject, author }) => ({ sha, subject, author })),
      files: list.files.slice(0, CHANGE_LIST_MAX).map(({ status, path }) => ({ status, path })),
    };
  }
}

/**
 * During a freeze a promote needs an override: a reason, from a member of the override group.
 * Without one nothing is recorded and the answer names the freeze and its end.
 */
function freezeOverride(h: Hotfix, req: DecisionRequest, person: string, policy: ServicePolicy, ctx: Context): { reason: string; freeze: string } | null {
  const freeze = policy.freezes?.activeAt(ctx.now) ?? null;
  if (!freeze) return null;
  // Once the override group has overridden it for this build, the other approvals need not.
  const build = req.build ?? h.qa?.build;
  if (h.approvals.some((a) => a.build === build && a.override)) return null;
  const groupName = policy.freezeOverride?.group;
  const group = approvalGroups(policy.approvals).find((g) => g.name === groupName);
  const how = group ? `an approval from ${group.name} with a reason (override)` : 'an override, and this service has none configured (freezeOverride)';
  if (!req.override?.trim()) throw new FrozenError(freeze.name, freeze.until, `production is frozen (${freeze.name}) until ${freeze.until.toISOString()}: promoting now needs ${how}`);
  if (!group || !isMember(person, group.members)) throw new ForbiddenError(`${person} cannot override the ${freeze.name} freeze: only ${groupName ?? 'nobody'} can`);
  note(h, 'approval', ctx, `${person} overrides the ${freeze.name} freeze: ${req.override.trim()}`);
  return { reason: req.override.trim(), freeze: freeze.name };
}

/** Record on each promote of `build` the group it counts for (named groups only: the older single form has none). */
function assignGroups(h: Hotfix, policy: ServicePolicy, build: number): void {
  if (!('groups' in policy.approvals)) return;
  const seated = new Map<string, string>();
  for (const g of groupStatus(h, policy, build)) for (const p of g.approvedBy) seated.set(p, g.name);
  for (const a of h.approvals) {
    if (a.build === build && a.decision === 'promote') a.group = seated.get(decider(a)) ?? null;
  }
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
  const status = groupStatus(h, policy, qa.build);
  if (status.length === 0 || !status.every((g) => g.met)) return false;
  const counted = new Set(status.flatMap((g) => g.approvedBy));
  const approvers = promotersOf(h, qa.build).filter((p) => counted.has(p));
  const promotes = h.approvals.filter((a) => a.build === qa.build && a.decision === 'promote');
  const approvedAt = promotes.at(-1)?.at ?? ctx.now.toISOString();
  const overridden = promotes.find((a) => a.override);
  const freeze = policy.freezes?.activeAt(ctx.now);
  h.promotion = {
    build: qa.build,
    commit: qa.commit,
    artifact: qa.artifact,
    approvedBy: approvers,
    approvedAt,
    waitingFor: null,
    base: null,
    ...(overridden?.override ? { override: { by: decider(overridden), reason: overridden.override, freeze: freeze?.name ?? 'freeze' } } : {}),
  };
  moveTo(h, 'deploying', ctx, `approved by ${approvers.join(', ')}; tearing down QA, then deploying build #${qa.build}`);
  // The deploy slot and the base check follow once the teardown has been asked for (`nextInDeploying`).
  requestTeardown(h, policy, ctx);
  addEffect(h, 'notify-slack', { event: 'promoted', build: qa.build }, ctx.now);
  return true;
}

export function approvalsFor(h: Hotfix, policy: ServicePolicy): { build: number | null; count: number; required: number; groups: GroupStatus[] } {
  const build = h.qa?.build ?? null;
  const groups = groupStatus(h, policy, build);
  return { build, count: groups.reduce((n, g) => n + g.approvedBy.length, 0), required: groups.reduce((n, g) => n + g.required, 0), groups };
}
