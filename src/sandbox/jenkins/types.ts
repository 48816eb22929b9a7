/**
 * The public vocabulary of the Jenkins simulator: what a test defines (jobs and their
 * behaviour) and what it can inspect afterwards (triggers, builds, callbacks).
 */
import type { FaultSpec } from '../shared/faults.js';

export type BuildResult = 'SUCCESS' | 'FAILURE' | 'UNSTABLE' | 'ABORTED';

/** How `callback()` signs: correctly, with a wrong secret, or not at all (forged callbacks). */
export type CallbackSigning = 'valid' | 'wrong-secret' | 'none';

export interface CallbackOptions {
  /** Overrides the simulator's `callbackSigning` for this one callback. */
  signing?: CallbackSigning;
}

/** The handle a job behaviour gets for the build it plays. */
export interface SimBuild {
  /** Full job name, folders joined with `/` (Jenkins' JOB_NAME). */
  readonly job: string;
  readonly number: number;
  readonly queueId: number;
  readonly params: Readonly<Record<string, string>>;
  /** Absolute build URL ending in `/`, like Jenkins' BUILD_URL. */
  readonly url: string;
  /** Aborted when the build is stopped (`POST .../stop`) or the simulator closes. */
  readonly signal: AbortSignal;
  /** POSTs `body` as JSON to the CALLBACK_URL parameter, signed; resolves with the HTTP status. */
  callback(body: object, opts?: CallbackOptions): Promise<number>;
  /** Archives an artifact, served at `<url>artifact/<relativePath>`. */
  archive(relativePath: string, content: string): void;
  /** Appends a line to the console log (`<url>consoleText`). */
  log(line: string): void;
}

/** What a job does when it runs; resolves to the build's result. */
export type JobBehaviour = (build: SimBuild) => Promise<BuildResult>;

export interface JobOptions {
  /** The number the next build of this job gets (Jenkins' nextBuildNumber); default 1. */
  nextBuildNumber?: number;
}

export interface TriggerRecord {
  job: string;
  params: Record<string, string>;
  queueId: number;
  /** `performance.now()` when the trigger was accepted. */
  at: number;
  /** Set once the queue item became a build. */
  number?: number;
  /** True when Jenkins folded this trigger into an identical one still waiting in the queue. */
  merged?: boolean;
}

export interface CallbackRecord {
  job: string;
  number: number;
  /** The `status` field of the body, when it has one. */
  status: string | undefined;
  signing: CallbackSigning;
  body: string;
  /** The receiver's HTTP status, or undefined when the request failed (`error` says why). */
  httpStatus?: number;
  error?: string;
  at: number;
}

/** A read-only view of a build, for assertions. */
export interface BuildSnapshot {
  job: string;
  number: number;
  queueId: number;
  params: Record<string, string>;
  url: string;
  building: boolean;
  result: BuildResult | null;
  artifacts: string[];
  log: string[];
}

/** An HTTP status to answer with (503 while restarting, 404 for a deleted job …), a broken or hung connection, or a late answer. */
export type JenkinsFaultMode = number | 'refuse' | 'hang' | 'late';

export type JenkinsFault = FaultSpec<JenkinsFaultMode>;

export interface JenkinsSimOptions {
  /** Listen port; 0 (default) picks a free one. */
  port?: number;
  /** The user and API token accepted with HTTP basic auth; anything else gets 401. */
  user: string;
  apiToken: string;
  /** Secret for the `X-Hotfix-Signature` of build callbacks. */
  callbackSecret: string;
  /** Default signing of callbacks; `'valid'` unless told otherwise. */
  callbackSigning?: CallbackSigning;
  /** When true, a POST without the issued crumb gets 403, as for a session without an API token. */
  requireCrumb?: boolean;
  /** How long a queue item waits before it becomes a build; default 0. */
  queueDelayMs?: number;
  /** How long a queue item stays readable after it started or was cancelled; default 5 minutes. */
  queueItemRetentionMs?: number;
  /** Timeout for one callback POST; default 10 s. */
  callbackTimeoutMs?: number;
}
