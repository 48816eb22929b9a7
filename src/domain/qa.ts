// The ephemeral QA environment: one per good build (`qa-hf-…`, `qa-hf-…-2` for the second
// cycle …), torn down on a decision, when nobody answers within `qa.ttlHours`, or when a newer
// build's cycle replaces it. What the provider says is recorded here; what it means for the
// hotfix is `advance`'s to decide (`nextInQa`, `retireQa`).

import { advance } from './advance.js';
import { InvalidStateError } from './errors.js';
import { isFinal, type Hotfix, type QaCycle, type Run } from './hotfix.js';
import { qaEnvName } from './ids.js';
import type { ServicePolicy } from './policy.js';
import { addEffect, dropEffects, flagAttention, moveTo, note, type Context } from './record.js';
import { newRun, recordQueued } from './runs.js';

const HOUR_MS = 3_600_000;

/** A good build goes to QA: a new cycle, its environment asked for (a step of `advance`). */
export function startQaCycle(h: Hotfix, build: Run, policy: ServicePolicy, ctx: Context): QaCycle {
  if (build.number === null || build.commit === null || build.artifact === null) {
    throw new InvalidStateError(`build #${build.seq} is not a finished, numbered build with an artifact`);
  }
  const cycle = (h.qa?.cycle ?? 0) + 1;
  // The previous cycle's environment is someone else's now: torn down once its qa-up settled.
  if (h.qa && h.qa.status !== 'down') h.qaRetired = [...(h.qaRetired ?? []), { ...h.qa, emails: [], changeList: null }];
  const qa: QaCycle = {
    cycle,
    env: qaEnvName(h.id, cycle),
    url: null,
    status: 'provisioning',
    build: build.number,
    commit: build.commit,
    artifact: build.artifact,
    expiresAt: null,
    failure: null,
    up: policy.qa.provider === 'jenkins' ? newRun('qa-up', cycle, policy.jobs.qaUp, ctx, build.commit) : null,
    down: null,
    emails: [],
  };
  h.qa = qa;
  moveTo(h, 'qa_provisioning', ctx, `build ${build.job} #${build.number} passed; provisioning ${qa.env}`);
  addEffect(h, 'provision-qa', { cycle }, ctx.now);
  // A command brings the environment up inside its step, for minutes: look up beside it.
  if (!qa.up) prepareQaEmail(h, qa, ctx);
  return qa;
}

/**
 * What the email lists is looked up while the environment comes up, not after it; and for a
 * Jenkins qa-up, once Jenkins has the request, not beside the call that makes it. The lookup
 * starts git, and starting a process holds the worker's event loop for a millisecond or more:
 * beside the trigger it doubled build → qa-up trigger (1.9–2.4 ms against 0.9–1.2 ms, 2-core
 * bench), for a head start on a qa-up that takes minutes either way.
 */
function prepareQaEmail(h: Hotfix, qa: QaCycle, ctx: Context): void {
  if (qa.status === 'provisioning') addEffect(h, 'prepare-qa-email', { cycle: qa.cycle }, ctx.now);
}

/** Jenkins has the qa-up request of `cycle` (queued, or found running). */
export function qaUpQueued(h: Hotfix, cycle: number, queued: { queueId: number | null; number?: number | null; url?: string | null }, ctx: Context, pollIntervalMs: number): void {
  const qa = qaCycleOf(h, cycle);
  if (!qa?.up) return;
  recordQueued(h, qa.up, { ...queued, commit: null }, ctx, pollIntervalMs);
  if (qa === h.qa) prepareQaEmail(h, qa, ctx);
}

/** The cycle being provisioned for this hotfix, also while a person looks at why it stopped. */
function provisioning(h: Hotfix, cycle: number): QaCycle | null {
  const waiting = h.state === 'qa_provisioning' || (h.state === 'needs_attention' && h.attention?.fromState === 'qa_provisioning');
  return waiting && h.qa !== null && h.qa.cycle === cycle && h.qa.status === 'provisioning' ? h.qa : null;
}

/** The provider says the environment is up (at `url`, if it said where). */
export function qaCameUp(h: Hotfix, cycle: number, url: string | null, ctx: Context): void {
  const qa = provisioning(h, cycle);
  if (!qa) {
    note(h, 'qa', ctx, `QA cycle ${cycle} came up after the hotfix moved on (state ${h.state})`);
    return;
  }
  qa.status = 'up';
  qa.url = url;
}

/** The provider could not create the environment. */
export function qaCouldNotStart(h: Hotfix, cycle: number, detail: string, ctx: Context): void {
  const qa = provisioning(h, cycle);
  if (!qa) {
    note(h, 'qa', ctx, `QA cycle ${cycle} failed after the hotfix moved on: ${detail}`);
    return;
  }
  qa.status = 'failed';
  qa.failure = detail;
}

/** QA is up: record it and let the hotfix go on (wait for a decision). */
export function qaReady(h: Hotfix, cycle: number, url: string | null, policy: ServicePolicy, ctx: Context): void {
  qaCameUp(h, cycle, url, ctx);
  advance(h, policy, ctx);
}

export function qaFailed(h: Hotfix, cycle: number, detail: string, policy: ServicePolicy, ctx: Context): void {
  qaCouldNotStart(h, cycle, detail, ctx);
  advance(h, policy, ctx);
}

/** `advance` in qa_provisioning: once the provider has answered, wait for a decision or ask a person. */
export function nextInQa(h: Hotfix, policy: ServicePolicy, ctx: Context): boolean {
  const qa = h.qa;
  if (!qa || qa.status === 'provisioning' || qa.status === 'tearing_down' || qa.status === 'down') return false;
  if (qa.status === 'failed') {
    flagAttention(
      h,
      ctx,
      `QA environment ${qa.env} could not be created: ${qa.failure ?? 'the provider gave no reason'}`,
      'fix the QA provider (see the job or command output), then build again',
    );
    return true;
  }
  if (!qa.url) {
    qa.status = 'failed';
    flagAttention(h, ctx, `QA environment ${qa.env} came up without a URL`, 'make the QA provider report its URL, then build again');
    return true;
  }
  const expiresAt = new Date(ctx.now.getTime() + policy.qa.ttlHours * HOUR_MS);
  qa.expiresAt = expiresAt.toISOString();
  qa.upAt = ctx.now.toISOString();
  moveTo(h, 'awaiting_approval', ctx, `QA environment ${qa.env} is up at ${qa.url}`);
  addEffect(h, 'send-qa-email', { cycle: qa.cycle }, ctx.now);
  if (policy.tags.environment) addEffect(h, 'tag-environment', { env: 'qa', cycle: qa.cycle }, ctx.now);
  addEffect(h, 'expire-qa', { cycle: qa.cycle }, ctx.now, expiresAt);
  addEffect(h, 'notify-slack', { event: 'qa-ready', cycle: qa.cycle }, ctx.now);
  return true;
}

/** The QA cycle `cycle`, current or retired. */
export function qaCycleOf(h: Hotfix, cycle: number): QaCycle | undefined {
  return h.qa?.cycle === cycle ? h.qa : h.qaRetired?.find((c) => c.cycle === cycle);
}

/** Ask the provider to remove the environment (the current one by default); once per cycle. */
export function requestTeardown(h: Hotfix, policy: ServicePolicy, ctx: Context, qa: QaCycle | null = h.qa): void {
  if (!qa || qa.status === 'down' || qa.status === 'tearing_down') return;
  qa.status = 'tearing_down';
  qa.teardownAskedAt = ctx.now.toISOString();
  if (policy.qa.provider === 'jenkins' && !qa.down) {
    qa.down = newRun('qa-down', qa.cycle, policy.jobs.qaDown, ctx, null);
  }
  if (qa === h.qa) dropEffects(h, (step, args) => step === 'expire-qa' && args.cycle === qa.cycle);
  addEffect(h, 'teardown-qa', { cycle: qa.cycle }, ctx.now);
}

export function qaTornDown(h: Hotfix, cycle: number, ok: boolean, detail: string, ctx: Context): void {
  const qa = qaCycleOf(h, cycle);
  if (!qa) return;
  qa.status = ok ? 'down' : 'failed';
  if (ok) {
    qa.downAt = ctx.now.toISOString();
    qa.changeList = null;
  }
  note(h, 'qa', ctx, ok ? `QA environment ${qa.env} torn down` : `QA teardown of ${qa.env} failed: ${detail}`);
  // A retired environment that is gone needs no more record.
  if (ok && qa !== h.qa) h.qaRetired = h.qaRetired?.filter((c) => c !== qa);
}

/**
 * `advance`, in any state: tear down the environments of earlier cycles once their qa-up has
 * settled (tearing one down while Jenkins still creates it would leave it behind).
 */
export function retireQa(h: Hotfix, policy: ServicePolicy, ctx: Context): void {
  for (const qa of h.qaRetired ?? []) {
    if (qa.teardownAskedAt || qa.status === 'down' || qa.status === 'tearing_down') continue;
    const up = qa.up;
    const neverAsked = up !== null && up.status === 'REQUESTED' && !up.attemptedAt;
    if (neverAsked) {
      // Its qa-up never went out: there is nothing to remove.
      qa.status = 'down';
      continue;
    }
    if (up && !isFinal(up.status)) continue;
    requestTeardown(h, policy, ctx, qa);
  }
  h.qaRetired = h.qaRetired?.filter((c) => c.status !== 'down');
}

/**
 * Nobody answered in time: the hotfix is rejected as `qa expired` and QA torn down. An
 * environment left up by a hotfix that moved on (a rebuild that failed) is torn down too.
 */
export function expireQa(h: Hotfix, cycle: number, policy: ServicePolicy, ctx: Context): boolean {
  const qa = h.qa !== null && h.qa.cycle === cycle ? h.qa : null;
  if (!qa) return false;
  if (h.state !== 'awaiting_approval') {
    if (qa.status === 'up') {
      note(h, 'qa', ctx, `QA environment ${qa.env} expired unused; tearing it down`);
      requestTeardown(h, policy, ctx);
    }
    return false;
  }
  h.rejection = { actor: ctx.actor, reason: 'qa expired', at: ctx.now.toISOString(), build: qa.build, expired: true };
  advance(h, policy, ctx);
  return true;
}
