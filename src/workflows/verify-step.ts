// verify {round}: one round of checks against production, recorded in order (advance decides
// what the rounds mean). And an operator's "skip the checks", recorded with its reason.

import type { Hotfix } from '../domain/hotfix.js';
import { completeEffect } from '../domain/record.js';
import { recordRound, skipVerification, windowOf, type Verification } from '../domain/verification.js';
import type { HealthCheck } from '../ports/health-checker.js';
import { change, context, serviceOf } from './change.js';
import type { Deps, ServiceSetup } from './deps.js';
import { argNumber, skip, type Step } from './step.js';

/** The configured checks, and the one the deploy pipeline asked for. */
function checksOf(service: ServiceSetup, v: Verification): HealthCheck[] {
  const c = service.verification;
  const checks: HealthCheck[] = (c?.http ?? []).map((x) => ({ kind: 'http', url: x.url, status: x.status, bodyContains: x.bodyContains, timeoutMs: x.timeoutSeconds * 1000 }));
  if (c?.prometheus) checks.push({ kind: 'prometheus', url: c.prometheus.url, query: c.prometheus.query, max: c.prometheus.max, min: c.prometheus.min, timeoutMs: c.prometheus.timeoutSeconds * 1000 });
  if (v.extraUrl) checks.push({ kind: 'http', url: v.extraUrl, status: 200, bodyContains: null, timeoutMs: 5000 });
  return checks;
}

/** verify {round, subject?}: the hotfix's deploy, or (`subject: rollback`) the rollback's. */
export const verifyStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const subject = effect.args.subject === 'rollback' ? 'rollback' : 'deploy';
  const v = windowOf(h, subject);
  const round = argNumber(effect, 'round');
  if ((subject === 'deploy' && h.state !== 'verifying') || !v || v.result || round !== v.rounds + 1) return skip(deps, input);
  const now = deps.clock.now();
  const answers = await Promise.all(checksOf(serviceOf(deps, h), v).map((c) => deps.health.check(c, now)));
  await change(deps, h.id, (d) => {
    completeEffect(d, effect.id);
    recordRound(d, round, answers, context(deps, 'verification'), subject);
  }, h);
};

/** POST …/verification/skip: the checks are wrong; release without them. */
export async function skipChecks(deps: Deps, id: string, by: string, reason: string): Promise<Hotfix> {
  const { hotfix } = await change(deps, id, (d) => skipVerification(d, by, reason, context(deps, by)));
  return hotfix;
}
