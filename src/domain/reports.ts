// What a report about a Jenkins run means for the hotfix, whichever way it arrived (signed
// callback or poll): take it (or see it is a duplicate), record what it says about QA, and let
// `advance` decide the rest from the whole record.

import { advance } from './advance.js';
import type { FinalStatus, Hotfix, Run, Stage } from './hotfix.js';
import type { ServicePolicy, Timing } from './policy.js';
import { qaCameUp, qaCouldNotStart, qaTornDown } from './qa.js';
import type { Context } from './record.js';
import { abandon, findRun, keepPolled, takeReport, type ReportOutcome, type RunReport } from './runs.js';

/** `timing`: a run reported started is then polled until it ends (`keepPolled`). */
export function applyReport(h: Hotfix, report: RunReport, policy: ServicePolicy, ctx: Context, timing?: Timing): ReportOutcome {
  const outcome = takeReport(h, report, ctx);
  if (outcome.kind === 'finished') recordQaNews(h, outcome.run, ctx);
  if (outcome.kind === 'progress' && timing) keepPolled(h, outcome.run, ctx, timing.pollIntervalMs);
  advance(h, policy, ctx);
  return outcome;
}

/** Jenkins will not say how the run ended (queue item cancelled, deadline passed): decide as if it failed. */
export function abandonRun(h: Hotfix, stage: Stage, seq: number, status: FinalStatus, reason: string, policy: ServicePolicy, ctx: Context): void {
  const run = findRun(h, stage, seq);
  if (run && abandon(h, run, status, reason, ctx)) recordQaNews(h, run, ctx);
  advance(h, policy, ctx);
}

/** A QA job's result is a fact about the environment; builds and deploys speak for themselves. */
function recordQaNews(h: Hotfix, run: Run, ctx: Context): void {
  const detail = `Jenkins ${run.job} #${run.number ?? '?'} ended ${run.status}`;
  if (run.stage === 'qa-up' && !run.superseded) {
    if (run.status === 'SUCCESS') qaCameUp(h, run.seq, run.qaUrl, ctx);
    else qaCouldNotStart(h, run.seq, detail, ctx);
  }
  if (run.stage === 'qa-down') qaTornDown(h, run.seq, run.status === 'SUCCESS', detail, ctx);
}
