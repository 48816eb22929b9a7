/**
 * A job behaviour that plays the contract's pipelines (CONTRACT.md section 5): a STARTED
 * callback, some work, then the final callback, archived as `hotfix-callback.json`. Its
 * options reproduce what goes wrong with real pipelines: lost, duplicated and reordered
 * callbacks, forged signatures.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { BuildResult, CallbackSigning, JobBehaviour, SimBuild } from './types.js';

export type CallbackStatus = 'STARTED' | BuildResult;

export interface CallbackPayload {
  hotfixId: string;
  stage: string;
  job: string;
  buildNumber: number;
  status: CallbackStatus;
  commit: string;
  artifact?: { version: string; url: string };
  qaUrl?: string;
  /** A deploy's health check for the service's verification. */
  verifyUrl?: string;
  timestamp: string;
}

export interface PayloadOptions {
  /** Version of the artifact a successful build stage produces; default `1.0.<build number>`. */
  artifactVersion?: (build: SimBuild) => string;
  /** Its URL; default an archived file of the build, `<build url>artifact/dist/<SERVICE>-<version>.tgz`. */
  artifactUrl?: (build: SimBuild, version: string) => string;
  /** URL of the environment a successful qa-up creates; default `https://<QA_ENV>.example.com`. */
  qaUrl?: (build: SimBuild) => string;
}

export interface ReportOptions extends PayloadOptions {
  /** Do not send the final callback (it is still archived): a lost callback. */
  dropFinal?: boolean;
  /** Send the final callback this many times at once; default 1. */
  finalCopies?: number;
  signing?: CallbackSigning;
  /** Last-moment changes to the final payload: fields to merge, or a function returning the body. */
  payload?: Partial<CallbackPayload> | ((payload: CallbackPayload, build: SimBuild) => object);
}

export interface ContractPipelineOptions extends ReportOptions {
  /** How long the "work" takes; default 20 ms. */
  durationMs?: number;
  /** The build's result; default SUCCESS. */
  result?: (build: SimBuild) => BuildResult | Promise<BuildResult>;
  dropStarted?: boolean;
  /** Send the final callback first and STARTED after it. */
  finalBeforeStarted?: boolean;
}

export function contractPayload(build: SimBuild, status: CallbackStatus, opts: PayloadOptions = {}): CallbackPayload {
  const p = build.params;
  const payload: CallbackPayload = {
    hotfixId: p.HOTFIX_ID ?? '',
    stage: p.STAGE ?? '',
    job: build.job,
    buildNumber: build.number,
    status,
    commit: p.COMMIT ?? '',
    timestamp: new Date().toISOString(),
  };
  if (status === 'SUCCESS' && p.STAGE === 'build') {
    const version = opts.artifactVersion?.(build) ?? `1.0.${build.number}`;
    payload.artifact = { version, url: opts.artifactUrl?.(build, version) ?? defaultArtifactUrl(build, version) };
  }
  if (status === 'SUCCESS' && p.STAGE === 'qa-up') {
    payload.qaUrl = opts.qaUrl?.(build) ?? `https://${p.QA_ENV ?? 'qa'}.example.com`;
  }
  return payload;
}

/** The pipeline's `post` step: archive the final callback's JSON and send it (unless lost). */
export async function reportFinal(build: SimBuild, status: BuildResult, opts: ReportOptions = {}): Promise<void> {
  const payload = contractPayload(build, status, opts);
  const artifact = payload.artifact;
  if (artifact && artifact.url === defaultArtifactUrl(build, artifact.version)) {
    // Archive the artifact itself, so its URL can be downloaded like a real one.
    build.archive(artifactPath(build, artifact.version), `simulated artifact ${artifact.version}\n`);
  }
  const body = typeof opts.payload === 'function' ? opts.payload(payload, build) : { ...payload, ...opts.payload };
  build.archive('hotfix-callback.json', JSON.stringify(body));
  if (opts.dropFinal) {
    build.log('final callback dropped (simulated loss)');
    return;
  }
  const copies = Math.max(1, opts.finalCopies ?? 1);
  await Promise.all(Array.from({ length: copies }, () => sendQuietly(build, body, opts.signing)));
}

export function contractPipeline(opts: ContractPipelineOptions = {}): JobBehaviour {
  return async (build) => {
    const started = async (): Promise<void> => {
      if (opts.dropStarted) build.log('STARTED callback dropped (simulated loss)');
      else await sendQuietly(build, contractPayload(build, 'STARTED', opts), opts.signing);
    };
    if (!opts.finalBeforeStarted) await started();
    let result: BuildResult;
    try {
      await delay(opts.durationMs ?? 20, undefined, { signal: build.signal });
      result = await (opts.result?.(build) ?? 'SUCCESS');
    } catch (err) {
      if (!build.signal.aborted) throw err;
      // Stopped: a real pipeline's `post { aborted }` still reports.
      result = 'ABORTED';
    }
    await reportFinal(build, result, opts);
    if (opts.finalBeforeStarted) await started();
    return result;
  };
}

/** Like `curl ... || true` in a pipeline: a failed callback is logged and does not fail the build. */
async function sendQuietly(build: SimBuild, body: object, signing: CallbackSigning | undefined): Promise<void> {
  try {
    const status = await build.callback(body, signing ? { signing } : {});
    build.log(`callback answered ${status}`);
  } catch (err) {
    build.log(`callback failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function artifactPath(build: SimBuild, version: string): string {
  return `dist/${build.params.SERVICE ?? 'app'}-${version}.tgz`;
}

function defaultArtifactUrl(build: SimBuild, version: string): string {
  return `${build.url}artifact/${artifactPath(build, version)}`;
}
