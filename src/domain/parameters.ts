// The parameters every job the service starts receives (CONTRACT.md §5). The same names are
// the environment of the `command` QA provider, so one team script can serve both.

import type { Artifact, DeployKind, Hotfix, Stage } from './hotfix.js';

export type JobParameters = Record<string, string>;

interface Common {
  hotfix: Pick<Hotfix, 'id' | 'service'>;
  callbackUrl: string;
}

function common(stage: Stage, c: Common): JobParameters {
  return { HOTFIX_ID: c.hotfix.id, SERVICE: c.hotfix.service, STAGE: stage, CALLBACK_URL: c.callbackUrl };
}

export function buildParameters(c: Common, branch: string, commit: string): JobParameters {
  return { ...common('build', c), BRANCH: branch, COMMIT: commit };
}

export function qaUpParameters(c: Common, env: string, commit: string, artifact: Artifact): JobParameters {
  return {
    ...common('qa-up', c),
    QA_ENV: env,
    COMMIT: commit,
    ARTIFACT_VERSION: artifact.version,
    ARTIFACT_URL: artifact.url,
  };
}

export function qaDownParameters(c: Common, env: string): JobParameters {
  return { ...common('qa-down', c), QA_ENV: env };
}

export function deployParameters(c: Common, commit: string, artifact: Artifact, kind: DeployKind): JobParameters {
  return {
    ...common('deploy', c),
    COMMIT: commit,
    ARTIFACT_VERSION: artifact.version,
    ARTIFACT_URL: artifact.url,
    DEPLOY_KIND: kind,
  };
}

/** The parameters that identify which hotfix and stage a Jenkins build belongs to. */
export function identifyingParameters(params: JobParameters): JobParameters {
  const keys = ['HOTFIX_ID', 'STAGE', 'COMMIT', 'QA_ENV', 'DEPLOY_KIND'];
  return Object.fromEntries(Object.entries(params).filter(([k]) => keys.includes(k)));
}
