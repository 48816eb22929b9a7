/**
 * The build job (STAGE=build, BRANCH, COMMIT): test and package exactly COMMIT, publish the
 * artifact, report its version and URL. Versions are `<major>.<minor>.<build number>` of the
 * app's package.json, like the contract's `1.0.<build number>`.
 */
import { join } from 'node:path';
import type { JobBehaviour } from '../../jenkins/index.js';
import type { JenkinsJobContext } from './context.js';
import { packageApp, TestsFailed } from './package-app.js';
import { demoPipeline, param } from './pipeline.js';

export function buildJob(ctx: JenkinsJobContext): JobBehaviour {
  return demoPipeline(async (build) => {
    const service = param(build, 'SERVICE');
    try {
      const artifact = await packageApp({
        originUrl: ctx.originUrl,
        commit: param(build, 'COMMIT'),
        branch: param(build, 'BRANCH'),
        version: (app) => `${app.split('.').slice(0, 2).join('.')}.${build.number}`,
        buildNumber: build.number,
        workDir: join(ctx.workDir, 'builds', `build-${build.number}`),
        artifactName: `${service}-{version}.tgz`,
        store: ctx.artifacts,
        log: (line) => build.log(line),
        signal: build.signal,
      });
      return { result: 'SUCCESS', artifact: { version: artifact.version, url: artifact.url } };
    } catch (err) {
      if (err instanceof TestsFailed) return { result: 'FAILURE' };
      throw err;
    }
  });
}
