// One production deploy per service at a time: who may hold the service's deploy slot, when a
// holder's claim is stale, and who is served next. The slot itself lives in Redis (the
// DeployRegistry port); these are the rules, read off the hotfix's own record.

import { isFinal, type Hotfix, type StepName } from './hotfix.js';

/** Done with production: tagged and (when checked) judged, or failed and left to a person. */
function rollbackSettled(h: Hotfix): boolean {
  const rb = h.rollback;
  if (!rb || rb.refused) return true;
  const deploy = h.deploys.filter((d) => d.kind === 'rollback').at(-1);
  if (rb.target === null || deploy === undefined || !isFinal(deploy.status)) return false;
  // A failed rollback is a person's to handle; nothing automatic will deploy for it.
  if (deploy.status !== 'SUCCESS') return true;
  return rb.tag !== null && (!rb.check || rb.check.result !== null);
}

/**
 * Does the hotfix need its service's deploy slot? Only while a deploy of it can still make
 * progress: a deploy or rollback Jenkins may still be running, a production deploy not yet
 * tagged and merged into the production branch (the next deploy must contain it), or an
 * approved build on its way whose base is current. Never just because it waits for a person.
 */
export function needsSlot(h: Hotfix): boolean {
  if (!rollbackSettled(h)) return true;
  const deploy = h.deploys.filter((d) => d.kind === 'hotfix').at(-1);
  if (deploy && !isFinal(deploy.status)) return true;
  if (deploy?.status === 'SUCCESS') {
    // Rolled back (or a rollback that is a person's now): this deploy no longer holds production.
    if (h.state === 'rolled_back' || (h.rollback && !h.rollback.refused)) return false;
    const f = h.finalization;
    // Tagged and merged, or tagged with the merge left to a person: the next deploy can see it.
    return !(f?.productionTag && (f.mergeCommit || h.state === 'needs_attention'));
  }
  const p = h.promotion;
  return h.state === 'deploying' && p !== null && !h.rollback && !p.frozen && (p.base == null || p.base.current);
}

/** A holder whose own record says it no longer needs the slot (it died before letting go). */
export function holderIsStale(holder: Hotfix | null): boolean {
  return holder === null || !needsSlot(holder);
}

const SLOT_WAITERS: readonly StepName[] = ['start-deploy', 'start-rollback'];

/** The steps of `h` that wait for the slot (to be woken when it is let go). */
export function slotWaits(h: Hotfix): Hotfix['outbox'] {
  return h.outbox.filter((e) => SLOT_WAITERS.includes(e.step) && e.runAt !== null);
}

/** Of the hotfixes refused the slot (first refused first), the one to wake: the first that still waits. */
export function nextWaiter(waiters: readonly (Hotfix | null)[]): Hotfix | null {
  return waiters.find((h): h is Hotfix => h !== null && slotWaits(h).length > 0) ?? null;
}
