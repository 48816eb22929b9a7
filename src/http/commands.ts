// What a signed-in principal may ask of a hotfix, checked once: the API handlers and the web
// console both come here, so a role rule cannot differ between them.

import type { DecisionOutcome } from '../domain/approvals.js';
import { ForbiddenError, ValidationError } from '../domain/errors.js';
import type { Channel, Decision, Hotfix } from '../domain/hotfix.js';
import type { Principal } from '../ports/identity.js';
import { load } from '../workflows/change.js';
import { cancelHotfix, requestBuildNow, retryHotfix } from '../workflows/commands.js';
import type { Deps } from '../workflows/deps.js';
import { decideOn } from '../workflows/promotion.js';
import { requestRollback } from '../workflows/rollback.js';
import { hasRole, requireRole } from './auth.js';

/** Who asks: the principal, and whom it acts for (an admin on behalf of someone, else itself). */
export interface Asker {
  principal: Principal;
  actor: string;
  onBehalfOf: string | null;
}

const person = (who: Asker) => who.onBehalfOf ?? who.actor;

/** A requester may act on their own hotfixes; an operator (or admin) on any. */
export async function requireOwnerOr(deps: Deps, p: Principal, id: string, what: string): Promise<void> {
  if (hasRole(p, 'operator')) return;
  requireRole(p, what, 'requester', 'operator');
  const h = await load(deps, id);
  if (h.requestedBy.toLowerCase() !== p.name.toLowerCase()) throw new ForbiddenError(`${p.name} may not ${what} ${id}: it was requested by ${h.requestedBy} (an operator may)`);
}

export async function askBuild(deps: Deps, who: Asker, id: string): Promise<Hotfix> {
  await requireOwnerOr(deps, who.principal, id, 'build');
  return requestBuildNow(deps, id, person(who));
}

export async function askCancel(deps: Deps, who: Asker, id: string, reason: string): Promise<Hotfix> {
  await requireOwnerOr(deps, who.principal, id, 'cancel');
  return cancelHotfix(deps, id, person(who), reason);
}

export async function askRetry(deps: Deps, who: Asker, id: string): Promise<Hotfix> {
  requireRole(who.principal, 'retry a stopped hotfix', 'operator');
  return retryHotfix(deps, id, person(who));
}

export async function askRollback(deps: Deps, who: Asker, id: string, reason: string): Promise<Hotfix> {
  requireRole(who.principal, 'roll back production', 'operator');
  if (reason.trim() === '') throw new ValidationError('reason', 'say why production is rolled back: it goes into the rollback tag and Slack');
  return requestRollback(deps, id, person(who), reason);
}

export interface DecisionAsked {
  decision: Decision;
  comment: string;
  via: Channel;
  /** The build the asker saw; null for "the one under QA now". */
  build: number | null;
  override?: string | null;
  confirmNoChange?: boolean;
}

export async function askDecision(deps: Deps, who: Asker, id: string, d: DecisionAsked): Promise<{ hotfix: Hotfix; outcome: DecisionOutcome }> {
  requireRole(who.principal, `${d.decision} hotfixes`, 'approver');
  if (d.decision === 'reject' && d.comment.trim() === '') throw new ValidationError('reason', 'say why you reject it: the requester needs to know');
  return decideOn(deps, id, { actor: who.actor, onBehalfOf: who.onBehalfOf, decision: d.decision, comment: d.comment, via: d.via, build: d.build, linkId: null, override: d.override ?? null, confirmNoChange: d.confirmNoChange ?? false });
}
