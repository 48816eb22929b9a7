// Starting Jenkins runs (builds and deploys), taking reports about them, and polling Jenkins
// for runs whose callbacks are overdue.

import { isFinal, type Deploy, type Hotfix, type Run, type Stage } from '../domain/hotfix.js';
import { buildParameters, deployParameters, type JobParameters } from '../domain/parameters.js';
import { completeEffect, flagAttention } from '../domain/record.js';
import { abandonRun, applyReport } from '../domain/reports.js';
import { armPoll, findRun, isAmbiguous, recordQueued, recordStarted, runsOf, type ReportOutcome, type RunReport } from '../domain/runs.js';
import { callbackUrl, type Deps } from './deps.js';
import { change, context, serviceOf } from './change.js';
import { argNumber, argString, skip, type Step, type StepInput } from './step.js';

interface Learned {
  seq: number;
  number: number;
  url: string;
}

/** What Jenkins' queue says about the runs still waiting for their number. */
interface QueueFacts {
  started: Learned[];
  /** Runs whose queue item still waits or was cancelled: not the build a report names. */
  notStarted: number[];
}

/**
 * Callbacks name the Jenkins build number, not the request. With several runs still waiting
 * for their number (a rebuild while the first is queued), ask Jenkins which queue item became
 * which build rather than guess.
 */
async function askQueue(deps: Deps, h: Hotfix, report: RunReport): Promise<QueueFacts> {
  const facts: QueueFacts = { started: [], notStarted: [] };
  const pending = runsOf(h, report.stage).filter((r) => r.job === report.job && r.number === null && r.queueId !== null);
  for (const run of pending) {
    const q = run.queueId === null ? null : await deps.ci.queueState(run.queueId).catch(() => null);
    if (q?.kind === 'started') facts.started.push({ seq: run.seq, number: q.number, url: q.url });
    else if (q?.kind === 'waiting' || q?.kind === 'cancelled') facts.notStarted.push(run.seq);
  }
  return facts;
}

export async function ingestReport(deps: Deps, hotfixId: string, report: RunReport, actor: string): Promise<ReportOutcome> {
  const withUrl = { ...report, url: report.url ?? deps.ci.runUrl(report.job, report.number) };
  let facts: QueueFacts | null = null;
  // Usually one read and one write; only an ambiguous report costs a trip to Jenkins first.
  for (;;) {
    let needsNumbers: Hotfix | null = null;
    const { result } = await change(deps, hotfixId, (d) => {
      if (facts === null && isAmbiguous(d, report)) {
        needsNumbers = structuredClone(d);
        return null;
      }
      const ctx = context(deps, actor);
      for (const l of facts?.started ?? []) {
        const run = findRun(d, report.stage, l.seq);
        if (run) recordStarted(d, run, l.number, l.url, ctx);
      }
      return applyReport(d, { ...withUrl, notRuns: facts?.notStarted ?? [] }, serviceOf(deps, d), ctx, deps.settings);
    });
    if (result) return result;
    facts = needsNumbers ? await askQueue(deps, needsNumbers, report) : { started: [], notStarted: [] };
  }
}

function parametersFor(deps: Deps, h: Hotfix, run: Run, commit: string): JobParameters {
  const c = { hotfix: h, callbackUrl: callbackUrl(deps.settings) };
  if (run.stage === 'build') return buildParameters(c, h.branch, commit);
  const deploy = run as Deploy;
  if (!deploy.artifact) throw new Error(`deploy #${run.seq} has no artifact`);
  return deployParameters(c, commit, deploy.artifact, deploy.kind);
}

/** Builds and queue items Jenkins already gave to other runs of this hotfix's stage. */
function otherRuns(h: Hotfix, run: Run): { numbers: number[]; queueIds: number[] } {
  const others = runsOf(h, run.stage).filter((r) => r !== run && r.seq !== run.seq);
  return { numbers: others.flatMap((r) => (r.number === null ? [] : [r.number])), queueIds: others.flatMap((r) => (r.queueId === null ? [] : [r.queueId])) };
}

/** trigger-run {stage: build|deploy, seq}: start the run on Jenkins, once (see `recordAttempt`). */
export const triggerRunStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const stage = argString(effect, 'stage') as Stage;
  const run = findRun(h, stage, argNumber(effect, 'seq'));
  // Anything past REQUESTED is Jenkins' already.
  if (!run || run.superseded || run.status !== 'REQUESTED') return skip(deps, input);
  const service = serviceOf(deps, h);
  let commit = run.commit;
  if (commit === null) {
    commit = await deps.git.branchHead(service.repo, h.branch);
    if (commit === null) {
      await change(deps, h.id, (d) => {
        completeEffect(d, effect.id);
        flagAttention(d, context(deps, 'system'), `branch ${h.branch} is missing on the origin`, 'restore the branch, then build again');
      });
      return;
    }
  }
  const attempt = await recordAttempt(deps, h, (d) => findRun(d, stage, run.seq));
  const triggered = await deps.ci.triggerOnce(run.job, parametersFor(deps, h, run, commit), {
    resumed: input.resumed || attempt.triedBefore,
    since: new Date(run.requestedAt),
    exclude: otherRuns(h, run),
  });
  input.log.info({ job: run.job, queueId: triggered.queueId, adopted: triggered.adopted }, 'jenkins run triggered');
  await change(deps, h.id, (d) => {
    completeEffect(d, effect.id);
    const r = findRun(d, stage, run.seq);
    if (!r) return;
    const ctx = context(deps, 'system');
    recordQueued(d, r, { ...triggered, commit }, ctx, deps.settings.pollIntervalMs);
  }, attempt.hotfix);
};

/**
 * Record that Jenkins is about to be asked for the run, before asking: any later attempt (a
 * BullMQ retry, a restart, a person's POST /retry, a reconciler re-add) then knows the first
 * may have got through and looks for its build before triggering again. A run never
 * attempted cannot exist in Jenkins, so the first attempt need not look.
 */
export async function recordAttempt(deps: Deps, h: Hotfix, runIn: (d: Hotfix) => Run | null | undefined): Promise<{ triedBefore: boolean; hotfix: Hotfix }> {
  if (runIn(h)?.attemptedAt) return { triedBefore: true, hotfix: h };
  let triedBefore = false;
  const { hotfix } = await change(deps, h.id, (d) => {
    const r = runIn(d);
    if (!r) return;
    if (r.attemptedAt) triedBefore = true;
    else r.attemptedAt = deps.clock.now().toISOString();
  }, h);
  return { triedBefore, hotfix };
}

// Runs production waits on have a deadline: a deploy (then rolled back), and the QA teardown,
// whose hotfix holds the service's deploy slot meanwhile (then it goes on as if it failed).
// It counts from when Jenkins started the build; a run still queued counts from its request.
function pastDeadline(deps: Deps, run: Run, now: Date): boolean {
  const since = Date.parse(run.startedAt ?? run.requestedAt);
  return (run.stage === 'deploy' || run.stage === 'qa-down') && now.getTime() - since > deps.settings.deployTimeoutMs;
}

function deadlineText(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} seconds`;
}

/**
 * Past its deadline: stop what Jenkins still runs (or has queued) for it, so an abandoned deploy
 * cannot land in production after its rollback, then decide as if it failed.
 */
async function giveUp(deps: Deps, input: StepInput, run: Run, number: number | null, reason: string): Promise<void> {
  let stopped: string;
  try {
    if (number !== null) {
      await deps.ci.stop(run.job, number);
      stopped = `; stopped Jenkins build ${run.job} #${number}`;
    } else if (run.queueId !== null) {
      await deps.ci.cancelQueued(run.queueId);
      stopped = `; cancelled Jenkins queue item ${run.queueId}`;
    } else {
      stopped = '';
    }
  } catch (err) {
    stopped = `; could not stop it in Jenkins (${err instanceof Error ? err.message : 'unknown error'}): stop it by hand`;
  }
  const policy = serviceOf(deps, input.hotfix);
  await change(deps, input.hotfix.id, (d) => {
    completeEffect(d, input.effect.id);
    abandonRun(d, run.stage, run.seq, 'ABORTED', `${reason}${stopped}`, policy, context(deps, 'jenkins-poll'));
  });
}

/** check-run {stage, seq, round}: the fallback poll for a run whose callback is overdue. */
export const checkRunStep: Step = async (deps, input) => {
  const { hotfix: h, effect } = input;
  const stage = argString(effect, 'stage') as Stage;
  const round = argNumber(effect, 'round');
  const run = findRun(h, stage, argNumber(effect, 'seq'));
  if (!run || run.superseded || isFinal(run.status)) return skip(deps, input);
  const now = deps.clock.now();
  const rearm = async (news?: (d: Hotfix, r: Run) => void): Promise<void> => {
    await change(deps, h.id, (d) => {
      completeEffect(d, effect.id);
      const r = findRun(d, stage, run.seq);
      if (!r || isFinal(r.status)) return;
      news?.(d, r);
      armPoll(d, r, context(deps, 'jenkins-poll'), deps.settings.pollIntervalMs, round + 1);
    });
  };
  const quietFor = now.getTime() - Date.parse(run.lastNewsAt ?? run.requestedAt);
  // News arrived since this poll was armed: nothing is overdue yet.
  if (quietFor < deps.settings.pollIntervalMs * 0.9 && !pastDeadline(deps, run, now)) return rearm();

  let number = run.number;
  let url = run.url;
  if (number === null && run.queueId !== null) {
    const q = await deps.ci.queueState(run.queueId);
    if (q.kind === 'cancelled') {
      const policy = serviceOf(deps, h);
      return void (await change(deps, h.id, (d) => {
        completeEffect(d, effect.id);
        abandonRun(d, run.stage, run.seq, 'ABORTED', `Jenkins queue item ${run.queueId ?? '?'} was cancelled`, policy, context(deps, 'jenkins-poll'));
      }));
    }
    if (q.kind === 'started') ({ number, url } = q);
  }
  if (number === null) {
    if (pastDeadline(deps, run, now)) return giveUp(deps, input, run, null, `Jenkins did not start it within ${deadlineText(deps.settings.deployTimeoutMs)}`);
    return rearm();
  }
  const info = await deps.ci.run(run.job, number);
  const startedAt = info && info.timestamp > 0 ? new Date(info.timestamp) : undefined;
  // A build that started only now has its full time from its start.
  const running = { ...run, startedAt: run.startedAt ?? startedAt?.toISOString() ?? null };
  if (!info || info.building || info.result === null) {
    if (pastDeadline(deps, running, now)) return giveUp(deps, input, run, number, `no result within ${deadlineText(deps.settings.deployTimeoutMs)} of its start`);
    const started = { number, url };
    return rearm((d, r) => {
      recordStarted(d, r, started.number, started.url, context(deps, 'jenkins-poll'), startedAt);
      r.lastNewsAt = now.toISOString();
    });
  }
  const archived = await deps.ci.archivedReport(run.job, number);
  await ingestReport(deps, h.id, { stage: run.stage, job: run.job, number, status: info.result, ...archived, url: info.url, source: 'poll' }, 'jenkins-poll');
  await skip(deps, input);
};
