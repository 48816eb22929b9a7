// The CI server (Jenkins) in the service's words.

import type { Artifact, FinalStatus } from '../domain/hotfix.js';
import type { JobParameters } from '../domain/parameters.js';

export interface QueuedRun {
  queueId: number;
}

export type QueueState =
  | { kind: 'waiting'; why: string | null }
  | { kind: 'started'; number: number; url: string }
  | { kind: 'cancelled' }
  /** Jenkins forgot the item (it does a few minutes after the build starts). */
  | { kind: 'unknown' };

export interface RunInfo {
  number: number;
  url: string;
  building: boolean;
  result: FinalStatus | null;
  /** Start time, ms since epoch. */
  timestamp: number;
  parameters: JobParameters;
}

export interface TriggerOnceOptions {
  /** This step may have triggered before (a retry or a restart): look before triggering. */
  resumed: boolean;
  /** When the run was first asked for (not when this attempt started); older Jenkins builds are not it. */
  since: Date;
  /** Builds and queue items that are other runs of this hotfix: never adopted as this one. */
  exclude?: { numbers: readonly number[]; queueIds: readonly number[] };
}

/** What a pipeline archived as `hotfix-callback.json`: its final callback, read when the callback was lost. */
export interface ArchivedReport {
  commit: string | null;
  artifact: Artifact | null;
  qaUrl: string | null;
  verifyUrl: string | null;
}

/** What Jenkins knows of a run we asked for: a queue item, or (found after a crash) a build. */
export interface TriggeredRun {
  queueId: number | null;
  number: number | null;
  url: string | null;
  /** Found already running or queued instead of triggered now. */
  adopted: boolean;
}

export interface CiServer {
  trigger(job: string, parameters: JobParameters): Promise<QueuedRun>;
  /** Trigger unless a run with the same identifying parameters was already started for this request. */
  triggerOnce(job: string, parameters: JobParameters, options: TriggerOnceOptions): Promise<TriggeredRun>;
  queueState(queueId: number): Promise<QueueState>;
  run(job: string, number: number): Promise<RunInfo | null>;
  /** Recent runs of a job (newest first) whose parameters include all of `match`. */
  findRuns(job: string, match: JobParameters): Promise<RunInfo[]>;
  /** Items still waiting in the queue for `job` whose parameters include all of `match`. */
  findQueued(job: string, match: JobParameters): Promise<number[]>;
  /** Where a person sees the run (its console, artifacts): callbacks do not carry it. */
  runUrl(job: string, number: number): string;
  /** A build's archived artifact, or null if it has none by that path. */
  artifact(job: string, number: number, path: string): Promise<string | null>;
  /** The build's archived final callback (all fields null when it has none, or it is unreadable). */
  archivedReport(job: string, number: number): Promise<ArchivedReport>;
  /** Stop a running build (it ends ABORTED); nothing happens for one already finished. */
  stop(job: string, number: number): Promise<void>;
  /** Take an item out of the queue before it starts. */
  cancelQueued(queueId: number): Promise<void>;
}
