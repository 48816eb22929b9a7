// After the release: the merge into the production branch, the back-merge proposal, and
// watching develop until it contains the hotfix (the tags are tag-steps.ts). Each step checks
// git before acting.

import { ConflictError, InvalidStateError } from '../domain/errors.js';
import { backmergeChecked, backmergeOpened, finalizeBlocked, mergedIntoProduction, mergeMessage, type BackmergeMerger } from '../domain/finalize.js';
import { backmergeBranch } from '../domain/ids.js';
import { completeEffect } from '../domain/record.js';
import { renderBackmergeBody } from '../notify/backmerge.js';
import { change, context, serviceOf } from './change.js';
import type { Deps } from './deps.js';
import { argNumber, skip, type Step } from './step.js';

/** merge-production: `--no-ff` into branches.production, pushed without force. */
export const mergeProductionStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const f = h.finalization;
  if (h.state !== 'finalizing' || !f || f.mergeCommit) return skip(deps, input);
  const service = serviceOf(deps, h);
  const branch = service.branches.production;
  let merged: { mergeCommit: string; already: boolean };
  try {
    merged = await deps.git.mergeIntoBranch(service.repo, branch, f.commit, mergeMessage(h));
  } catch (err) {
    if (!(err instanceof ConflictError) && !(err instanceof InvalidStateError)) throw err;
    const files = err instanceof ConflictError ? `: ${err.files.join(', ')}` : '';
    await change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      finalizeBlocked(d, `merging into ${branch} failed${files}`, `merge ${f.commit.slice(0, 12)} into ${branch} by hand (no force-push), then POST /retry`, context(deps, 'system'), input.effect);
    });
    return;
  }
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    mergedIntoProduction(d, branch, merged.mergeCommit, merged.already, context(deps, 'system'));
  });
  // Tagged and merged: `change` lets the deploy slot go. Held until now so that the production
  // branch takes hotfixes in the order production did, each with its own merge commit.
};

/** open-backmerge: branch from the updated production branch, preview, pull request. */
export const openBackmergeStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const f = h.finalization;
  if (h.state !== 'finalizing' || !f?.mergeCommit) return skip(deps, input);
  const service = serviceOf(deps, h);
  const branch = backmergeBranch(h.id);
  // Pushed with the release, unless the merge came later (by a person, after a conflict).
  if (!f.backmergeBranch) await deps.git.ensureBranch(service.repo, branch, f.mergeCommit);
  const conflicts = f.backmergeConflicts ?? (await deps.git.previewMerge(service.repo, service.branches.development, branch)).conflicts;
  const pr = await deps.pullRequests(h.service).open({
    head: branch,
    base: service.branches.development,
    title: `Back-merge hotfix ${h.id} into ${service.branches.development}`,
    body: renderBackmergeBody(h, service.branches, conflicts),
  });
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    backmergeOpened(d, { url: pr.url, number: pr.number, conflicts }, deps.settings.backmergeCheckMs, service, context(deps, 'system'));
  });
};

/** check-backmerge {round}: develop contains the deployed commit → completed. */
export const checkBackmergeStep: Step = async (deps, input) => {
  const h = input.hotfix;
  if (h.state !== 'awaiting_backmerge' || !h.finalization) return skip(deps, input);
  const service = serviceOf(deps, h);
  const contained = await deps.git.branchContains(service.repo, service.branches.development, h.finalization.commit);
  const merger = contained ? await whoMerged(deps, h.service, h.backmerge?.number ?? null) : undefined;
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    backmergeChecked(d, contained, argNumber(input.effect, 'round'), deps.settings.backmergeCheckMs, service, context(deps, 'git'), merger);
  });
};

/**
 * For the audit trail: who merged the proposal, as its host records it. Git already said the
 * hotfix is in develop, so a host that cannot answer is written down, not waited for.
 */
async function whoMerged(deps: Deps, service: string, number: number | null): Promise<BackmergeMerger> {
  if (number === null) return { by: null };
  try {
    return { by: (await deps.pullRequests(service).merged(number))?.by ?? null };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    deps.log.warn({ err: why, number }, 'cannot ask the pull-request host who merged the back-merge');
    return { unasked: why };
  }
}
