/**
 * startJenkinsSim: a local Jenkins that speaks the REST API the `jenkins` npm client uses,
 * with jobs whose behaviour the test (or the demo) defines.
 */
import { randomBytes } from 'node:crypto';
import { FaultInjector } from '../shared/faults.js';
import { sendText, startHttpServer, type RequestRecord, type RouteHandler } from '../shared/http.js';
import { RecordLog } from '../shared/record-log.js';
import { reportFinal, type ReportOptions } from './contract-pipeline.js';
import { ManualBuilds } from './manual.js';
import { JenkinsModel } from './model.js';
import type { BuildState } from './state.js';
import { createJenkinsRoutes } from './routes.js';
import type {
  BuildResult, BuildSnapshot, CallbackRecord, CallbackSigning, JenkinsFault, JenkinsSimOptions, JobBehaviour, JobOptions, TriggerRecord,
} from './types.js';

export interface FinishOptions extends ReportOptions {
  /** Send the final callback; default true. It is archived as `hotfix-callback.json` either way. */
  callbacks?: boolean;
}

export interface JenkinsSim {
  /** `http://127.0.0.1:<port>`, no trailing slash (the jenkins client rejects one). */
  readonly url: string;
  readonly port: number;
  /** The crumb `GET /crumbIssuer/api/json` hands out. */
  readonly crumb: string;
  readonly requests: readonly RequestRecord[];
  readonly triggers: readonly TriggerRecord[];
  readonly callbacks: readonly CallbackRecord[];
  /** Defines (or redefines) a job; `'manual'` builds run until `finish`. Names use `/` for folders. */
  defineJob(name: string, behaviour: JobBehaviour | 'manual', options?: JobOptions): void;
  /** Ends a running manual build: archives and (by default) sends the contract's final callback. */
  finish(job: string, number: number, result: BuildResult, opts?: FinishOptions): Promise<void>;
  waitForTrigger(predicate: (trigger: TriggerRecord) => boolean, timeoutMs?: number): Promise<TriggerRecord>;
  waitForBuildStart(predicate: (build: BuildSnapshot) => boolean, timeoutMs?: number): Promise<BuildSnapshot>;
  waitForBuildEnd(predicate: (build: BuildSnapshot) => boolean, timeoutMs?: number): Promise<BuildSnapshot>;
  build(job: string, number: number): BuildSnapshot | undefined;
  failNext(fault: JenkinsFault): void;
  /** Time a queue item waits before it becomes a build, for items queued from now on. */
  setQueueDelay(ms: number): void;
  setCallbackSigning(signing: CallbackSigning): void;
  close(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5_000;

export async function startJenkinsSim(opts: JenkinsSimOptions): Promise<JenkinsSim> {
  const faults = new FaultInjector();
  const requests = new RecordLog<RequestRecord>();
  // The routes need the base URL, which exists only once the server listens.
  const late: { routes?: RouteHandler } = {};
  const http = await startHttpServer({
    port: opts.port,
    faults,
    requests,
    handler: (req, res, url) => (late.routes ? late.routes(req, res, url) : sendText(res, 503, 'Jenkins is starting')),
  });
  const model = new JenkinsModel({
    baseUrl: http.url,
    callbackSecret: opts.callbackSecret,
    callbackSigning: opts.callbackSigning ?? 'valid',
    callbackTimeoutMs: opts.callbackTimeoutMs ?? 10_000,
    queueDelayMs: opts.queueDelayMs ?? 0,
    queueItemRetentionMs: opts.queueItemRetentionMs ?? 5 * 60_000,
  });
  const crumb = randomBytes(16).toString('hex');
  late.routes = createJenkinsRoutes(model, {
    baseUrl: http.url, user: opts.user, apiToken: opts.apiToken, crumb, requireCrumb: opts.requireCrumb ?? false,
  });
  const manual = new ManualBuilds();
  const findBuild = (job: string, number: number): BuildState | undefined => model.jobs.get(jobName(job))?.builds.get(number);

  return {
    url: http.url,
    port: http.port,
    crumb,
    get requests() {
      return requests.items;
    },
    get triggers() {
      return model.triggers.items;
    },
    get callbacks() {
      return model.callbacks.items;
    },
    defineJob(name, behaviour, options) {
      model.defineJob(name, behaviour === 'manual' ? manual.behaviour : behaviour, options);
    },
    async finish(job, number, result, finishOpts = {}) {
      const build = findBuild(job, number);
      if (!build || !manual.isWaiting(build.job.name, number)) throw new Error(`${job} #${number} is not a running manual build`);
      await reportFinal(build.handle, result, { ...finishOpts, dropFinal: finishOpts.callbacks === false || finishOpts.dropFinal });
      manual.release(build.job.name, number, result);
      await build.done;
    },
    waitForTrigger(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      return model.triggers.waitFor(predicate, timeoutMs, 'a matching Jenkins trigger');
    },
    async waitForBuildStart(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      return snapshot(await model.started.waitFor((b) => predicate(snapshot(b)), timeoutMs, 'a matching build to start'));
    },
    async waitForBuildEnd(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      return snapshot(await model.finished.waitFor((b) => predicate(snapshot(b)), timeoutMs, 'a matching build to finish'));
    },
    build(job, number) {
      const build = findBuild(job, number);
      return build ? snapshot(build) : undefined;
    },
    failNext(fault) {
      faults.add(fault);
    },
    setQueueDelay(ms) {
      model.queueDelayMs = ms;
    },
    setCallbackSigning(signing) {
      model.callbackSigning = signing;
    },
    async close() {
      model.close();
      await http.close();
    },
  };
}

function jobName(name: string): string {
  return name.split('/').filter(Boolean).join('/');
}

function snapshot(build: BuildState): BuildSnapshot {
  return {
    job: build.job.name,
    number: build.number,
    queueId: build.queueId,
    params: { ...build.params },
    url: build.url,
    building: build.building,
    result: build.result,
    artifacts: [...build.artifacts.keys()],
    log: [...build.log],
  };
}
