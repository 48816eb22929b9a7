// What a hotfix is. The record is stored whole (one document per hotfix) so a transition and
// the work it implies are committed together; fields below `version` are internal and never
// leave the service (see `toPublicView`).

import type { HotfixState } from './states.js';
import type { Verification } from './verification.js';

export type Stage = 'build' | 'qa-up' | 'qa-down' | 'deploy';
export const STAGES: readonly Stage[] = ['build', 'qa-up', 'qa-down', 'deploy'];

/** Jenkins' own results, plus the service's view of a run before Jenkins reports. */
export type FinalStatus = 'SUCCESS' | 'FAILURE' | 'UNSTABLE' | 'ABORTED' | 'NOT_BUILT';
export type RunStatus = 'REQUESTED' | 'QUEUED' | 'STARTED' | FinalStatus;
export const FINAL_STATUSES: readonly FinalStatus[] = [
  'SUCCESS',
  'FAILURE',
  'UNSTABLE',
  'ABORTED',
  'NOT_BUILT',
];

export interface Artifact {
  version: string;
  url: string;
  /** sha256 of the artifact, hex, when the pipeline reports one. */
  sha256?: string;
}

/** One Jenkins run the service started: a build, a QA up/down or a deploy. */
export interface Run {
  stage: Stage;
  /** 1-based position among this hotfix's runs of the same stage; names the run before Jenkins numbers it. */
  seq: number;
  job: string;
  status: RunStatus;
  number: number | null;
  queueId: number | null;
  url: string | null;
  commit: string | null;
  artifact: Artifact | null;
  qaUrl: string | null;
  requestedAt: string;
  requestedBy: string;
  /** Why it was asked for, in words (the audit trail's line for the state change it causes). */
  reason?: string;
  /** When the service first called Jenkins for it: a later attempt looks before it triggers again. */
  attemptedAt?: string | null;
  /** When Jenkins started the build (deadlines count from here, not from time spent queued). */
  startedAt?: string | null;
  /** The commit Jenkins says it built (callback or archived report); checked against `commit`. */
  reportedCommit?: string | null;
  /** Last time Jenkins told us anything about this run (callback or poll). */
  lastNewsAt: string | null;
  finishedAt: string | null;
  /** A newer run of the same stage replaced this one; its results no longer move the hotfix. */
  superseded: boolean;
}

export type DeployKind = 'hotfix' | 'rollback';

export interface Deploy extends Run {
  kind: DeployKind;
  /** The production tag this deploy replaced: where a rollback of it returns to. */
  replaces?: string | null;
  /** A health check the deploy pipeline asked for in its SUCCESS callback. */
  verifyUrl?: string | null;
}

export type QaStatus = 'provisioning' | 'up' | 'failed' | 'tearing_down' | 'down';

export interface QaEmailRecord {
  recipient: string;
  messageId: string;
  /** Null while being sent: found so after a restart, it may or may not have gone out. */
  sentAt: string | null;
  /** Sent again after a crash may already have sent it once. */
  resend: boolean;
  /**
   * Why the mail server turned this recipient down for good (a 5xx), if it did: kept even when
   * another recipient's passing failure runs the step again, so the refusal stays on record and
   * the refused address is not tried again.
   */
  refused?: string | null;
}

export interface QaCycle {
  cycle: number;
  env: string;
  url: string | null;
  status: QaStatus;
  /** Jenkins number of the build under test; approvals and links are bound to it. */
  build: number;
  commit: string;
  artifact: Artifact;
  expiresAt: string | null;
  /** Why the environment could not be created, once it failed. */
  failure?: string | null;
  /** When QA was told it is up, and when it was seen gone. */
  upAt?: string | null;
  downAt?: string | null;
  up: Run | null;
  down: Run | null;
  /** When its teardown was asked for (each environment is torn down once). */
  teardownAskedAt?: string | null;
  emails: QaEmailRecord[];
  /** What the build changes from the production tag it branched from; unknown until looked at. */
  changes?: { commits: number; files: number } | null;
  /**
   * The first commits and files of those changes, looked up while QA comes up so the QA email
   * needs no git; dropped once the environment is gone (the counts stay).
   */
  changeList?: ChangeList | null;
}

/** What the QA email lists (at most CHANGE_LIST_MAX of each; `changes` has the totals). */
export interface ChangeList {
  commits: Array<{ sha: string; subject: string; author: string }>;
  files: Array<{ status: string; path: string }>;
}

export const CHANGE_LIST_MAX = 50;

export type Decision = 'promote' | 'reject';

/** How a decision reached the service: an email link, the API with a token, the API with SSO, Slack. */
export type Channel = 'email' | 'api' | 'sso' | 'slack' | 'console';

export interface Approval {
  /** The authenticated principal who made the decision. */
  actor: string;
  /** An admin deciding for another person: the decision counts as that person's. */
  onBehalfOf?: string | null;
  decision: Decision;
  comment: string;
  at: string;
  via: Channel;
  /** The approval group this promote counts for (null: counts for none, e.g. its person is counted already). */
  group?: string | null;
  /** A promote during a freeze window that overrides it: the reason given. */
  override?: string | null;
  /** The build number the decision was made on. */
  build: number;
  /** Id of the email link used, so a link works once. */
  linkId: string | null;
}

export interface Backmerge {
  branch: string;
  url: string | null;
  conflicts: string[];
  number: number | null;
  /** When develop was first seen to contain the deployed commit. */
  mergedAt?: string | null;
  /**
   * Who merged the proposal, as the pull-request host records it. Null: the host has no such
   * record (provider none, or develop got the commit some other way) or could not be asked.
   */
  mergedBy?: string | null;
}

export interface Rejection {
  actor: string;
  reason: string;
  at: string;
  /** The build that was rejected. */
  build: number;
  /** Nobody decided before the QA environment's time ran out. */
  expired?: boolean;
}

/** Withdrawn by a person; recorded by the command, carried out by `advance`. */
export interface Cancellation {
  actor: string;
  reason: string;
  at: string;
}

/** The approved build on its way to production. */
export interface Promotion {
  build: number;
  commit: string;
  artifact: Artifact;
  approvedBy: string[];
  approvedAt: string;
  /** Another hotfix of the service holds the production deploy slot. */
  waitingFor: string | null;
  /** Approved through a freeze window by a member of the override group, with a reason. */
  override?: { by: string; reason: string; freeze: string } | null;
  /** Waiting for a freeze window to end before the deploy (no override). */
  frozen?: { name: string; until: string } | null;
  /** Production's newest tag as seen under the deploy slot; null until checked (absent in older records). */
  base?: BaseCheck | null;
}

/**
 * The stale-base guard's answer, taken while QA is torn down: `current` when the approved
 * commit contains production's newest tag (the slot is then held until the deploy is tagged).
 */
export interface BaseCheck {
  newestTag: string | null;
  current: boolean;
  at: string;
  /**
   * Production was rolled back past where this branch was cut: the build carries a change
   * production removed, which merging the newest tag cannot take out.
   */
  rolledBack?: boolean;
}

/** Post-deploy bookkeeping, one flag per exactly-once step. */
export interface Finalization {
  commit: string;
  productionTag: string | null;
  releaseTag: string | null;
  mergeCommit: string | null;
  backmergePushed: boolean;
  /** The back-merge branch went to the origin with the release push (absent: open-backmerge makes it). */
  backmergeBranch?: boolean;
  /** What merging it into the development branch would conflict on, found with the release push. */
  backmergeConflicts?: string[];
}

export interface RollbackPlan {
  reason: string;
  actor: string;
  at: string;
  automatic: boolean;
  /** The production tag returned to, its commit and artifact, once resolved. */
  target: { tag: string; commit: string; artifact: Artifact } | null;
  /** Production tag given to the commit now running again. */
  tag: string | null;
  /** The rollback tag (`tags.rollback`) on that commit, when configured. */
  marker?: string | null;
  /** Production's checks after the rollback deploy, when verification is configured. */
  check?: Verification | null;
  /** Not carried out: production moved on after it was asked for (says what runs now). */
  refused?: string | null;
}

/** A step that failed for a passing reason and will be tried again (visible, not failed). */
export interface Waiting {
  step: StepName;
  effectId: string;
  reason: string;
  since: string;
  attempts: number;
  retryAt: string;
}

export interface Attention {
  reason: string;
  /** What a person should do about it. */
  action: string;
  at: string;
  fromState: HotfixState;
  /** The step that failed, re-queued by POST /retry once a person has fixed the cause. */
  retry: { step: StepName; args: Record<string, string | number> } | null;
  /** Asked to go on (a retry, a new build, or news that answers the question): `advance` leaves needs_attention. */
  resume?: Resume | null;
}

export interface Resume {
  to: HotfixState;
  actor: string;
  why: string;
  /** Queue the failed step again (a retry); absent when the news itself settles it. */
  step?: { step: StepName; args: Record<string, string | number> };
}

export type EventType =
  | 'state'
  | 'git'
  | 'run'
  | 'qa'
  | 'email'
  | 'approval'
  | 'attention'
  | 'notification'
  | 'callback'
  | 'verification';

export interface HotfixEvent {
  at: string;
  type: EventType;
  from?: HotfixState;
  to?: HotfixState;
  actor: string;
  message?: string;
}

export type StepName =
  | 'create-branch'
  | 'trigger-run'
  | 'check-run'
  | 'provision-qa'
  | 'prepare-qa-email'
  | 'send-qa-email'
  | 'expire-qa'
  | 'teardown-qa'
  | 'notify-requester'
  | 'start-deploy'
  | 'tag-production'
  | 'merge-production'
  | 'open-backmerge'
  | 'check-backmerge'
  | 'start-rollback'
  | 'tag-rollback'
  | 'notify-slack'
  | 'tag-release'
  | 'tag-environment'
  | 'verify'
  /** Nothing to do but look at the record again (the end of a freeze window). */
  | 'wake';

/** Work a transition implies, recorded in the same write as the transition (an outbox). */
export interface Effect {
  id: string;
  step: StepName;
  args: Record<string, string | number>;
  /** Not before this time (delayed work: polls, QA expiry). */
  runAt: string | null;
  createdAt: string;
}

export interface Hotfix {
  id: string;
  service: string;
  title: string;
  state: HotfixState;
  branch: string;
  /** The production tag asked for instead of the newest, if any. */
  baseRef: string | null;
  baseTag: string | null;
  baseCommit: string | null;
  /** Branch head after creation (and cherry-picks). */
  head: string | null;
  /** The release name, when the release template fixes it at request ({base}, {n}): `v1.4.2-hotfix.3`. */
  release?: { base: string; n: number; name: string } | null;
  requestedBy: string;
  /** The principal who filed it when an admin requested it on someone's behalf. */
  createdBy?: string | null;
  /** Commits requested to be cherry-picked, as given. */
  commits: string[];
  createdAt: string;
  updatedAt: string;
  builds: Run[];
  qa: QaCycle | null;
  /** Earlier QA cycles whose environment may still exist: torn down once their qa-up settled. */
  qaRetired?: QaCycle[];
  approvals: Approval[];
  deploys: Deploy[];
  tags: string[];
  backmerge: Backmerge | null;
  attention: Attention | null;
  rejection: Rejection | null;
  promotion: Promotion | null;
  finalization: Finalization | null;
  rollback: RollbackPlan | null;
  cancellation?: Cancellation | null;
  /** Checks of production after the deploy (absent without `verification:`). */
  verification?: Verification | null;
  slack: { channel: string; ts: string } | null;
  waiting: Waiting | null;
  events: HotfixEvent[];
  // ---- internal ----
  version: number;
  outbox: Effect[];
  /**
   * The newest Jenkins reports taken, as `${stage}:${number}:${status}` (bounded: an older result
   * is recognised from its run).
   */
  seenReports: string[];
}

/** The contract's view of a hotfix (CONTRACT.md §4): the record without internal bookkeeping. */
export type HotfixView = Omit<Hotfix, 'version' | 'outbox' | 'seenReports'>;

export function toPublicView(h: Hotfix): HotfixView {
  const { version: _v, outbox: _o, seenReports: _s, ...view } = h;
  return view;
}

/** What a list shows of a hotfix: enough to see where it is and why, without its history. */
export interface HotfixSummary {
  id: string;
  service: string;
  title: string;
  state: Hotfix['state'];
  branch: string;
  baseTag: string | null;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  build: { number: number | null; status: RunStatus } | null;
  qa: { env: string; url: string | null; status: QaStatus; expiresAt: string | null } | null;
  deploy: { kind: DeployKind; number: number | null; status: RunStatus } | null;
  tags: string[];
  backmerge: { branch: string; url: string | null } | null;
  attention: Attention | null;
  waiting: Waiting | null;
}

export function toSummary(h: Hotfix): HotfixSummary {
  const build = h.builds.at(-1);
  const deploy = h.deploys.at(-1);
  return {
    id: h.id,
    service: h.service,
    title: h.title,
    state: h.state,
    branch: h.branch,
    baseTag: h.baseTag,
    requestedBy: h.requestedBy,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
    build: build ? { number: build.number, status: build.status } : null,
    qa: h.qa ? { env: h.qa.env, url: h.qa.url, status: h.qa.status, expiresAt: h.qa.expiresAt } : null,
    deploy: deploy ? { kind: deploy.kind, number: deploy.number, status: deploy.status } : null,
    tags: h.tags,
    backmerge: h.backmerge ? { branch: h.backmerge.branch, url: h.backmerge.url } : null,
    attention: h.attention,
    waiting: h.waiting,
  };
}

/** When an effect should have run (ms): its runAt, or when it was added. */
export function effectDue(e: Effect): number {
  return Math.max(Date.parse(e.createdAt), e.runAt ? Date.parse(e.runAt) : 0);
}

export function latestBuild(h: Hotfix): Run | undefined {
  return h.builds.at(-1);
}

export function isFinal(status: RunStatus): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}
