// What every step (one BullMQ job) gets: the hotfix as it is now and the outbox entry that
// asked for the step. A step whose entry is gone already ran; it does nothing.

import type { Effect, Hotfix } from '../domain/hotfix.js';
import { completeEffect } from '../domain/record.js';
import type { Logger } from '../ports/logger.js';
import { change } from './change.js';
import type { Deps } from './deps.js';

export interface StepInput {
  hotfix: Hotfix;
  effect: Effect;
  /** The job ran before (retry, or a restart after a crash): check the world before acting. */
  resumed: boolean;
  log: Logger;
}

export type Step = (deps: Deps, input: StepInput) => Promise<void>;

export function argNumber(effect: Effect, name: string): number {
  const value = effect.args[name];
  if (typeof value !== 'number') throw new Error(`effect ${effect.id}: argument ${name} is not a number`);
  return value;
}

export function argString(effect: Effect, name: string): string {
  const value = effect.args[name];
  if (typeof value !== 'string') throw new Error(`effect ${effect.id}: argument ${name} is not a string`);
  return value;
}

/** Mark the step done without further change (its work turned out not to be needed). */
export async function skip(deps: Deps, input: StepInput): Promise<void> {
  await change(deps, input.hotfix.id, (d) => completeEffect(d, input.effect.id), input.hotfix);
}
