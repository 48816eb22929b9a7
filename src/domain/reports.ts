// What a report about a Jenkins run means for the hotfix, whichever way it arrived (signed
// callback or poll): take it (or see it is a duplicate), then let the stage decide.

import { commitMismatch, onBuildFinished } from './build.js';
import { goOnToProduction, onDeployFinished } from './deploy.js';
import type { FinalStatus, Hotfix, Run, Stage } from './hotfix.js';
import type { ServicePolicy } from './policy.js';
import { qaFailed, qaReady, qaTornDown } from './qa.js';
import type { Context } from './record.js';
import { abandon, findRun, takeReport, type ReportOutcome, type RunReport } from './runs.js';

function onQaUpFinished(h: Hotfix, run: Run, policy: ServicePolicy, ctx: Context): void {
  if (run.superseded) return;
  if (run.status === 'SUCCESS') qaReady(h, run.seq, run.qaUrl, policy, ctx);
  else qaFailed(h, run.seq, `Jenkins ${run.job} #${run.number ?? '?'} ended ${run.status}`, ctx);
}

export function applyReport(h: Hotfix, report: RunReport, policy: ServicePolicy, ctx: Context): ReportOutcome {
  const outcome = takeReport(h, report, ctx);
  if (outcome.kind === 'finished') onRunFinished(h, outcome.run, report.commit, policy, ctx);
  return outcome;
}

/** Jenkins will not say how the run ended (queue item cancelled, deadline passed): decide as if it failed. */
export function abandonRun(h: Hotfix, stage: Stage, seq: number, status: FinalStatus, reason: string, policy: ServicePolicy, ctx: Context): void {
  const run = findRun(h, stage, seq);
  if (run && abandon(h, run, status, reason, ctx)) onRunFinished(h, run, null, policy, ctx);
}

function onRunFinished(h: Hotfix, run: Run, reportedCommit: string | null, policy: ServicePolicy, ctx: Context): void {
  switch (run.stage) {
    case 'build':
      if (run.status === 'SUCCESS' && reportedCommit && run.commit && reportedCommit !== run.commit) {
        if (!run.superseded) commitMismatch(h, run, reportedCommit, ctx);
        break;
      }
      onBuildFinished(h, run, policy, ctx);
      break;
    case 'qa-up':
      onQaUpFinished(h, run, policy, ctx);
      break;
    case 'qa-down':
      qaTornDown(h, run.seq, run.status === 'SUCCESS', `Jenkins ${run.job} #${run.number ?? '?'} ended ${run.status}`, ctx);
      goOnToProduction(h, policy, ctx);
      break;
    case 'deploy':
      onDeployFinished(h, run, policy, ctx);
      break;
  }
}
