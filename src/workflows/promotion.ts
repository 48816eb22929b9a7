// Decisions (from the email page or the API) and the start of a production deploy: the
// service's deploy slot, then the stale-base guard, then the deploy run.

import { decide, type DecisionOutcome, type DecisionRequest } from '../domain/approvals.js';
import { rebuildOnNewBase, requestDeploy, waitForSlot } from '../domain/deploy.js';
import { ConflictError } from '../domain/errors.js';
import type { Hotfix } from '../domain/hotfix.js';
import { addEffect, completeEffect, flagAttention } from '../domain/record.js';
import { change, context, serviceOf } from './change.js';
import type { Deps } from './deps.js';
import { argNumber, skip, type Step, type StepInput } from './step.js';

const SLOT_RECHECK_MS = 5_000;
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
  // Production is named once it is tagged; after that the slot is no longer needed.
  if (holder.state === 'awaiting_backmerge' || holder.state === 'completed') return true;
  if (holder.state === 'rolled_back') return holder.rollback?.tag !== null;
  return false;
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
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    waitForSlot(d, holder, context(deps, 'system'));
    const next = { ...input.effect.args, wait: Number(input.effect.args.wait ?? 0) + 1 };
    addEffect(d, input.effect.step, next, deps.clock.now(), new Date(deps.clock.now().getTime() + SLOT_RECHECK_MS));
  });
  return false;
}

/** start-deploy {build}: after QA is down. */
export const startDeployStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const p = h.promotion;
  if (h.state !== 'deploying' || !p || p.build !== argNumber(input.effect, 'build')) return skip(deps, input);
  if (h.deploys.some((d) => d.kind === 'hotfix' && d.commit === p.commit)) return skip(deps, input);
  if (!(await claimSlot(deps, input))) return;
  const service = serviceOf(deps, h);
  const base = await deps.git.checkBase(service.repo, service.tags.production, p.commit);
  if (!base.contains && base.newestTag) {
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
      await deps.deployments.release(h.service, h.id);
      return;
    }
    await change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      rebuildOnNewBase(d, tag, service, context(deps, 'system'));
    });
    await deps.deployments.release(h.service, h.id);
    return;
  }
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    if (d.state === 'deploying' && d.promotion) requestDeploy(d, service, context(deps, 'system'));
  });
};
