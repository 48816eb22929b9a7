// The ephemeral QA environment: one per hotfix (`qa-hf-…`), re-provisioned for each good build,
// torn down on a decision or when nobody answers within `qa.ttlHours`.

import { InvalidStateError } from './errors.js';
import type { Hotfix, QaCycle, Run } from './hotfix.js';
import { qaEnvName } from './ids.js';
import type { ServicePolicy } from './policy.js';
import { addEffect, dropEffects, flagAttention, moveTo, note, type Context } from './record.js';
import { newRun } from './runs.js';

const HOUR_MS = 3_600_000;

export function startQaCycle(h: Hotfix, build: Run, policy: ServicePolicy, ctx: Context): QaCycle {
  if (build.number === null || build.commit === null || build.artifact === null) {
    throw new InvalidStateError(`build #${build.seq} is not a finished, numbered build with an artifact`);
  }
  const cycle = (h.qa?.cycle ?? 0) + 1;
  const qa: QaCycle = {
    cycle,
    env: qaEnvName(h.id),
    url: null,
    status: 'provisioning',
    build: build.number,
    commit: build.commit,
    artifact: build.artifact,
    expiresAt: null,
    up: policy.qa.provider === 'jenkins' ? newRun('qa-up', cycle, policy.jobs.qaUp, ctx, build.commit) : null,
    down: null,
    emails: [],
  };
  h.qa = qa;
  moveTo(h, 'qa_provisioning', ctx, `build ${build.job} #${build.number} passed; provisioning ${qa.env}`);
  addEffect(h, 'provision-qa', { cycle }, ctx.now);
  return qa;
}

function currentCycle(h: Hotfix, cycle: number): QaCycle | null {
  return h.qa !== null && h.qa.cycle === cycle ? h.qa : null;
}

/** QA is up: wait for a decision, mail the recipients, and arm the expiry. */
export function qaReady(h: Hotfix, cycle: number, url: string | null, policy: ServicePolicy, ctx: Context): void {
  const qa = currentCycle(h, cycle);
  if (!qa || h.state !== 'qa_provisioning') {
    note(h, 'qa', ctx, `QA cycle ${cycle} came up after the hotfix moved on (state ${h.state})`);
    return;
  }
  if (!url) {
    qa.status = 'failed';
    flagAttention(h, ctx, `QA environment ${qa.env} came up without a URL`, 'make the QA provider report its URL, then build again');
    return;
  }
  const expiresAt = new Date(ctx.now.getTime() + policy.qa.ttlHours * HOUR_MS);
  qa.url = url;
  qa.status = 'up';
  qa.expiresAt = expiresAt.toISOString();
  moveTo(h, 'awaiting_approval', ctx, `QA environment ${qa.env} is up at ${url}`);
  addEffect(h, 'send-qa-email', { cycle }, ctx.now);
  addEffect(h, 'expire-qa', { cycle }, ctx.now, expiresAt);
  addEffect(h, 'notify-slack', { event: 'qa-ready', cycle }, ctx.now);
}

export function qaFailed(h: Hotfix, cycle: number, detail: string, ctx: Context): void {
  const qa = currentCycle(h, cycle);
  if (!qa || h.state !== 'qa_provisioning') {
    note(h, 'qa', ctx, `QA cycle ${cycle} failed after the hotfix moved on: ${detail}`);
    return;
  }
  qa.status = 'failed';
  flagAttention(
    h,
    ctx,
    `QA environment ${qa.env} could not be created: ${detail}`,
    'fix the QA provider (see the job or command output), then build again',
  );
}

/** Ask the provider to remove the environment; idempotent per cycle. */
export function requestTeardown(h: Hotfix, policy: ServicePolicy, ctx: Context): void {
  const qa = h.qa;
  if (!qa || qa.status === 'down' || qa.status === 'tearing_down') return;
  qa.status = 'tearing_down';
  if (policy.qa.provider === 'jenkins' && !qa.down) {
    qa.down = newRun('qa-down', qa.cycle, policy.jobs.qaDown, ctx, null);
  }
  dropEffects(h, (step) => step === 'expire-qa');
  addEffect(h, 'teardown-qa', { cycle: qa.cycle }, ctx.now);
}

export function qaTornDown(h: Hotfix, cycle: number, ok: boolean, detail: string, ctx: Context): void {
  const qa = currentCycle(h, cycle);
  if (!qa) return;
  qa.status = ok ? 'down' : 'failed';
  note(h, 'qa', ctx, ok ? `QA environment ${qa.env} torn down` : `QA teardown of ${qa.env} failed: ${detail}`);
}

/**
 * Nobody answered in time: the hotfix is rejected as `qa expired` and QA torn down. An
 * environment left up by a hotfix that moved on (a rebuild that failed) is torn down too.
 */
export function expireQa(h: Hotfix, cycle: number, policy: ServicePolicy, ctx: Context): boolean {
  const qa = currentCycle(h, cycle);
  if (!qa) return false;
  if (h.state !== 'awaiting_approval') {
    if (qa.status === 'up') {
      note(h, 'qa', ctx, `QA environment ${qa.env} expired unused; tearing it down`);
      requestTeardown(h, policy, ctx);
    }
    return false;
  }
  moveTo(h, 'rejected', ctx, 'qa expired');
  h.rejection = { actor: ctx.actor, reason: 'qa expired', at: ctx.now.toISOString(), build: qa.build };
  requestTeardown(h, policy, ctx);
  addEffect(h, 'notify-slack', { event: 'rejected', build: qa.build }, ctx.now);
  addEffect(h, 'notify-requester', { event: 'rejected', build: qa.build }, ctx.now);
  return true;
}
