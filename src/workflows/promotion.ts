// Decisions (from the email page or the API) and the start of a production deploy: the
// service's deploy slot and the stale-base guard, while QA is torn down.

import { decide, recordChanges, type DecisionOutcome, type DecisionRequest } from '../domain/approvals.js';
import { approvedDeploy, baseChecked, overrideFreeze, waitForSlot } from '../domain/deploy.js';
import { holderIsStale } from '../domain/deploy-slot.js';
import { ConflictError } from '../domain/errors.js';
import type { BaseCheck, Hotfix } from '../domain/hotfix.js';
import { addEffect, completeEffect, flagAttention } from '../domain/record.js';
import { change, context, load, serviceOf } from './change.js';
import type { Deps } from './deps.js';
import { argNumber, skip, type Step, type StepInput } from './step.js';

// A fallback: the holder wakes the longest waiter when it lets go. This look catches a holder
// that died holding the slot (taken over once its own record says it no longer needs it).
const SLOT_RECHECK_MS = 30_000;

/**
 * What the build under QA changes from production, when no QA email has looked yet: a promote
 * of a build without changes needs a confirmation, however fast it comes.
 */
export async function changesOf(deps: Deps, h: Hotfix): Promise<{ cycle: number; commits: number; files: number } | null> {
  const qa = h.qa;
  if (!qa || qa.changes != null || !h.baseCommit) return null;
  const found = await deps.git.changes(serviceOf(deps, h).repo, h.baseCommit, qa.commit);
  return { cycle: qa.cycle, commits: found.commits.length, files: found.files.length };
}

export async function decideOn(deps: Deps, hotfixId: string, req: DecisionRequest): Promise<{ hotfix: Hotfix; outcome: DecisionOutcome }> {
  const looked = req.decision === 'promote' ? await changesOf(deps, await load(deps, hotfixId)) : null;
  const { hotfix, result } = await change(deps, hotfixId, (d): DecisionOutcome => {
    if (looked) recordChanges(d, looked.cycle, { commits: looked.commits, files: looked.files });
    // An approved hotfix waiting out a freeze: a promote with an override lets it go now.
    if (req.decision === 'promote' && req.override && d.state === 'deploying' && d.promotion?.frozen) {
      overrideFreeze(d, (req.onBehalfOf ?? req.actor).toLowerCase(), req.override, serviceOf(deps, d), context(deps, req.actor));
      return { kind: 'promoted', approvers: d.promotion.approvedBy };
    }
    return decide(d, req, serviceOf(deps, d), context(deps, req.actor));
  });
  return { hotfix, outcome: result };
}

/** Claim the deploy slot, or record that we wait and look again shortly. */
export async function claimSlot(deps: Deps, input: StepInput): Promise<boolean> {
  const h = input.hotfix;
  let claim = await deps.deployments.claim(h.service, h.id);
  if (!claim.granted && holderIsStale(await deps.store.get(claim.holder))) {
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
 * start-deploy {build}: owed by `advance` once the QA teardown has been asked for, so the git
 * work of the stale-base guard overlaps the teardown instead of following it. A stale base,
 * once recorded, no longer needs the slot, and `change` lets it go. The answer is taken under
 * the deploy slot: only this service's deploys move production tags, and they wait for the
 * slot. A tag someone pushes by hand during the teardown is not seen; nor was one pushed while
 * Jenkins queued the deploy job, before.
 */
export const startDeployStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const p = h.promotion;
  if (h.state !== 'deploying' || !p || p.build !== argNumber(input.effect, 'build') || p.base) return skip(deps, input);
  if (approvedDeploy(h)) return skip(deps, input);
  if (!(await claimSlot(deps, input))) return;
  const service = serviceOf(deps, h);
  const base = await deps.git.checkBase(service.repo, service.tags.production, p.commit, h.baseCommit ?? p.commit);
  const record = async (check: Omit<BaseCheck, 'at'>) =>
    change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      baseChecked(d, check, service, context(deps, 'system'));
    });
  if (!base.baseInProduction) return void (await record({ newestTag: base.newestTag, current: false, rolledBack: true }));
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
    return;
  }
  // This build will not deploy: recorded so, its slot goes to the next hotfix of the service.
  await record({ newestTag: tag, current: false });
};
