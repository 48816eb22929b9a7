// A step that will not succeed (a permanent failure, or retries exhausted): stop the hotfix
// with the reason and what to do — unless the step was only a notification, which never
// blocks a hotfix; then the failure is noted in its history.

import { HotfixError } from '../domain/errors.js';
import type { StepName } from '../domain/hotfix.js';
import { completeEffect, flagAttention, markWaiting, note } from '../domain/record.js';
import { canTransition, PRE_PRODUCTION } from '../domain/states.js';
import { change, context } from './change.js';
import type { Deps } from './deps.js';

const NOTIFICATIONS: readonly StepName[] = ['notify-slack', 'notify-requester'];

export async function stepFailed(deps: Deps, hotfixId: string, effectId: string, err: unknown, attempts: number): Promise<void> {
  const why = err instanceof HotfixError ? err.message : 'unexpected error (see the service log)';
  await change(deps, hotfixId, (d) => {
    const effect = d.outbox.find((e) => e.id === effectId);
    if (!effect) return;
    completeEffect(d, effectId);
    const ctx = context(deps, 'system');
    const tried = attempts > 1 ? ` after ${attempts} attempts` : '';
    if (NOTIFICATIONS.includes(effect.step) || !canTransition(d.state, 'needs_attention')) {
      note(d, 'notification', ctx, `${effect.step} gave up${tried}: ${why}`);
      return;
    }
    const action = PRE_PRODUCTION.includes(d.state)
      ? 'fix the cause, then build again (POST /api/v1/hotfixes/:id/builds)'
      : 'fix the cause, then POST /api/v1/hotfixes/:id/retry';
    flagAttention(d, ctx, `${effect.step} failed${tried}: ${why}`, action, { step: effect.step, args: effect.args });
  }).catch((e: unknown) => {
    deps.log.error({ hotfixId, effectId, err: e }, 'could not record a failed step');
  });
}

/** A passing failure: record that the step waits, so a person sees why nothing moves. */
export async function stepWaiting(deps: Deps, hotfixId: string, effectId: string, err: unknown, attempts: number, retryInMs: number): Promise<void> {
  const why = err instanceof HotfixError ? err.message : 'unexpected error (see the service log)';
  const now = deps.clock.now();
  await deps.store
    .update(hotfixId, (d) => markWaiting(d, effectId, why, new Date(now.getTime() + retryInMs), attempts, now))
    .catch((e: unknown) => deps.log.warn({ hotfixId, effectId, err: e }, 'could not record a waiting step'));
}
