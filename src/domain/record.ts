// Small, uniform edits of a hotfix draft. Domain functions take a draft (a private copy the
// store gave them), edit it with these, and the store commits the whole draft atomically —
// state, audit events and the work to do next in one write.

import type { EventType, Hotfix, StepName } from './hotfix.js';
import { assertTransition, type HotfixState } from './states.js';

export interface Context {
  actor: string;
  now: Date;
}

export function note(h: Hotfix, type: EventType, ctx: Context, message: string): void {
  h.events.push({ at: ctx.now.toISOString(), type, actor: ctx.actor, message });
  h.updatedAt = ctx.now.toISOString();
}

export function moveTo(h: Hotfix, to: HotfixState, ctx: Context, message?: string): void {
  const from = h.state;
  assertTransition(from, to);
  h.state = to;
  if (from === 'needs_attention') h.attention = null;
  h.events.push({
    at: ctx.now.toISOString(),
    type: 'state',
    from,
    to,
    actor: ctx.actor,
    ...(message === undefined ? {} : { message }),
  });
  h.updatedAt = ctx.now.toISOString();
}

/** Stop automation and ask a person: `action` tells them what to do. */
export function flagAttention(
  h: Hotfix,
  ctx: Context,
  reason: string,
  action: string,
  retry: { step: StepName; args: Record<string, string | number> } | null = null,
): void {
  const fromState = h.state === 'needs_attention' ? (h.attention?.fromState ?? h.state) : h.state;
  if (h.state !== 'needs_attention') moveTo(h, 'needs_attention', ctx, reason);
  h.attention = { reason, action, at: ctx.now.toISOString(), fromState, retry };
  note(h, 'attention', ctx, `${reason} — ${action}`);
  addEffect(h, 'notify-slack', { event: 'attention', at: ctx.now.getTime() }, ctx.now);
}

export function effectId(step: StepName, args: Record<string, string | number>): string {
  return [step, ...Object.values(args)].join(':');
}

/** Queue work in the outbox; the same step with the same arguments is only queued once. */
export function addEffect(
  h: Hotfix,
  step: StepName,
  args: Record<string, string | number>,
  now: Date,
  runAt?: Date,
): string {
  const id = effectId(step, args);
  if (!h.outbox.some((e) => e.id === id)) {
    h.outbox.push({
      id,
      step,
      args,
      runAt: runAt ? runAt.toISOString() : null,
      createdAt: now.toISOString(),
    });
  }
  return id;
}

export function completeEffect(h: Hotfix, id: string): void {
  h.outbox = h.outbox.filter((e) => e.id !== id);
  if (h.waiting?.effectId === id) h.waiting = null;
}

/** A step hit a passing failure and will be retried at `retryAt`: say so on the hotfix. */
export function markWaiting(h: Hotfix, effectId: string, reason: string, retryAt: Date, attempts: number, now: Date): void {
  const effect = h.outbox.find((e) => e.id === effectId);
  if (!effect) return;
  const since = h.waiting?.effectId === effectId ? h.waiting.since : now.toISOString();
  h.waiting = { step: effect.step, effectId, reason, since, attempts, retryAt: retryAt.toISOString() };
}

export function hasEffect(h: Hotfix, id: string): boolean {
  return h.outbox.some((e) => e.id === id);
}

/** Drop pending work of the given steps, e.g. polls of a run that no longer matters. */
export function dropEffects(h: Hotfix, predicate: (step: StepName, args: Record<string, string | number>) => boolean): void {
  h.outbox = h.outbox.filter((e) => !predicate(e.step, e.args));
}
