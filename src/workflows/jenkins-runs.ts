// Starting Jenkins runs (builds and deploys), taking reports about them, and polling Jenkins
// for runs whose callbacks are overdue.

import { z } from 'zod';
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
      return applyReport(d, { ...withUrl, notRuns: facts?.notStarted ?? [] }, serviceOf(deps, d), ctx);
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

/** trigger-run {stage: build|deploy, seq}: start the run on Jenkins, once. */
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
  const triggered = await deps.ci.triggerOnce(run.job, parametersFor(deps, h, run, commit), {
    resumed: input.resumed,
    since: new Date(effect.createdAt),
  });
  input.log.info({ job: run.job, queueId: triggered.queueId, adopted: triggered.adopted }, 'jenkins run triggered');
  await change(deps, h.id, (d) => {
    completeEffect(d, effect.id);
    const r = findRun(d, stage, run.seq);
    if (!r) return;
    const ctx = context(deps, 'system');
    recordQueued(d, r, { ...triggered, commit }, ctx, deps.settings.pollIntervalMs);
  }, h);
};

const callbackFile = z.object({
  commit: z.string().optional(),
  artifact: z.object({ version: z.string(), url: z.string() }).optional(),
  qaUrl: z.string().optional(),
});

async function archivedReport(deps: Deps, run: Run, number: number): Promise<z.infer<typeof callbackFile>> {
  const text = await deps.ci.artifact(run.job, number, 'hotfix-callback.json');
  if (text === null) return {};
  try {
    const parsed = callbackFile.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

// Runs production waits on have a deadline: a deploy (then rolled back), and the QA teardown,
// whose hotfix holds the service's deploy slot meanwhile (then it goes on as if it failed).
function pastDeadline(deps: Deps, run: Run, now: Date): boolean {
  return (run.stage === 'deploy' || run.stage === 'qa-down') && now.getTime() - Date.parse(run.requestedAt) > deps.settings.deployTimeoutMs;
}

function deadlineText(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} seconds`;
}

async function giveUp(deps: Deps, input: StepInput, run: Run, reason: string): Promise<void> {
  const policy = serviceOf(deps, input.hotfix);
  await change(deps, input.hotfix.id, (d) => {
    completeEffect(d, input.effect.id);
    abandonRun(d, run.stage, run.seq, 'ABORTED', reason, policy, context(deps, 'jenkins-poll'));
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
  const deadline = pastDeadline(deps, run, now);
  const quietFor = now.getTime() - Date.parse(run.lastNewsAt ?? run.requestedAt);
  // News arrived since this poll was armed: nothing is overdue yet.
  if (quietFor < deps.settings.pollIntervalMs * 0.9 && !deadline) return rearm();

  let number = run.number;
  let url = run.url;
  if (number === null && run.queueId !== null) {
    const q = await deps.ci.queueState(run.queueId);
    if (q.kind === 'cancelled') return giveUp(deps, input, run, `Jenkins queue item ${run.queueId} was cancelled`);
    if (q.kind === 'started') ({ number, url } = q);
  }
  if (number === null) {
    if (deadline) return giveUp(deps, input, run, `Jenkins did not start it within ${deadlineText(deps.settings.deployTimeoutMs)}`);
    return rearm();
  }
  const info = await deps.ci.run(run.job, number);
  if (!info || info.building || info.result === null) {
    if (deadline) return giveUp(deps, input, run, `no result within ${deadlineText(deps.settings.deployTimeoutMs)}`);
    const started = { number, url };
    return rearm((d, r) => {
      recordStarted(d, r, started.number, started.url, context(deps, 'jenkins-poll'));
      r.lastNewsAt = now.toISOString();
    });
  }
  const archived = await archivedReport(deps, run, number);
  await ingestReport(deps, h.id, pollReport(run, number, info.result, info.url, archived), 'jenkins-poll');
  await skip(deps, input);
};

function pollReport(run: Run, number: number, status: RunReport['status'], url: string | null, archived: z.infer<typeof callbackFile>): RunReport {
  return {
    stage: run.stage,
    job: run.job,
    number,
    status,
    commit: archived.commit ?? null,
    artifact: archived.artifact ?? null,
    qaUrl: archived.qaUrl ?? null,
    url,
    source: 'poll',
  };
}
