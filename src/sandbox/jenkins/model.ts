/**
 * Jenkins' state without HTTP: jobs, the queue and builds, and how one becomes the other.
 * Numbers follow Jenkins: build numbers count per job from 1, queue ids are global.
 */
import { RecordLog } from '../shared/record-log.js';
import { postBuildCallback, type CallbackContext } from './callbacks.js';
import type { BuildCore, BuildState, JobState, QueueItemState } from './state.js';
import type { BuildResult, CallbackRecord, CallbackSigning, JobBehaviour, JobOptions, SimBuild, TriggerRecord } from './types.js';

export interface ModelOptions {
  baseUrl: string;
  callbackSecret: string;
  callbackSigning: CallbackSigning;
  callbackTimeoutMs: number;
  queueDelayMs: number;
  queueItemRetentionMs: number;
}

export class JenkinsModel {
  readonly jobs = new Map<string, JobState>();
  readonly queue = new Map<number, QueueItemState>();
  readonly triggers = new RecordLog<TriggerRecord>();
  readonly callbacks = new RecordLog<CallbackRecord>();
  readonly started = new RecordLog<BuildState>();
  readonly finished = new RecordLog<BuildState>();
  queueDelayMs: number;
  callbackSigning: CallbackSigning;
  #nextQueueId = 1;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #closing = new AbortController();
  readonly #callbackContext: CallbackContext;

  constructor(private readonly opts: ModelOptions) {
    this.queueDelayMs = opts.queueDelayMs;
    this.callbackSigning = opts.callbackSigning;
    this.#callbackContext = {
      secret: opts.callbackSecret,
      timeoutMs: opts.callbackTimeoutMs,
      signal: this.#closing.signal,
      signing: () => this.callbackSigning,
      log: this.callbacks,
    };
  }

  defineJob(name: string, behaviour: JobBehaviour, options: JobOptions = {}): void {
    const segments = name.split('/').filter(Boolean);
    if (segments.length === 0) throw new Error('a job needs a name');
    const fullName = segments.join('/');
    const existing = this.jobs.get(fullName);
    if (existing) {
      // Redefining changes what new builds do; queued items and build history stay with the job.
      existing.behaviour = behaviour;
      existing.nextBuildNumber = options.nextBuildNumber ?? existing.nextBuildNumber;
      return;
    }
    this.jobs.set(fullName, {
      name: fullName,
      url: `${this.opts.baseUrl}${segments.map((s) => `/job/${encodeURIComponent(s)}`).join('')}/`,
      behaviour,
      nextBuildNumber: options.nextBuildNumber ?? 1,
      builds: new Map(),
    });
  }

  /**
   * Queues a build, or folds it into an identical one still waiting, as Jenkins does.
   * `quietPeriodMs` (the `delay` query) comes on top of the simulator's queue delay.
   */
  trigger(job: JobState, params: Record<string, string>, quietPeriodMs = 0): QueueItemState {
    const at = performance.now();
    const twin = [...this.queue.values()].find((i) => i.job === job && !i.build && !i.cancelled && sameParams(i.params, params));
    if (twin) {
      this.triggers.push({ job: job.name, params, queueId: twin.id, at, merged: true });
      return twin;
    }
    const id = this.#nextQueueId++;
    const trigger: TriggerRecord = { job: job.name, params, queueId: id, at };
    const waitMs = this.queueDelayMs + quietPeriodMs;
    const now = Date.now();
    const item: QueueItemState = { id, job, params, inQueueSince: now, startsAt: now + waitMs, cancelled: false, trigger };
    this.queue.set(id, item);
    this.triggers.push(trigger);
    this.#later(waitMs, () => this.#start(item));
    return item;
  }

  cancelQueueItem(item: QueueItemState): void {
    if (item.build || item.cancelled) return;
    item.cancelled = true;
    this.#forgetLater(item);
  }

  /** Stops a running build at once with result ABORTED and tells its behaviour through the signal. */
  stop(build: BuildState): void {
    if (!build.building) return;
    this.#complete(build, 'ABORTED');
    build.abort.abort(new Error('build stopped'));
  }

  /** Stops timers and in-flight callbacks; running builds end ABORTED, as when Jenkins shuts down. */
  close(): void {
    this.#closing.abort(new Error('Jenkins simulator closed'));
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const job of this.jobs.values()) {
      for (const build of job.builds.values()) build.abort.abort(new Error('Jenkins simulator closed'));
    }
  }

  #start(item: QueueItemState): void {
    if (item.cancelled || item.build) return;
    const job = item.job;
    const number = job.nextBuildNumber++;
    const core: BuildCore = {
      job, number, queueId: item.id, params: item.params, url: `${job.url}${number}/`,
      artifacts: new Map(), log: [], abort: new AbortController(),
    };
    const build: BuildState = {
      ...core, timestamp: Date.now(), duration: 0, building: true, result: null,
      handle: this.#handle(core), done: Promise.resolve(),
    };
    job.builds.set(number, build);
    item.build = build;
    item.trigger.number = number;
    this.#forgetLater(item);
    build.done = this.#run(build);
    this.started.push(build);
  }

  async #run(build: BuildState): Promise<void> {
    let result: BuildResult;
    try {
      result = await build.job.behaviour(build.handle);
    } catch (err) {
      // A behaviour that throws is a pipeline that crashed: Jenkins marks such builds FAILURE.
      build.log.push(`ERROR: ${err instanceof Error ? err.message : String(err)}`);
      result = build.abort.signal.aborted ? 'ABORTED' : 'FAILURE';
    }
    this.#complete(build, result);
  }

  #complete(build: BuildState, result: BuildResult): void {
    if (!build.building) return;
    build.building = false;
    build.result = result;
    build.duration = Math.max(1, Date.now() - build.timestamp);
    build.log.push(`Finished: ${result}`);
    this.finished.push(build);
  }

  #handle(build: BuildCore): SimBuild {
    return {
      job: build.job.name,
      number: build.number,
      queueId: build.queueId,
      params: build.params,
      url: build.url,
      signal: build.abort.signal,
      callback: (body, opts) => postBuildCallback(this.#callbackContext, build, body, opts),
      archive: (relativePath, content) => {
        build.artifacts.set(relativePath.replace(/^\/+/, ''), content);
      },
      log: (line) => {
        build.log.push(line);
      },
    };
  }

  /** Jenkins forgets a queue item a while after it left the queue; its URL then answers 404. */
  #forgetLater(item: QueueItemState): void {
    this.#later(this.opts.queueItemRetentionMs, () => this.queue.delete(item.id)).unref();
  }

  #later(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }
}

function sameParams(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
