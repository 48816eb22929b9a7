// Building the hotfix branch: asking for a build (recorded here), and what its result means
// for the hotfix (decided in `advance` through `nextInBuilding`).

import { advance } from './advance.js';
import { InvalidStateError } from './errors.js';
import { isFinal, type Hotfix, type Run } from './hotfix.js';
import type { ServicePolicy } from './policy.js';
import { startQaCycle } from './qa.js';
import { addEffect, dropEffects, flagAttention, moveTo, note, type Context } from './record.js';
import { isCurrent, newRun, supersede } from './runs.js';
import { beforeProduction, type HotfixState } from './states.js';

export function canBuild(h: Hotfix): boolean {
  // Anything before production can be built again (a fix pushed, QA redone).
  return h.baseCommit !== null && beforeProduction(h);
}

/**
 * Ask for a build of the branch head. A newer build supersedes any unfinished one and any QA
 * cycle in progress: approvals and links are bound to the build they were given for.
 * `commit`: the head to build when it is known (a branch just cut); otherwise the head is read
 * from the origin when the build is triggered.
 */
export function requestBuild(h: Hotfix, policy: ServicePolicy, ctx: Context, reason?: string, commit: string | null = null): Run {
  if (!canBuild(h)) {
    const why = h.baseCommit === null ? 'its branch is not created yet' : `it is '${h.state}'`;
    throw new InvalidStateError(`hotfix ${h.id} cannot be built now: ${why}`, h.state);
  }
  const run = startBuild(h, policy, ctx, reason, commit);
  // A new build is a person's answer to whatever stopped the hotfix.
  if (h.attention) h.attention.resume = { to: 'building', actor: ctx.actor, why: run.reason ?? 'build requested' };
  advance(h, policy, ctx);
  return run;
}

/** Record a build request (and its trigger); `advance` moves the hotfix to `building`. */
export function startBuild(h: Hotfix, policy: ServicePolicy, ctx: Context, reason?: string, commit: string | null = null): Run {
  for (const previous of h.builds) supersede(h, previous, ctx);
  // A new build voids the promotion of an older one (approvals are bound to their build).
  h.promotion = null;
  // QA of the old build stays as it is (its decisions are out of date): if this build fails its
  // expiry still removes it; if it passes, the new cycle retires it.
  dropEffects(h, (step) => step === 'provision-qa' || step === 'prepare-qa-email' || step === 'send-qa-email');
  const run: Run = { ...newRun('build', h.builds.length + 1, policy.jobs.build, ctx, commit), reason: reason ?? `build #${h.builds.length + 1} requested` };
  h.builds.push(run);
  if (h.state === 'building') note(h, 'run', ctx, run.reason ?? `build #${run.seq} requested`);
  addEffect(h, 'trigger-run', { stage: 'build', seq: run.seq }, ctx.now);
  return run;
}

// States a new build request takes the hotfix out of (needs_attention goes through `resume`).
const BUILDABLE: readonly HotfixState[] = ['open', 'build_failed', 'qa_provisioning', 'awaiting_approval', 'rejected'];

/** `advance` before production: a build was asked for → building. */
export function nextBuildRequested(h: Hotfix, ctx: Context): boolean {
  const run = h.builds.at(-1);
  if (!run || run.superseded || isFinal(run.status) || !BUILDABLE.includes(h.state)) return false;
  moveTo(h, 'building', ctx, run.reason ?? `build #${run.seq} requested`);
  return true;
}

/** `advance` in building: the current build finished; a good one goes to QA, a bad one back to the requester. */
export function nextInBuilding(h: Hotfix, policy: ServicePolicy, ctx: Context): boolean {
  const run = h.builds.at(-1);
  if (!run || !isCurrent(h, run) || !isFinal(run.status)) return false;
  if (run.status !== 'SUCCESS') {
    moveTo(h, 'build_failed', ctx, `Jenkins ${run.job} #${run.number ?? '?'} ended ${run.status}`);
    addEffect(h, 'notify-requester', { event: 'build-failed', seq: run.seq }, ctx.now);
    return true;
  }
  const blocked = unusableBuild(run);
  if (blocked) {
    flagAttention(h, ctx, blocked.reason, blocked.action);
    return true;
  }
  startQaCycle(h, run, policy, ctx);
  return true;
}

/** Why a build Jenkins calls a success must not be tested or shipped, if it must not. */
function unusableBuild(run: Run): { reason: string; action: string } | null {
  const name = `build ${run.job} #${run.number ?? '?'}`;
  if (!run.reportedCommit) {
    return { reason: `${name} succeeded but did not say which commit it built`, action: 'make the build pipeline send commit in its callback (and hotfix-callback.json), then build again' };
  }
  if (run.commit !== null && run.reportedCommit !== run.commit) {
    // Jenkins built a commit other than the one it was asked to build: never test or ship it.
    return {
      reason: `Jenkins built ${run.reportedCommit.slice(0, 12)} for build #${run.seq}, but ${run.commit.slice(0, 12)} was asked for`,
      action: 'check the build job checks out the COMMIT parameter, then build again',
    };
  }
  if (!run.artifact) {
    return { reason: `${name} succeeded but reported no artifact`, action: 'make the build pipeline send artifact {version, url} in its callback, then build again' };
  }
  if (run.commit === null) return { reason: `build #${run.seq} has no known commit`, action: 'build again' };
  return null;
}
