/**
 * The simulator's records of jobs, queue items and builds, shared by the model and the routes.
 */
import type { BuildResult, JobBehaviour, SimBuild, TriggerRecord } from './types.js';

export interface JobState {
  name: string;
  url: string;
  behaviour: JobBehaviour;
  nextBuildNumber: number;
  builds: Map<number, BuildState>;
}

export interface QueueItemState {
  id: number;
  job: JobState;
  params: Record<string, string>;
  inQueueSince: number;
  /** Epoch ms at which the item leaves the queue (quiet period plus waiting for an executor). */
  startsAt: number;
  cancelled: boolean;
  build?: BuildState;
  trigger: TriggerRecord;
}

export interface BuildState {
  job: JobState;
  number: number;
  queueId: number;
  params: Record<string, string>;
  url: string;
  timestamp: number;
  duration: number;
  building: boolean;
  result: BuildResult | null;
  artifacts: Map<string, string>;
  log: string[];
  abort: AbortController;
  handle: SimBuild;
  /** Settles once the build has a result. */
  done: Promise<void>;
}

/** The parts of a build its behaviour's handle needs, fixed when the build starts. */
export type BuildCore = Pick<BuildState, 'job' | 'number' | 'queueId' | 'params' | 'url' | 'artifacts' | 'log' | 'abort'>;
