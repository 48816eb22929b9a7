// Building the hotfix branch: asking for a build, and what its result means for the hotfix.

import { InvalidStateError } from './errors.js';
import type { Hotfix, Run } from './hotfix.js';
import type { ServicePolicy } from './policy.js';
import { startQaCycle } from './qa.js';
import { addEffect, dropEffects, flagAttention, moveTo, note, type Context } from './record.js';
import { isCurrent, newRun, supersede } from './runs.js';
import { PRE_PRODUCTION } from './states.js';

export function canBuild(h: Hotfix): boolean {
  if (h.baseCommit === null) return false;
  // Anything before production can be built again (a fix pushed, QA redone).
  if (PRE_PRODUCTION.includes(h.state)) return true;
  return h.state === 'needs_attention' && h.attention !== null && PRE_PRODUCTION.includes(h.attention.fromState);
}

/**
 * Ask for a build of the branch head. A newer build supersedes any unfinished one and any QA
 * cycle in progress: approvals and links are bound to the build they were given for.
 */
export function requestBuild(h: Hotfix, policy: ServicePolicy, ctx: Context, reason?: string): Run {
  if (!canBuild(h)) {
    const why = h.baseCommit === null ? 'its branch is not created yet' : `it is '${h.state}'`;
    throw new InvalidStateError(`hotfix ${h.id} cannot be built now: ${why}`, h.state);
  }
  return startBuild(h, policy, ctx, reason);
}

/** The build itself, also started by the service when an approved hotfix's base went stale. */
export function startBuild(h: Hotfix, policy: ServicePolicy, ctx: Context, reason?: string): Run {
  for (const previous of h.builds) supersede(h, previous, ctx);
  if (h.qa?.up) supersede(h, h.qa.up, ctx);
  // The QA environment's expiry stays: if this build fails, the old environment still goes.
  dropEffects(h, (step) => step === 'provision-qa' || step === 'send-qa-email');
  const run = newRun('build', h.builds.length + 1, policy.jobs.build, ctx, null);
  h.builds.push(run);
  moveTo(h, 'building', ctx, reason ?? `build #${run.seq} requested`);
  addEffect(h, 'trigger-run', { stage: 'build', seq: run.seq }, ctx.now);
  return run;
}

/** The build finished: a good one goes to QA, a bad one back to the requester. */
export function onBuildFinished(h: Hotfix, run: Run, policy: ServicePolicy, ctx: Context): void {
  if (!isCurrent(h, run) || h.state !== 'building') {
    note(h, 'run', ctx, `result of build #${run.seq} noted; it no longer decides the hotfix (state ${h.state})`);
    return;
  }
  if (run.status !== 'SUCCESS') {
    moveTo(h, 'build_failed', ctx, `Jenkins ${run.job} #${run.number ?? '?'} ended ${run.status}`);
    addEffect(h, 'notify-requester', { event: 'build-failed', seq: run.seq }, ctx.now);
    return;
  }
  if (!run.artifact) {
    flagAttention(
      h,
      ctx,
      `build ${run.job} #${run.number ?? '?'} succeeded but reported no artifact`,
      'make the build pipeline send artifact {version, url} in its callback, then build again',
    );
    return;
  }
  if (run.commit === null) {
    flagAttention(h, ctx, `build #${run.seq} has no known commit`, 'build again');
    return;
  }
  startQaCycle(h, run, policy, ctx);
}

/** Jenkins built a commit other than the one it was asked to build: never test or ship it. */
export function commitMismatch(h: Hotfix, run: Run, reported: string, ctx: Context): void {
  flagAttention(
    h,
    ctx,
    `Jenkins built ${reported.slice(0, 12)} for build #${run.seq}, but ${run.commit?.slice(0, 12) ?? '?'} was asked for`,
    'check the build job checks out the COMMIT parameter, then build again',
  );
}
