/**
 * The shape every demo job shares, the same as the contract's pipelines
 * (src/sandbox/jenkins/contract-pipeline.ts): a signed STARTED callback, the real work, then
 * the final callback with the artifact or QA URL, archived as `hotfix-callback.json`. Only the
 * work differs: here it really runs on this machine instead of sleeping.
 */
import { contractPayload, reportFinal, type BuildResult, type JobBehaviour, type PayloadOptions, type SimBuild } from '../../jenkins/index.js';

export interface WorkOutcome {
  result: BuildResult;
  /** What a successful build produced. */
  artifact?: { version: string; url: string };
  /** Where a successful qa-up serves the app. */
  qaUrl?: string;
}

export type Work = (build: SimBuild) => Promise<WorkOutcome>;

export function demoPipeline(work: Work): JobBehaviour {
  return async (build) => {
    // A build started by hand (the demo's first production deploy) has nobody to report to.
    const reports = Boolean(build.params.CALLBACK_URL);
    if (reports) await sendStarted(build);
    else build.log('No CALLBACK_URL: started outside the hotfix service, so no callbacks.');
    let outcome: WorkOutcome;
    try {
      outcome = await work(build);
    } catch (err) {
      // A stopped build ends ABORTED; anything else that throws is a failed step, as in Jenkins.
      if (build.signal.aborted) outcome = { result: 'ABORTED' };
      else {
        for (const line of (err instanceof Error ? err.message : String(err)).split('\n')) build.log(`ERROR: ${line}`);
        outcome = { result: 'FAILURE' };
      }
    }
    build.log(`Result: ${outcome.result}`);
    if (reports) await reportFinal(build, outcome.result, payloadOptions(outcome));
    return outcome.result;
  };
}

function payloadOptions(outcome: WorkOutcome): PayloadOptions {
  const opts: PayloadOptions = {};
  const { artifact, qaUrl } = outcome;
  if (artifact) {
    opts.artifactVersion = () => artifact.version;
    opts.artifactUrl = () => artifact.url;
  }
  if (qaUrl) opts.qaUrl = () => qaUrl;
  return opts;
}

/** Like `curl … || true` in a pipeline's first stage: a lost STARTED must not fail the build. */
async function sendStarted(build: SimBuild): Promise<void> {
  try {
    build.log(`STARTED callback answered ${await build.callback(contractPayload(build, 'STARTED'))}`);
  } catch (err) {
    build.log(`STARTED callback failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A job parameter the pipeline cannot run without. */
export function param(build: SimBuild, name: string): string {
  const value = build.params[name];
  if (!value) throw new Error(`missing job parameter ${name}`);
  return value;
}
