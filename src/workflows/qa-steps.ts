// The QA environment's steps: bring it up for a build, take it down after a decision, and
// expire it when nobody answers.

import { ExternalServiceError } from '../domain/errors.js';
import { isFinal, type Hotfix, type QaCycle, type Run } from '../domain/hotfix.js';
import { qaDownParameters, qaUpParameters } from '../domain/parameters.js';
import { expireQa, qaCameUp, qaCouldNotStart, qaCycleOf, qaTornDown, qaUpQueued } from '../domain/qa.js';
import { addEffect, completeEffect, note, type Context } from '../domain/record.js';
import { recordQueued } from '../domain/runs.js';
import type { QaOutcome } from '../ports/qa-provider.js';
import { change, context, serviceOf } from './change.js';
import { callbackUrl, type Deps } from './deps.js';
import { recordAttempt } from './jenkins-runs.js';
import { argNumber, skip, type Step } from './step.js';

/** A QA job handed to Jenkins: recorded like any run. */
function recordStartedRun(d: Hotfix, run: Run | null, outcome: Extract<QaOutcome, { kind: 'started' }>, ctx: Context, pollMs: number): void {
  if (run) recordQueued(d, run, { ...outcome, commit: null }, ctx, pollMs);
}

/** provision-qa {cycle} */
export const provisionQaStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const cycle = argNumber(effect, 'cycle');
  const qa = h.qa;
  if (!qa || qa.cycle !== cycle || h.state !== 'qa_provisioning' || (qa.up !== null && qa.up.status !== 'REQUESTED')) return skip(deps, input);
  const parameters = qaUpParameters({ hotfix: h, callbackUrl: callbackUrl(deps.settings) }, qa.env, qa.commit, qa.artifact);
  // Recorded before the call: a teardown then waits for this qa-up, which may have got through.
  const attempt = qa.up ? await recordAttempt(deps, h, (d) => qaCycleOf(d, cycle)?.up) : { triedBefore: false, hotfix: h };
  let outcome: QaOutcome;
  try {
    const since = new Date(qa.up?.requestedAt ?? effect.createdAt);
    outcome = await oneAtATime(deps, h, () => deps.qa(h.service).up({ parameters, resumed: input.resumed || attempt.triedBefore, since }));
  } catch (err) {
    if (err instanceof ExternalServiceError && !err.transient) {
      await change(deps, h.id, (d) => {
        completeEffect(d, effect.id);
        qaCouldNotStart(d, cycle, err.message, context(deps, 'qa'));
      });
      return;
    }
    throw err;
  }
  await change(deps, h.id, (d) => {
    completeEffect(d, effect.id);
    const ctx = context(deps, 'qa');
    if (outcome.kind === 'done') qaCameUp(d, cycle, outcome.url, ctx);
    else qaUpQueued(d, cycle, outcome, ctx, deps.settings.pollIntervalMs);
  }, attempt.hotfix);
};

/**
 * A command provider's calls for one hotfix run one at a time, so its teardown never overtakes
 * the creation it undoes. (Jenkins runs are ordered by `waitForQaUp` instead.)
 */
function oneAtATime<T>(deps: Deps, h: Hotfix, fn: () => Promise<T>): Promise<T> {
  return serviceOf(deps, h).qa.provider === 'command' ? deps.locker.withLock(`qa:${h.id}`, fn) : fn();
}

// How often a teardown looks again while the environment's qa-up is still running.
function waitForQaUp(deps: Deps, qa: QaCycle, now: Date): boolean {
  const up = qa.up;
  if (!up || isFinal(up.status) || (up.status === 'REQUESTED' && !up.attemptedAt)) return false;
  // Not for ever: past the deploy deadline it is torn down anyway (and said so).
  return now.getTime() - Date.parse(qa.teardownAskedAt ?? up.requestedAt) < deps.settings.deployTimeoutMs;
}

/** teardown-qa {cycle} */
export const teardownQaStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const cycle = argNumber(effect, 'cycle');
  const qa = qaCycleOf(h, cycle);
  if (!qa || qa.status === 'down' || (qa.down !== null && qa.down.status !== 'REQUESTED')) return skip(deps, input);
  const now = deps.clock.now();
  if (waitForQaUp(deps, qa, now)) {
    // Removing an environment Jenkins is still creating would leave it behind: look again later.
    await change(deps, h.id, (d) => {
      completeEffect(d, effect.id);
      if (effect.args.wait === undefined) note(d, 'qa', context(deps, 'qa'), `teardown of ${qa.env} waits for its qa-up to finish`);
      addEffect(d, 'teardown-qa', { cycle, wait: Number(effect.args.wait ?? 0) + 1 }, now, new Date(now.getTime() + deps.settings.pollIntervalMs));
    });
    return;
  }
  const parameters = qaDownParameters({ hotfix: h, callbackUrl: callbackUrl(deps.settings) }, qa.env);
  let outcome: QaOutcome;
  let failure: string | null = null;
  try {
    outcome = await oneAtATime(deps, h, () => deps.qa(h.service).down({ parameters, resumed: input.resumed, since: new Date(qa.teardownAskedAt ?? effect.createdAt) }));
  } catch (err) {
    if (!(err instanceof ExternalServiceError) || err.transient) throw err;
    // A QA environment that will not go away must not hold production back: note it, go on.
    failure = err.message;
    outcome = { kind: 'done', url: null };
  }
  // Once the teardown is on its way, `advance` owes the deploy slot and the base check beside it.
  await change(deps, h.id, (d) => {
    completeEffect(d, effect.id);
    const ctx = context(deps, 'qa');
    if (outcome.kind === 'started') recordStartedRun(d, qaCycleOf(d, cycle)?.down ?? null, outcome, ctx, deps.settings.pollIntervalMs);
    else qaTornDown(d, cycle, failure === null, failure ?? '', ctx);
  }, h);
};

/** expire-qa {cycle}: due at qa.expiresAt. */
export const expireQaStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const cycle = argNumber(effect, 'cycle');
  if (h.qa?.expiresAt && Date.parse(h.qa.expiresAt) > deps.clock.now().getTime() + 1000) {
    // Fired early (clock skew between processes, or a reconciler re-add): wait for the real time.
    throw new ExternalServiceError('clock', 'QA expiry is not due yet', true, { retryAfterMs: Date.parse(h.qa.expiresAt) - deps.clock.now().getTime() });
  }
  const service = serviceOf(deps, h);
  await change(deps, h.id, (d) => {
    completeEffect(d, effect.id);
    expireQa(d, cycle, service, context(deps, 'system'));
  });
};
