/**
 * The jobs that run the app somewhere: qa-up (QA_ENV, ARTIFACT_VERSION, ARTIFACT_URL) serves
 * the artifact on a fresh local port and reports that URL as qaUrl; qa-down (QA_ENV) stops
 * it; deploy (ARTIFACT_VERSION, ARTIFACT_URL) swaps production over to the artifact. None of
 * them rebuilds anything: they download the artifact the build published and check it is the
 * version they were asked to run.
 */
import { join } from 'node:path';
import type { JobBehaviour, SimBuild } from '../../jenkins/index.js';
import { downloadAndUnpack } from '../artifacts.js';
import type { JenkinsJobContext } from './context.js';
import { unpackedVersion } from './package-app.js';
import { demoPipeline, param } from './pipeline.js';

async function fetchArtifact(ctx: JenkinsJobContext, build: SimBuild, name: string): Promise<{ dir: string; version: string }> {
  const url = param(build, 'ARTIFACT_URL');
  const version = param(build, 'ARTIFACT_VERSION');
  const dir = join(ctx.workDir, 'instances', name);
  build.log(`Downloading ${url}`);
  await downloadAndUnpack(url, dir, build.signal);
  const found = unpackedVersion(dir);
  if (found !== version) throw new Error(`${url} holds version ${found}, not ARTIFACT_VERSION ${version}`);
  return { dir, version };
}

export function qaUpJob(ctx: JenkinsJobContext): JobBehaviour {
  return demoPipeline(async (build) => {
    const env = param(build, 'QA_ENV');
    const { dir, version } = await fetchArtifact(ctx, build, `${env}-build-${build.number}`);
    const instance = await ctx.environments.startQa(env, build.params.HOTFIX_ID ?? '', dir, version, build.signal);
    build.log(`QA environment ${env} serves ${version} at ${instance.url}/`);
    return { result: 'SUCCESS', qaUrl: `${instance.url}/` };
  });
}

export function qaDownJob(ctx: JenkinsJobContext): JobBehaviour {
  return demoPipeline(async (build) => {
    const env = param(build, 'QA_ENV');
    // Tearing down what is already gone is a success: the job may run twice.
    build.log((await ctx.environments.stopQa(env)) ? `QA environment ${env} stopped` : `QA environment ${env} was not running`);
    return { result: 'SUCCESS' };
  });
}

export function deployJob(ctx: JenkinsJobContext): JobBehaviour {
  return demoPipeline(async (build) => {
    const { dir, version } = await fetchArtifact(ctx, build, `production-deploy-${build.number}`);
    const commit = build.params.COMMIT ?? '';
    await ctx.environments.deployProduction(dir, version, build.number, commit, build.signal);
    build.log(`Production now runs ${version} (${build.params.DEPLOY_KIND ?? 'deploy'} #${build.number})`);
    return { result: 'SUCCESS' };
  });
}
