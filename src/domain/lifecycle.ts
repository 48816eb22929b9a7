// Withdrawing a hotfix, and resuming one a person (or the news) has looked after. The commands
// record what was asked; `advance` carries it out (`nextCancelled`, `nextAfterAttention`).

import { advance } from './advance.js';
import { unappliedDeployResult } from './deploy.js';
import { InvalidStateError } from './errors.js';
import { isFinal, type Hotfix, type Run, type Stage } from './hotfix.js';
import type { ServicePolicy } from './policy.js';
import { requestTeardown } from './qa.js';
import { addEffect, dropEffects, moveTo, type Context } from './record.js';
import { findRun, supersede } from './runs.js';
import { beforeProduction, canTransition } from './states.js';

export function canCancel(h: Hotfix): boolean {
  return beforeProduction(h);
}

export function cancel(h: Hotfix, reason: string, policy: ServicePolicy, ctx: Context): void {
  if (!canCancel(h)) {
    throw new InvalidStateError(`hotfix ${h.id} cannot be cancelled while '${h.state}': only before production`, h.state);
  }
  h.cancellation = { actor: ctx.actor, reason, at: ctx.now.toISOString() };
  advance(h, policy, ctx);
}

/** `advance`: a recorded cancellation is carried out once. */
export function nextCancelled(h: Hotfix, policy: ServicePolicy, ctx: Context): boolean {
  const c = h.cancellation;
  if (!c || h.state === 'cancelled') return false;
  for (const b of h.builds) supersede(h, b, ctx);
  // A qa-up still running is not superseded: its end is watched, and the teardown waits for it.
  dropEffects(h, (step) => ['trigger-run', 'provision-qa', 'prepare-qa-email', 'send-qa-email', 'expire-qa', 'create-branch'].includes(step));
  moveTo(h, 'cancelled', ctx, c.reason ? `cancelled: ${c.reason}` : 'cancelled');
  if (h.qa && (h.qa.status === 'up' || h.qa.status === 'provisioning' || h.qa.status === 'failed')) requestTeardown(h, policy, ctx);
  addEffect(h, 'notify-slack', { event: 'cancelled' }, ctx.now);
  return true;
}

/** Re-run the step that stopped the hotfix, from the state it stopped in. */
export function retry(h: Hotfix, policy: ServicePolicy, ctx: Context): void {
  const a = h.attention;
  if (h.state !== 'needs_attention' || !a) throw new InvalidStateError(`hotfix ${h.id} does not need attention`, h.state);
  if (!a.retry || !canTransition('needs_attention', a.fromState)) {
    throw new InvalidStateError(`nothing to retry for ${h.id}: ${a.action}`, h.state);
  }
  a.resume = { to: a.fromState, actor: ctx.actor, why: `retry of ${a.retry.step} requested`, step: a.retry };
  advance(h, policy, ctx);
}

const RUN_STEPS: Partial<Record<string, Stage>> = { 'provision-qa': 'qa-up', 'teardown-qa': 'qa-down' };

/** The Jenkins run the failed step was about, if it was about one. */
function runOfRetry(h: Hotfix): Run | undefined {
  const r = h.attention?.retry;
  if (!r) return undefined;
  if (r.step === 'check-run' || r.step === 'trigger-run') {
    const { stage, seq } = r.args;
    return typeof stage === 'string' && typeof seq === 'number' ? findRun(h, stage as Stage, seq) : undefined;
  }
  const stage = RUN_STEPS[r.step];
  const cycle = r.args.cycle;
  return stage && typeof cycle === 'number' ? findRun(h, stage, cycle) : undefined;
}

/**
 * `advance` in needs_attention: go on when asked to, or when the news answers the question a
 * person was asked — the run the failed step was about has finished, or the production deploy
 * reported while nobody could ask Jenkins. A result is never left lying.
 */
export function nextAfterAttention(h: Hotfix, ctx: Context): boolean {
  const a = h.attention;
  if (!a) return false;
  if (!a.resume) {
    const run = runOfRetry(h);
    const deploy = a.fromState === 'deploying' ? unappliedDeployResult(h) : null;
    const settled = deploy ?? (run && isFinal(run.status) ? run : null);
    if (!settled || !canTransition('needs_attention', a.fromState)) return false;
    a.resume = { to: a.fromState, actor: ctx.actor, why: `${settled.stage} ${settled.job} #${settled.number ?? '?'} finished ${settled.status} meanwhile` };
  }
  const { to, why, step } = a.resume;
  moveTo(h, to, ctx, why);
  // A fresh effect id: the failed job is kept for the record and would swallow a same-id add.
  if (step) addEffect(h, step.step, { ...step.args, retry: ctx.now.getTime() }, ctx.now);
  return true;
}
