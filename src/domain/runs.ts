// Jenkins runs the service starts, and the reports (signed callbacks or polls) about them.
// A run's status only moves forward: REQUESTED → QUEUED → STARTED → a final result. Reports
// are identified by (stage, build number, status); one seen before is a duplicate, a report
// that would move a run backwards is ignored.

import {
  type Artifact,
  type Deploy,
  type FinalStatus,
  type Hotfix,
  type Run,
  type RunStatus,
  type Stage,
  isFinal,
} from './hotfix.js';
import { addEffect, dropEffects, note, type Context } from './record.js';

const RANK: Record<RunStatus, number> = {
  REQUESTED: 0,
  QUEUED: 1,
  STARTED: 2,
  SUCCESS: 3,
  FAILURE: 3,
  UNSTABLE: 3,
  ABORTED: 3,
  NOT_BUILT: 3,
};

export function newRun(stage: Stage, seq: number, job: string, ctx: Context, commit: string | null): Run {
  return {
    stage,
    seq,
    job,
    status: 'REQUESTED',
    number: null,
    queueId: null,
    url: null,
    commit,
    artifact: null,
    qaUrl: null,
    requestedAt: ctx.now.toISOString(),
    requestedBy: ctx.actor,
    lastNewsAt: null,
    finishedAt: null,
    superseded: false,
  };
}

/** Every run of a stage this hotfix still knows, oldest first. */
export function runsOf(h: Hotfix, stage: Stage): Run[] {
  switch (stage) {
    case 'build':
      return h.builds;
    case 'deploy':
      return h.deploys;
    case 'qa-up':
      return [...(h.qaRetired ?? []), ...(h.qa ? [h.qa] : [])].flatMap((c) => (c.up ? [c.up] : []));
    case 'qa-down':
      return [...(h.qaRetired ?? []), ...(h.qa ? [h.qa] : [])].flatMap((c) => (c.down ? [c.down] : []));
  }
}

export function findRun(h: Hotfix, stage: Stage, seq: number): Run | undefined {
  return runsOf(h, stage).find((r) => r.seq === seq);
}

export function pollArgs(run: Run): { stage: Stage; seq: number } {
  return { stage: run.stage, seq: run.seq };
}

/** Arm the fallback poll: Jenkins is asked about the run if no news arrives within the interval. */
export function armPoll(h: Hotfix, run: Run, ctx: Context, pollIntervalMs: number, round = 1): void {
  const since = Date.parse(run.lastNewsAt ?? run.requestedAt);
  const due = new Date(Math.max(since + pollIntervalMs, ctx.now.getTime()));
  addEffect(h, 'check-run', { ...pollArgs(run), round }, ctx.now, due);
}

/**
 * A run Jenkins has and that has not ended is polled, whatever else is lost: a STARTED callback
 * can be the first news of a run whose trigger's record (and poll) a Redis failover took, and its
 * result callback may never come. Arms the poll unless one is pending.
 */
export function keepPolled(h: Hotfix, run: Run, ctx: Context, pollIntervalMs: number): void {
  if (isFinal(run.status) || run.superseded) return;
  if (h.outbox.some((e) => e.step === 'check-run' && e.args.stage === run.stage && e.args.seq === run.seq)) return;
  armPoll(h, run, ctx, pollIntervalMs);
}

function dropPolls(h: Hotfix, run: Run): void {
  dropEffects(h, (step, args) => step === 'check-run' && args.stage === run.stage && args.seq === run.seq);
}

/**
 * Jenkins has the run: as a queue item, or (found again after a crash) already as a build.
 * Either way the run is no longer only REQUESTED, and the fallback poll is armed.
 */
export function recordQueued(
  h: Hotfix,
  run: Run,
  queued: { queueId: number | null; commit: string | null; number?: number | null; url?: string | null },
  ctx: Context,
  pollIntervalMs: number,
): void {
  run.queueId = queued.queueId;
  if (queued.commit !== null) run.commit = queued.commit;
  if (RANK[run.status] < RANK.QUEUED) run.status = 'QUEUED';
  const where = queued.queueId === null ? 'found already running' : `queue item ${queued.queueId}`;
  note(h, 'run', ctx, `${run.stage} #${run.seq} queued on Jenkins job ${run.job} (${where})`);
  if (queued.number != null) recordStarted(h, run, queued.number, queued.url ?? null, ctx);
  // Jenkins folds an identical request into one still waiting in its queue: the older run
  // will never be a build of its own.
  for (const other of runsOf(h, run.stage)) {
    if (queued.queueId !== null && other !== run && other.queueId === queued.queueId && other.job === run.job && !isFinal(other.status)) {
      other.status = 'NOT_BUILT';
      other.finishedAt = ctx.now.toISOString();
      dropPolls(h, other);
      note(h, 'run', ctx, `${other.stage} #${other.seq} was merged by Jenkins into #${run.seq}`);
    }
  }
  // A run superseded while its trigger was in flight is still Jenkins': its queue item is kept
  // so a report about it can be told apart from the newer run's, but nobody polls for it.
  if (!run.superseded) armPoll(h, run, ctx, pollIntervalMs);
}

/** Jenkins started the queued item as build `number` (at `startedAt`, when Jenkins said). */
export function recordStarted(h: Hotfix, run: Run, number: number, url: string | null, ctx: Context, startedAt?: Date): void {
  if (run.number === null) {
    run.number = number;
    note(h, 'run', ctx, `${run.stage} #${run.seq} is Jenkins build ${run.job} #${number}`);
  }
  if (url && !run.url) run.url = url;
  if (RANK[run.status] < RANK.STARTED) run.status = 'STARTED';
  if (!run.startedAt) run.startedAt = (startedAt ?? ctx.now).toISOString();
}

// The newest report keys are kept; an older result is still recognised from its run.
const SEEN_REPORTS_KEPT = 50;

/** A report already taken: among the last keys, or a result the run it names already has. */
function isRepeat(h: Hotfix, report: RunReport): boolean {
  if (h.seenReports.includes(reportKey(report))) return true;
  if (report.status === 'STARTED') return false;
  return runsOf(h, report.stage).some((r) => r.job === report.job && r.number === report.number && r.status === report.status);
}

function remember(h: Hotfix, report: RunReport): void {
  h.seenReports.push(reportKey(report));
  if (h.seenReports.length > SEEN_REPORTS_KEPT) h.seenReports = h.seenReports.slice(-SEEN_REPORTS_KEPT);
}

export function supersede(h: Hotfix, run: Run, ctx: Context): void {
  if (isFinal(run.status) || run.superseded) return;
  run.superseded = true;
  dropPolls(h, run);
  note(h, 'run', ctx, `${run.stage} #${run.seq} superseded by a newer ${run.stage}`);
}

export interface RunReport {
  stage: Stage;
  job: string;
  number: number;
  status: 'STARTED' | FinalStatus;
  commit: string | null;
  artifact: Artifact | null;
  qaUrl: string | null;
  url: string | null;
  /** A health check a deploy pipeline asks for (its SUCCESS callback's `verifyUrl`). */
  verifyUrl?: string | null;
  source: 'callback' | 'poll';
  /** Runs (by seq) Jenkins said are not this build: their queue item still waits, or was cancelled. */
  notRuns?: readonly number[];
}

export type ReportOutcome =
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'progress'; run: Run }
  | { kind: 'finished'; run: Run };

export function reportKey(report: Pick<RunReport, 'stage' | 'number' | 'status'>): string {
  return `${report.stage}:${report.number}:${report.status}`;
}

function matchRun(h: Hotfix, report: RunReport): Run | undefined {
  const runs = runsOf(h, report.stage).filter((r) => r.job === report.job && !report.notRuns?.includes(r.seq));
  const numbered = runs.find((r) => r.number === report.number);
  if (numbered) return numbered;
  // Before the queue item resolves, a run has no number yet: the newest such run with the
  // reported commit is the one Jenkins means.
  // Runs Jenkins is known to have (queued) come before one whose trigger is not recorded yet
  // (which Jenkins can only know of if a crash hid the trigger from us).
  const unnumbered = runs.filter((r) => r.number === null).reverse();
  const pending = [...unnumbered.filter((r) => r.status !== 'REQUESTED'), ...unnumbered.filter((r) => r.status === 'REQUESTED')];
  const byCommit = pending.find((r) => report.commit !== null && r.commit === report.commit);
  if (byCommit) return byCommit;
  // Builds and deploys keep their whole history, so the newest pending one is meant (and a
  // build of the wrong commit is caught by the stage). QA keeps only the current cycle's runs:
  // a report about another commit is a late one from an old cycle, never this cycle's.
  const qa = report.stage === 'qa-up' || report.stage === 'qa-down';
  return pending.find((r) => !qa || report.commit === null || r.commit === null);
}

/**
 * Take a report about a run. Never moves a run backwards: a STARTED after the result, or a
 * second, different result, changes nothing.
 */
export function takeReport(h: Hotfix, report: RunReport, ctx: Context): ReportOutcome {
  if (isRepeat(h, report)) return { kind: 'duplicate' };
  const run = matchRun(h, report);
  if (!run) {
    return { kind: 'ignored', reason: `no ${report.stage} run of job ${report.job} numbered ${report.number}` };
  }
  remember(h, report);
  run.lastNewsAt = ctx.now.toISOString();
  recordStarted(h, run, report.number, report.url, ctx);
  if (report.status === 'STARTED') return { kind: 'progress', run };
  if (isFinal(run.status)) {
    return { kind: 'ignored', reason: `${run.stage} #${run.seq} already finished as ${run.status}` };
  }
  run.status = report.status;
  run.finishedAt = ctx.now.toISOString();
  if (report.artifact) run.artifact = report.artifact;
  if (report.qaUrl) run.qaUrl = report.qaUrl;
  if (report.verifyUrl && run.stage === 'deploy') (run as Deploy).verifyUrl = report.verifyUrl;
  if (report.commit) {
    run.reportedCommit = report.commit;
    if (!run.commit) run.commit = report.commit;
  }
  dropPolls(h, run);
  const via = report.source === 'poll' ? ' (found by polling Jenkins)' : '';
  note(h, 'run', ctx, `${run.stage} ${run.job} #${report.number} finished: ${report.status}${via}`);
  return { kind: 'finished', run };
}

/** End a run Jenkins will not report on (cancelled in the queue, or past its deadline). */
export function abandon(h: Hotfix, run: Run, status: FinalStatus, reason: string, ctx: Context): boolean {
  if (isFinal(run.status)) return false;
  run.status = status;
  run.finishedAt = ctx.now.toISOString();
  dropPolls(h, run);
  note(h, 'run', ctx, `${run.stage} #${run.seq} given up as ${status}: ${reason}`);
  return true;
}

/**
 * More than one run could be the one a report names: none has its number yet, so only Jenkins'
 * queue can say which. A run whose trigger is still in flight counts, since Jenkins may have it.
 */
export function isAmbiguous(h: Hotfix, report: Pick<RunReport, 'stage' | 'job' | 'number'>): boolean {
  const runs = runsOf(h, report.stage).filter((r) => r.job === report.job);
  return !runs.some((r) => r.number === report.number) && runs.filter((r) => r.number === null && !isFinal(r.status)).length > 1;
}

/** True while the run is the one that can still move the hotfix. */
export function isCurrent(h: Hotfix, run: Run): boolean {
  return !run.superseded && runsOf(h, run.stage).at(-1) === run;
}
