// Decisions (from the email page or the API) and the start of a production deploy: the
// service's deploy slot and the stale-base guard, while QA is torn down.

import { decide, type DecisionOutcome, type DecisionRequest } from '../domain/approvals.js';
import { baseChecked, waitForSlot } from '../domain/deploy.js';
import { ConflictError } from '../domain/errors.js';
import type { BaseCheck, Hotfix, StepName } from '../domain/hotfix.js';
import { addEffect, completeEffect, flagAttention } from '../domain/record.js';
import { change, context, serviceOf } from './change.js';
import type { Deps } from './deps.js';
import { argNumber, skip, type Step, type StepInput } from './step.js';

// A fallback: the holder wakes the longest waiter when it lets go. This look catches a holder
// that died holding the slot (taken over once its hotfix has moved past needing it).
const SLOT_RECHECK_MS = 30_000;
// States in which a hotfix may legitimately hold its service's deploy slot.
const HOLDING = ['deploying', 'finalizing', 'needs_attention', 'awaiting_backmerge', 'completed', 'rolled_back'];

export async function decideOn(deps: Deps, hotfixId: string, req: DecisionRequest): Promise<{ hotfix: Hotfix; outcome: DecisionOutcome }> {
  const { hotfix, result } = await change(deps, hotfixId, (d) => decide(d, req, serviceOf(deps, d), context(deps, req.actor)));
  return { hotfix, outcome: result };
}

/** Does `holder` still need the slot? A holder that finished without letting go does not. */
async function holderIsStale(deps: Deps, holderId: string): Promise<boolean> {
  const holder = await deps.store.get(holderId);
  if (!holder || !HOLDING.includes(holder.state)) return true;
  // Once production is tagged and the production branch merged (or left to a person), the
  // slot is no longer needed.
  if (holder.state === 'awaiting_backmerge' || holder.state === 'completed') return true;
  const f = holder.finalization;
  if (f?.productionTag && (f.mergeCommit || holder.state === 'needs_attention')) return true;
  if (holder.state === 'rolled_back') return holder.rollback?.tag !== null;
  return false;
}

// Steps that wait for the slot: woken when it is let go, or at their next look.
const SLOT_WAITERS: readonly StepName[] = ['start-deploy', 'start-rollback'];

/**
 * Let go of the service's deploy slot and start the hotfix that has waited longest now, not at
 * its next look. Only one: the others would be refused again; they stay listed for the next
 * release.
 */
export async function releaseSlot(deps: Deps, service: string, hotfixId: string): Promise<void> {
  for (const id of await deps.deployments.release(service, hotfixId)) {
    const waiting = (await deps.store.get(id))?.outbox.filter((e) => SLOT_WAITERS.includes(e.step) && e.runAt !== null) ?? [];
    if (waiting.length > 0) return deps.scheduler.wake(id, waiting);
    await deps.deployments.forget(service, id); // cancelled, or already on its way
  }
}

/** Claim the deploy slot, or record that we wait and look again shortly. */
export async function claimSlot(deps: Deps, input: StepInput): Promise<boolean> {
  const h = input.hotfix;
  let claim = await deps.deployments.claim(h.service, h.id);
  if (!claim.granted && (await holderIsStale(deps, claim.holder))) {
    await deps.deployments.takeOver(h.service, claim.holder, h.id);
    claim = await deps.deployments.claim(h.service, h.id);
  }
  if (claim.granted) return true;
  const holder = claim.holder;
  let next = '';
  const { hotfix } = await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    waitForSlot(d, holder, context(deps, 'system'));
    const args = { ...input.effect.args, wait: Number(input.effect.args.wait ?? 0) + 1 };
    next = addEffect(d, input.effect.step, args, deps.clock.now(), new Date(deps.clock.now().getTime() + SLOT_RECHECK_MS));
  });
  // Let go between the refusal and that record, the holder found nothing of ours to wake (and
  // forgot us): ask once more.
  if ((await deps.deployments.claim(h.service, h.id)).granted) await deps.scheduler.wake(h.id, hotfix.outbox.filter((e) => e.id === next));
  return false;
}

/**
 * start-deploy {build}: queued by the QA teardown step once the teardown is asked for, so the
 * git work of the stale-base guard overlaps the teardown instead of following it. It is
 * recorded only after a stale base has let the slot go, so no hotfix holds the slot while it
 * waits to rebuild. The answer is taken
 * under the deploy slot: only this service's deploys move production tags, and they wait for
 * the slot. A tag someone pushes by hand during the teardown is not seen; nor was one pushed
 * while Jenkins queued the deploy job, before.
 */
export const startDeployStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const p = h.promotion;
  if (h.state !== 'deploying' || !p || p.build !== argNumber(input.effect, 'build') || p.base) return skip(deps, input);
  if (h.deploys.some((d) => d.kind === 'hotfix' && d.commit === p.commit)) return skip(deps, input);
  if (!(await claimSlot(deps, input))) return;
  const service = serviceOf(deps, h);
  const base = await deps.git.checkBase(service.repo, service.tags.production, p.commit);
  const record = async (check: Omit<BaseCheck, 'at'>) =>
    change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      baseChecked(d, check, service, context(deps, 'system'));
    });
  if (base.contains || !base.newestTag) return void (await record({ newestTag: base.newestTag, current: true }));
  const tag = base.newestTag;
  try {
    await deps.git.mergeTagIntoBranch(service.repo, h.branch, tag, `Merge production ${tag} into hotfix ${h.id}`);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    await change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      flagAttention(
        d,
        context(deps, 'system'),
        `production moved to ${tag} and merging it into ${h.branch} conflicts in: ${err.files.join(', ')}`,
        `merge ${tag} into ${h.branch} by hand, push, then build again`,
      );
    });
    await releaseSlot(deps, h.service, h.id);
    return;
  }
  // This build will not deploy: let the next hotfix of the service have the slot.
  await releaseSlot(deps, h.service, h.id);
  await record({ newestTag: tag, current: false });
};
