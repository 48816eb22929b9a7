// Hotfixes in a given state, reached the way the service reaches them: through the real
// domain functions, step by step. No record is assembled by hand.

import { decide } from '../../../src/domain/approvals.js';
import { requestBuild } from '../../../src/domain/build.js';
import { newHotfix, recordBranch } from '../../../src/domain/create.js';
import { baseChecked } from '../../../src/domain/deploy.js';
import { backmergeOpened, mergedIntoProduction, published } from '../../../src/domain/finalize.js';
import type { Artifact, Hotfix, Run, Stage } from '../../../src/domain/hotfix.js';
import { approvalGroups, type ServicePolicy } from '../../../src/domain/policy.js';
import type { Context } from '../../../src/domain/record.js';
import { applyReport } from '../../../src/domain/reports.js';
import { recordQueued, type RunReport } from '../../../src/domain/runs.js';

export const T0 = new Date('2026-11-05T10:00:00.000Z');
export const POLL_MS = 30_000;
export const BACKMERGE_CHECK_MS = 60_000;

export const ID = 'HF-2026-11-001';
export const REQUESTER = 'dev@example.com';
export const BASE_COMMIT = 'b'.repeat(40);
export const COMMIT_1 = '1'.repeat(40);
export const COMMIT_2 = '2'.repeat(40);
export const BUILD_1 = 7;
export const BUILD_2 = 8;
export const ARTIFACT_1: Artifact = { version: '1.4.3', url: 'https://artifacts.example.com/payments/1.4.3.tgz' };
export const ARTIFACT_2: Artifact = { version: '1.4.3-2', url: 'https://artifacts.example.com/payments/1.4.3-2.tgz' };
export const QA_URL = 'https://qa-hf-2026-11-001.example.com';
export const QA_UP_NUMBER = 31;
export const QA_DOWN_NUMBER = 32;
export const DEPLOY_NUMBER = 12;

/** A time `minutes` after T0. */
export function at(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

export function ctx(actor = 'system', now: Date = T0): Context {
  return { actor, now };
}

export function policy(overrides: { required?: number; approvers?: string[]; provider?: 'jenkins' | 'command' } = {}): ServicePolicy {
  return {
    name: 'payments',
    branches: { production: 'master', development: 'develop' },
    tags: { production: 'prod-{build}', release: 'v{version}' },
    jobs: { build: 'payments-build', qaUp: 'payments-qa-up', qaDown: 'payments-qa-down', deploy: 'payments-deploy' },
    qa: { provider: overrides.provider ?? 'jenkins', ttlHours: 24, recipients: ['qa-team@example.com'] },
    approvals: { required: overrides.required ?? 1, approvers: overrides.approvers ?? ['*@example.com', 'Lead@Corp.io'] },
  };
}

export const POLICY = policy();

export function must<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}`);
  return value;
}

const JOB_OF: Record<Stage, keyof ServicePolicy['jobs']> = { build: 'build', 'qa-up': 'qaUp', 'qa-down': 'qaDown', deploy: 'deploy' };

/** A Jenkins report as a signed callback would carry it. */
export function report(
  fields: Pick<RunReport, 'stage' | 'number' | 'status'> & Partial<RunReport>,
  p: ServicePolicy = POLICY,
): RunReport {
  return {
    job: p.jobs[JOB_OF[fields.stage]],
    commit: null,
    artifact: null,
    qaUrl: null,
    url: null,
    source: 'callback',
    ...fields,
  };
}

export interface Options {
  policy?: ServicePolicy;
  title?: string;
  requestedBy?: string;
}

/** `open`: the branch is pushed, nothing built yet. */
export function opened(o: Options = {}): Hotfix {
  const h = newHotfix({ id: ID, service: 'payments', title: o.title ?? 'Fix rounding', requestedBy: o.requestedBy ?? REQUESTER, commits: [] }, T0);
  recordBranch(h, { baseTag: 'prod-41', baseCommit: BASE_COMMIT, head: COMMIT_1, adopted: false }, ctx('system', at(1)));
  return h;
}

/** Request a build of `commit` and record that Jenkins queued it. */
export function queueBuild(h: Hotfix, commit: string, p: ServicePolicy, now: Date): Run {
  const run = requestBuild(h, p, ctx('dev@example.com', now));
  recordQueued(h, run, { queueId: 100 + run.seq, commit }, ctx('system', now), POLL_MS);
  return run;
}

/** `building`: build #1 of COMMIT_1 queued on Jenkins. */
export function building(o: Options = {}): Hotfix {
  const h = opened(o);
  queueBuild(h, COMMIT_1, o.policy ?? POLICY, at(2));
  return h;
}

/** `qa_provisioning`: build #7 of COMMIT_1 passed with ARTIFACT_1. */
export function qaProvisioning(o: Options = {}): Hotfix {
  const p = o.policy ?? POLICY;
  const h = building(o);
  applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'SUCCESS', commit: COMMIT_1, artifact: ARTIFACT_1 }, p), p, ctx('jenkins', at(10)));
  return h;
}

/** `awaiting_approval`: the QA environment of build #7 is up at QA_URL. */
export function awaitingApproval(o: Options = {}): Hotfix {
  const p = o.policy ?? POLICY;
  const h = qaProvisioning(o);
  applyReport(h, report({ stage: 'qa-up', number: QA_UP_NUMBER, status: 'SUCCESS', commit: COMMIT_1, qaUrl: QA_URL }, p), p, ctx('jenkins', at(15)));
  return h;
}

export const APPROVERS = ['qa1@example.com', 'qa2@example.com', 'qa3@example.com'];

/** `deploying`: approved by as many of APPROVERS as the policy needs; QA teardown and the base check asked for. */
export function deploying(o: Options = {}): Hotfix {
  const p = o.policy ?? POLICY;
  const h = awaitingApproval(o);
  for (const actor of APPROVERS.slice(0, approvalGroups(p.approvals).reduce((n, g) => n + g.required, 0))) {
    decide(h, { actor, decision: 'promote', comment: 'looks good', via: 'email', build: BUILD_1, linkId: `link-${actor}` }, p, ctx(actor, at(20)));
  }
  return h;
}

/** `deploying`, base checked, QA torn down and the hotfix deploy queued on Jenkins. */
export function deployQueued(o: Options = {}): Hotfix {
  const p = o.policy ?? POLICY;
  const h = deploying(o);
  baseChecked(h, { newestTag: 'prod-41', current: true }, p, ctx('system', at(21)));
  applyReport(h, report({ stage: 'qa-down', number: QA_DOWN_NUMBER, status: 'SUCCESS' }, p), p, ctx('jenkins', at(22)));
  const run = h.deploys.find((d) => d.kind === 'hotfix');
  if (!run) throw new Error('the deploy was not requested');
  recordQueued(h, run, { queueId: 300, commit: null }, ctx('system', at(23)), POLL_MS);
  return h;
}

/** `finalizing`: deploy #12 of the approved artifact succeeded. */
export function finalizing(o: Options = {}): Hotfix {
  const p = o.policy ?? POLICY;
  const h = deployQueued(o);
  applyReport(h, report({ stage: 'deploy', number: DEPLOY_NUMBER, status: 'SUCCESS', commit: COMMIT_1 }, p), p, ctx('jenkins', at(30)));
  return h;
}

/** Both tags, each recorded as its own publish did (production first, then the release). */
export function tagged(h: Hotfix, tags: { production: string; release: string }, c: Context): void {
  published(h, { production: tags.production }, c);
  published(h, { release: tags.release }, c);
}

/** `awaiting_backmerge`: tagged, merged into master, back-merge PR #5 open. */
export function awaitingBackmerge(o: Options = {}): Hotfix {
  const h = finalizing(o);
  tagged(h, { production: 'prod-12', release: 'v1.4.3' }, ctx('system', at(31)));
  mergedIntoProduction(h, 'master', 'm'.repeat(40), false, ctx('system', at(32)));
  backmergeOpened(h, { url: 'https://github.example.com/acme/payments/pull/5', number: 5, conflicts: [] }, BACKMERGE_CHECK_MS, o.policy ?? POLICY, ctx('system', at(33)));
  return h;
}

export function steps(h: Hotfix): string[] {
  return h.outbox.map((e) => e.step);
}

export function effect(h: Hotfix, step: string): Hotfix['outbox'][number] | undefined {
  return h.outbox.find((e) => e.step === step);
}
