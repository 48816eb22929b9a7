/**
 * Before the story starts, production must run something: the team's first release. The
 * demo packs the commit tagged prod-1 (as version 1.0.0) and runs the deploy job as build #1
 * through Jenkins' REST API, as a team's normal release would. So `prod-1` names deploy #1,
 * and its ARTIFACT_VERSION/ARTIFACT_URL parameters are where a rollback finds the artifact
 * (CONTRACT.md section 5), exactly as with a real Jenkins.
 */
import { join } from 'node:path';
import type { JenkinsSim } from '../jenkins/index.js';
import type { ArtifactStore } from './artifacts.js';
import { packageApp } from './jobs/index.js';

export interface FirstRelease {
  jenkins: JenkinsSim;
  jenkinsUser: string;
  jenkinsToken: string;
  deployJob: string;
  service: string;
  originUrl: string;
  commit: string;
  workDir: string;
  artifacts: ArtifactStore;
  log: (line: string) => void;
}

export async function deployFirstRelease(r: FirstRelease): Promise<{ version: string; url: string }> {
  const artifact = await packageApp({
    originUrl: r.originUrl,
    commit: r.commit,
    buildNumber: null,
    workDir: join(r.workDir, 'builds', 'first-release'),
    artifactName: `${r.service}-{version}.tgz`,
    store: r.artifacts,
    log: r.log,
    signal: AbortSignal.timeout(120_000),
  });
  const jobPath = r.deployJob.split('/').map((s) => `/job/${encodeURIComponent(s)}`).join('');
  const params = new URLSearchParams({
    SERVICE: r.service,
    STAGE: 'deploy',
    COMMIT: r.commit,
    ARTIFACT_VERSION: artifact.version,
    ARTIFACT_URL: artifact.url,
    // Not a hotfix nor a rollback: the team's regular release, before the demo's story begins.
    DEPLOY_KIND: 'release',
  });
  const res = await fetch(`${r.jenkins.url}${jobPath}/buildWithParameters`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${r.jenkinsUser}:${r.jenkinsToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: params.toString(),
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`triggering ${r.deployJob}: HTTP ${res.status}`);
  const build = await r.jenkins.waitForBuildEnd((b) => b.job === r.deployJob && b.params.ARTIFACT_VERSION === artifact.version, 30_000);
  if (build.result !== 'SUCCESS' || build.number !== 1) {
    throw new Error(`the first production deploy ended ${build.result} as #${build.number}:\n${build.log.join('\n')}`);
  }
  return { version: artifact.version, url: artifact.url };
}
