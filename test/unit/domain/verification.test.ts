// Verified in production, or back: rounds of checks after the deploy, the N-in-a-row rule, the
// window's end, inconclusive answers, a repeated round, skipping — on plain records.

import { describe, expect, it } from 'vitest';
import { advance } from '../../../src/domain/advance.js';
import { deployRollback } from '../../../src/domain/deploy.js';
import { needsSlot } from '../../../src/domain/deploy-slot.js';
import { published, rollbackTagged } from '../../../src/domain/finalize.js';
import type { Hotfix } from '../../../src/domain/hotfix.js';
import type { ServicePolicy } from '../../../src/domain/policy.js';
import { completeEffect } from '../../../src/domain/record.js';
import { applyReport } from '../../../src/domain/reports.js';
import { recordRound, skipVerification, type CheckAnswer } from '../../../src/domain/verification.js';
import { at, COMMIT_1, ctx, DEPLOY_NUMBER, deployQueued, policy, report } from './builders.js';

const P: ServicePolicy = { ...policy(), verification: { windowSeconds: 60, intervalSeconds: 10, failuresInARow: 3, onInconclusive: 'rollback' } };
const PREVIOUS = { tag: 'prod-41', commit: 'p'.repeat(40), artifact: { version: '1.4.2', url: 'https://artifacts.example.com/payments/1.4.2.tgz' } };

const healthy: CheckAnswer = { check: 'GET https://payments.example.com/health', outcome: 'healthy', detail: 'HTTP 200' };
const sick: CheckAnswer = { check: 'GET https://payments.example.com/health', outcome: 'unhealthy', detail: 'HTTP 500 (expected 200)' };
const unsure: CheckAnswer = { check: 'prometheus: sum(rate(http_5xx[1m]))', outcome: 'inconclusive', detail: 'Prometheus did not answer: ECONNREFUSED' };

/** Deployed at minute 30: verifying from then. */
function verifying(p: ServicePolicy = P): Hotfix {
  const h = deployQueued({ policy: p });
  applyReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER, status: 'SUCCESS', commit: COMMIT_1 }, p), p, ctx('jenkins', at(30)));
  return h;
}

/** Round `n` at 30 min + n × 10 s, as the verify step records it, then advance as `change` would. */
function round(h: Hotfix, n: number, answers: CheckAnswer[], p: ServicePolicy = P): void {
  const when = new Date(at(30).getTime() + n * 10_000);
  const step = h.outbox.find((e) => e.step === 'verify' && e.args.round === n);
  if (step) completeEffect(h, step.id);
  recordRound(h, n, answers, ctx('verification', when));
  advance(h, p, ctx('verification', when));
}

/** The rollback's checks, round by round from the rollback at minute 32, as the verify step records them. */
function checkRollback(h: Hotfix, answers: CheckAnswer[]): void {
  answers.forEach((a, i) => {
    const n = i + 1;
    const when = new Date(at(32).getTime() + n * 10_000);
    const step = h.outbox.find((e) => e.step === 'verify' && e.args.subject === 'rollback' && e.args.round === n);
    if (step) completeEffect(h, step.id);
    recordRound(h, n, [a], ctx('verification', when), 'rollback');
    advance(h, P, ctx('verification', when));
  });
}

describe('verification after a deploy', () => {
  it('the deploy tags prod-N at once (history) and holds the release until the checks pass', () => {
    const h = verifying();
    expect(h.state).toBe('verifying');
    expect(h.verification).toMatchObject({ deploy: 1, deadline: new Date(at(30).getTime() + 60_000).toISOString(), rounds: 0 });
    expect(h.outbox.map((e) => e.step)).toEqual(expect.arrayContaining(['tag-production', 'verify']));
    expect(h.outbox.find((e) => e.step === 'verify')?.runAt).toBe(new Date(at(30).getTime() + 10_000).toISOString());
    published(h, { production: 'prod-12' }, ctx('system', at(30)));
    expect(h.outbox.some((e) => e.step === 'tag-release')).toBe(false);
  });

  it('healthy for the whole window → finalizing, the release tag next', () => {
    const h = verifying();
    published(h, { production: 'prod-12' }, ctx('system', at(30)));
    for (let n = 1; n <= 6; n++) round(h, n, [healthy]);
    expect(h.state).toBe('finalizing');
    expect(h.verification?.result).toMatchObject({ outcome: 'passed' });
    expect(h.outbox.some((e) => e.step === 'tag-release')).toBe(true);
  });

  it('N failed rounds in a row → an automatic rollback, then rolled_back with attention naming the check', () => {
    const h = verifying();
    round(h, 1, [sick]);
    round(h, 2, [sick]);
    expect(h.rollback).toBeNull();
    round(h, 3, [sick]);
    expect(h.state).toBe('verifying');
    expect(h.rollback).toMatchObject({ automatic: true });
    expect(h.rollback?.reason).toContain('GET https://payments.example.com/health answered HTTP 500 (expected 200)');
    expect(h.outbox.some((e) => e.step === 'notify-slack' && e.args.event === 'verification-failed')).toBe(true);
    deployRollback(h, PREVIOUS, P, ctx('system', at(31)));
    applyReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER + 1, status: 'SUCCESS', commit: PREVIOUS.commit }, P), P, ctx('jenkins', at(32)));
    // The rollback is checked too before it counts.
    expect(h.state).toBe('verifying');
    checkRollback(h, [healthy, healthy, healthy, healthy, healthy, healthy]);
    expect(h.state).toBe('rolled_back');
    expect(h.attention?.reason).toContain('HTTP 500');
    expect(h.outbox.some((e) => e.step === 'notify-requester' && e.args.event === 'verification-failed')).toBe(true);
  });

  it('a rollback that fails its checks too stops for a person; nothing more is rolled back', () => {
    const h = verifying();
    for (let n = 1; n <= 3; n++) round(h, n, [sick]);
    deployRollback(h, PREVIOUS, P, ctx('system', at(31)));
    applyReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER + 1, status: 'SUCCESS', commit: PREVIOUS.commit }, P), P, ctx('jenkins', at(32)));
    // What production runs is tagged at once; the slot is held while the rollback is checked.
    expect(h.outbox.some((e) => e.step === 'tag-rollback')).toBe(true);
    rollbackTagged(h, 'prod-13', null, [], ctx('system', at(33)));
    expect(needsSlot(h)).toBe(true);
    checkRollback(h, [sick, sick, sick]);
    expect(h.state).toBe('needs_attention');
    // Everyone is told, and the slot is let go: the fix for production may be the next hotfix.
    expect(h.outbox.filter((e) => e.args.event === 'rollback-failed').map((e) => e.step).sort()).toEqual(['notify-requester', 'notify-slack']);
    expect(needsSlot(h)).toBe(false);
    expect(h.attention?.reason).toContain(`the rollback to ${PREVIOUS.tag} failed its checks too`);
    expect(h.deploys.filter((d) => d.kind === 'rollback')).toHaveLength(1);
    advance(h, P, ctx('system', at(40)));
    expect(h.deploys.filter((d) => d.kind === 'rollback')).toHaveLength(1);
  });

  it('a flapping check (fail, pass, fail) follows the N-in-a-row rule', () => {
    const h = verifying();
    for (const [n, a] of [[1, sick], [2, healthy], [3, sick], [4, sick], [5, healthy], [6, sick]] as const) round(h, n, [a]);
    expect(h.rollback).toBeNull();
    expect(h.state).toBe('finalizing');
  });

  it('inconclusive for the whole window → the configured default (rollback, or pass)', () => {
    const h = verifying();
    for (let n = 1; n <= 6; n++) round(h, n, [unsure]);
    expect(h.rollback?.reason).toContain('inconclusive for the whole window');
    const lenient = { ...P, verification: { windowSeconds: 60, intervalSeconds: 10, failuresInARow: 3, onInconclusive: 'pass' as const } };
    const g = verifying(lenient);
    for (let n = 1; n <= 6; n++) round(g, n, [unsure], lenient);
    expect(g.state).toBe('finalizing');
  });

  it('a round repeated (a restart) is not counted twice; the next round is owed at its time', () => {
    const h = verifying();
    round(h, 1, [sick]);
    expect(recordRound(h, 1, [sick], ctx('verification', at(31)))).toBe(false);
    expect(h.verification?.consecutiveFailures).toBe(1);
    expect(h.outbox.find((e) => e.step === 'verify')).toMatchObject({ args: { round: 2 }, runAt: new Date(at(30).getTime() + 20_000).toISOString() });
  });

  it('an operator may skip the checks (recorded), which releases it', () => {
    const h = verifying();
    skipVerification(h, 'ops@example.com', 'the health endpoint is wrong', ctx('ops@example.com', at(31)));
    advance(h, P, ctx('ops@example.com', at(31)));
    expect(h.state).toBe('finalizing');
    expect(h.verification?.result?.reason).toBe('skipped by ops@example.com: the health endpoint is wrong');
  });

  it('without verification configured the deploy is released at once', () => {
    const h = deployQueued();
    applyReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER, status: 'SUCCESS', commit: COMMIT_1 }), policy(), ctx('jenkins', at(30)));
    expect(h.state).toBe('finalizing');
    expect(h.verification ?? null).toBeNull();
  });
});
