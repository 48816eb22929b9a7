// Verified in production, or back: after a deploy the service's health is checked for a
// window; `failuresInARow` unhealthy rounds roll production back (as a failed deploy does),
// a window without a healthy answer ends as `onInconclusive` says, and only a passed window
// lets the hotfix be released (release tag, master, back-merge). The production tag prod-N is
// made at once regardless: it names deploy N, which did run — history, not approval.
//
// Rounds are numbered and recorded only in order, so a round repeated after a crash is never
// counted twice; the window's deadline is stored, so a restart resumes it rather than starting
// it over.

import type { Deploy, Hotfix } from './hotfix.js';
import type { ServicePolicy, VerificationPolicy } from './policy.js';
import { addEffect, moveTo, note, type Context } from './record.js';

export type CheckOutcome = 'healthy' | 'unhealthy' | 'inconclusive';

export interface CheckAnswer {
  /** What was checked, in words: `GET https://…/health`, `prometheus: sum(rate(…))`. */
  check: string;
  outcome: CheckOutcome;
  /** The answer: `HTTP 500`, `0.034 > 0.01`, `connection refused`. */
  detail: string;
}

export interface Verification {
  /** The production deploy being verified. */
  deploy: number;
  startedAt: string;
  /** Stored, so a restart resumes the window instead of starting it again. */
  deadline: string;
  intervalMs: number;
  failuresInARow: number;
  onInconclusive: 'rollback' | 'pass';
  /** A check the deploy pipeline asked for (`verifyUrl` in its SUCCESS callback). */
  extraUrl: string | null;
  rounds: number;
  consecutiveFailures: number;
  healthyRounds: number;
  /** The latest round's answers. */
  last: CheckAnswer[];
  /** Start of the current run of failed rounds (what time to restore counts from). */
  failingSince: string | null;
  result: null | { outcome: 'passed' | 'failed' | 'skipped'; at: string; reason: string };
}

/** The deploy succeeded: with verification configured, check production before releasing it. */
export function startVerification(h: Hotfix, deploy: Deploy, v: VerificationPolicy, ctx: Context): void {
  const start = ctx.now.getTime();
  h.verification = {
    deploy: deploy.seq,
    startedAt: ctx.now.toISOString(),
    deadline: new Date(start + v.windowSeconds * 1000).toISOString(),
    intervalMs: v.intervalSeconds * 1000,
    failuresInARow: v.failuresInARow,
    onInconclusive: v.onInconclusive,
    extraUrl: deploy.verifyUrl ?? null,
    rounds: 0,
    consecutiveFailures: 0,
    healthyRounds: 0,
    last: [],
    failingSince: null,
    result: null,
  };
  moveTo(h, 'verifying', ctx, `deployed to production by ${deploy.job} #${deploy.number ?? '?'}; verifying it for ${v.windowSeconds} s before release`);
  addEffect(h, 'verify', { round: 1 }, ctx.now, new Date(start + v.intervalSeconds * 1000));
}

function roundOutcome(answers: readonly CheckAnswer[]): CheckOutcome {
  if (answers.some((a) => a.outcome === 'unhealthy')) return 'unhealthy';
  if (answers.length === 0 || answers.some((a) => a.outcome === 'inconclusive')) return 'inconclusive';
  return 'healthy';
}

/** A round of checks came back. Only the next round in order is counted; a repeat changes nothing. */
export function recordRound(h: Hotfix, round: number, answers: CheckAnswer[], ctx: Context): boolean {
  const v = h.verification;
  if (h.state !== 'verifying' || !v || v.result || round !== v.rounds + 1) return false;
  v.rounds = round;
  v.last = answers;
  const outcome = roundOutcome(answers);
  if (outcome === 'unhealthy') {
    v.consecutiveFailures += 1;
    v.failingSince ??= ctx.now.toISOString();
  } else if (outcome === 'healthy') {
    v.consecutiveFailures = 0;
    v.failingSince = null;
    v.healthyRounds += 1;
  }
  note(h, 'verification', ctx, `check round ${round}: ${outcome}${outcome === 'healthy' ? '' : ` — ${answers.filter((a) => a.outcome !== 'healthy').map((a) => `${a.check}: ${a.detail}`).join('; ')}`}`);
  return true;
}

/** An operator says the checks are wrong: release without them (recorded with the reason). */
export function skipVerification(h: Hotfix, by: string, reason: string, ctx: Context): void {
  const v = h.verification;
  if (h.state !== 'verifying' || !v || v.result) return;
  v.result = { outcome: 'skipped', at: ctx.now.toISOString(), reason: `skipped by ${by}: ${reason}` };
}

/** Why the verification failed, with the checks' last answers. */
export function verificationFailure(v: Verification): string {
  const failing = v.last.filter((a) => a.outcome !== 'healthy').map((a) => `${a.check} answered ${a.detail}`);
  return failing.length > 0 ? failing.join('; ') : 'no check answered';
}

/**
 * `advance` in verifying: N failed rounds in a row roll back; the window's end passes it (or, with
 * no healthy answer at all, does what `onInconclusive` says); a passed or skipped window releases
 * it. Otherwise the next round is owed at its time.
 */
export function nextInVerifying(h: Hotfix, _policy: ServicePolicy, ctx: Context, startRollback: (reason: string) => void): boolean {
  const v = h.verification;
  if (!v || h.rollback) return false;
  if (!v.result) {
    const now = ctx.now.getTime();
    if (v.consecutiveFailures >= v.failuresInARow) {
      v.result = { outcome: 'failed', at: ctx.now.toISOString(), reason: `verification failed after ${v.consecutiveFailures} failed checks in a row: ${verificationFailure(v)}` };
    } else if (now >= Date.parse(v.deadline) && v.rounds > 0) {
      const inconclusive = v.healthyRounds === 0;
      v.result =
        inconclusive && v.onInconclusive === 'rollback'
          ? { outcome: 'failed', at: ctx.now.toISOString(), reason: `verification inconclusive for the whole window: ${verificationFailure(v)}` }
          : { outcome: 'passed', at: ctx.now.toISOString(), reason: inconclusive ? 'no check answered in the window; onInconclusive is pass' : `healthy for ${Math.round((Date.parse(v.deadline) - Date.parse(v.startedAt)) / 1000)} s` };
    } else {
      const next = v.rounds + 1;
      const due = Math.max(now, Date.parse(v.startedAt) + next * v.intervalMs);
      if (!h.outbox.some((e) => e.step === 'verify')) addEffect(h, 'verify', { round: next }, ctx.now, new Date(due));
      return false;
    }
  }
  if (v.result.outcome === 'failed') {
    v.failingSince ??= v.result.at;
    note(h, 'verification', ctx, v.result.reason);
    addEffect(h, 'notify-slack', { event: 'verification-failed' }, ctx.now);
    startRollback(v.result.reason);
    return false;
  }
  moveTo(h, 'finalizing', ctx, `verified in production (${v.result.reason}); releasing: release tag, master, back-merge`);
  if (h.finalization?.productionTag) addEffect(h, 'tag-release', {}, ctx.now);
  return true;
}
