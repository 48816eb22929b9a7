// Withdrawing a hotfix, and resuming one a person has looked after.

import { InvalidStateError } from './errors.js';
import type { Hotfix } from './hotfix.js';
import type { ServicePolicy } from './policy.js';
import { requestTeardown } from './qa.js';
import { addEffect, dropEffects, moveTo, type Context } from './record.js';
import { supersede } from './runs.js';
import { canTransition, PRE_PRODUCTION } from './states.js';

export function canCancel(h: Hotfix): boolean {
  if (PRE_PRODUCTION.includes(h.state)) return true;
  return h.state === 'needs_attention' && h.attention !== null && PRE_PRODUCTION.includes(h.attention.fromState);
}

export function cancel(h: Hotfix, reason: string, policy: ServicePolicy, ctx: Context): void {
  if (!canCancel(h)) {
    throw new InvalidStateError(`hotfix ${h.id} cannot be cancelled while '${h.state}': only before production`, h.state);
  }
  for (const b of h.builds) supersede(h, b, ctx);
  if (h.qa?.up) supersede(h, h.qa.up, ctx);
  dropEffects(h, (step) => ['trigger-run', 'provision-qa', 'send-qa-email', 'expire-qa', 'create-branch'].includes(step));
  moveTo(h, 'cancelled', ctx, reason ? `cancelled: ${reason}` : 'cancelled');
  if (h.qa && (h.qa.status === 'up' || h.qa.status === 'provisioning' || h.qa.status === 'failed')) requestTeardown(h, policy, ctx);
  addEffect(h, 'notify-slack', { event: 'cancelled' }, ctx.now);
}

/** Re-run the step that stopped the hotfix, from the state it stopped in. */
export function retry(h: Hotfix, ctx: Context): void {
  const a = h.attention;
  if (h.state !== 'needs_attention' || !a) throw new InvalidStateError(`hotfix ${h.id} does not need attention`, h.state);
  if (!a.retry || !canTransition('needs_attention', a.fromState)) {
    throw new InvalidStateError(`nothing to retry for ${h.id}: ${a.action}`, h.state);
  }
  const { step, args } = a.retry;
  moveTo(h, a.fromState, ctx, `retry of ${step} requested`);
  // A fresh effect id: the failed job is kept for the record and would swallow a same-id add.
  addEffect(h, step, { ...args, retry: ctx.now.getTime() }, ctx.now);
}
