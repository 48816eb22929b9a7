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

/** A new window of checks for `deploy` (the hotfix's deploy, or the rollback's). */
export function openWindow(deploy: Deploy, v: VerificationPolicy, ctx: Context): Verification {
  const start = ctx.now.getTime();
  return {
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
}

/** The deploy succeeded: with verification configured, check production before releasing it. */
export function startVerification(h: Hotfix, deploy: Deploy, v: VerificationPolicy, ctx: Context): void {
  h.verification = openWindow(deploy, v, ctx);
  moveTo(h, 'verifying', ctx, `deployed to production by ${deploy.job} #${deploy.number ?? '?'}; verifying it for ${v.windowSeconds} s before release`);
  addEffect(h, 'verify', { round: 1 }, ctx.now, new Date(ctx.now.getTime() + v.intervalSeconds * 1000));
}

/** The window being checked: the hotfix's deploy, or (`rollback`) the rollback's. */
export function windowOf(h: Hotfix, subject: 'deploy' | 'rollback'): Verification | null {
  return (subject === 'rollback' ? h.rollback?.check : h.verification) ?? null;
}

function roundOutcome(answers: readonly CheckAnswer[]): CheckOutcome {
  if (answers.some((a) => a.outcome === 'unhealthy')) return 'unhealthy';
  if (answers.length === 0 || answers.some((a) => a.outcome === 'inconclusive')) return 'inconclusive';
  return 'healthy';
}

/** A round of checks came back. Only the next round in order is counted; a repeat changes nothing. */
export function recordRound(h: Hotfix, round: number, answers: CheckAnswer[], ctx: Context, subject: 'deploy' | 'rollback' = 'deploy'): boolean {
  const v = windowOf(h, subject);
  if ((subject === 'deploy' && h.state !== 'verifying') || !v || v.result || round !== v.rounds + 1) return false;
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
  note(h, 'verification', ctx, `${subject === 'rollback' ? 'rollback ' : ''}check round ${round}: ${outcome}${outcome === 'healthy' ? '' : ` — ${answers.filter((a) => a.outcome !== 'healthy').map((a) => `${a.check}: ${a.detail}`).join('; ')}`}`);
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
 * Judge a window at `now`: N failed rounds in a row fail it; its end passes it (or, with no
 * healthy answer at all, does what `onInconclusive` says). Undecided, the next round is owed.
 */
export function judgeWindow(h: Hotfix, v: Verification, subject: 'deploy' | 'rollback', ctx: Context): void {
  if (v.result) return;
  const now = ctx.now.getTime();
  if (v.consecutiveFailures >= v.failuresInARow) {
    v.result = { outcome: 'failed', at: ctx.now.toISOString(), reason: `verification failed after ${v.consecutiveFailures} failed checks in a row: ${verificationFailure(v)}` };
  } else if (now >= Date.parse(v.deadline) && v.rounds > 0) {
    const inconclusive = v.healthyRounds === 0;
    v.result =
      inconclusive && v.onInconclusive === 'rollback'
        ? { outcome: 'failed', at: ctx.now.toISOString(), reason: `verification inconclusive for the whole window: ${verificationFailure(v)}` }
        : { outcome: 'passed', at: ctx.now.toISOString(), reason: inconclusive ? 'no check answered in the window; onInconclusive is pass' : `healthy for ${Math.round((Date.parse(v.deadline) - Date.parse(v.startedAt)) / 1000)} s` };
  } else if (!h.outbox.some((e) => e.step === 'verify' && (e.args.subject ?? 'deploy') === subject)) {
    const next = v.rounds + 1;
    const due = Math.max(now, Date.parse(v.startedAt) + next * v.intervalMs);
    addEffect(h, 'verify', subject === 'rollback' ? { round: next, subject } : { round: next }, ctx.now, new Date(due));
  }
}

/**
 * `advance` in verifying: a failed window rolls production back; a passed or skipped one
 * releases the hotfix. Otherwise the next round is owed at its time.
 */
export function nextInVerifying(h: Hotfix, _policy: ServicePolicy, ctx: Context, startRollback: (reason: string) => void): boolean {
  const v = h.verification;
  if (!v || h.rollback) return false;
  judgeWindow(h, v, 'deploy', ctx);
  if (!v.result) return false;
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
