// The QA environment's steps: bring it up for a build, take it down after a decision, and
// expire it when nobody answers.

import { ExternalServiceError } from '../domain/errors.js';
import type { Hotfix, Run } from '../domain/hotfix.js';
import { qaDownParameters, qaUpParameters } from '../domain/parameters.js';
import { expireQa, qaCameUp, qaCouldNotStart, qaTornDown } from '../domain/qa.js';
import { completeEffect, type Context } from '../domain/record.js';
import { recordQueued } from '../domain/runs.js';
import type { QaOutcome } from '../ports/qa-provider.js';
import { change, context, serviceOf } from './change.js';
import { callbackUrl } from './deps.js';
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
  let outcome: QaOutcome;
  try {
    outcome = await deps.qa(h.service).up({ parameters, resumed: input.resumed, since: new Date(effect.createdAt) });
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
    else if (d.qa?.cycle === cycle) recordStartedRun(d, d.qa.up, outcome, ctx, deps.settings.pollIntervalMs);
  }, h);
};

/** teardown-qa {cycle} */
export const teardownQaStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const cycle = argNumber(effect, 'cycle');
  const qa = h.qa;
  if (!qa || qa.cycle !== cycle || qa.status === 'down' || (qa.down !== null && qa.down.status !== 'REQUESTED')) return skip(deps, input);
  const parameters = qaDownParameters({ hotfix: h, callbackUrl: callbackUrl(deps.settings) }, qa.env);
  let outcome: QaOutcome;
  let failure: string | null = null;
  try {
    outcome = await deps.qa(h.service).down({ parameters, resumed: input.resumed, since: new Date(effect.createdAt) });
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
    if (outcome.kind === 'started' && d.qa?.cycle === cycle) recordStartedRun(d, d.qa.down, outcome, ctx, deps.settings.pollIntervalMs);
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
