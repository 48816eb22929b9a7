// The tags (templates in tags.ts): the production tag as soon as a deploy ran, the release tag
// once the hotfix is released, and — when configured — an environment tag each time a version
// lands in QA or production. Names come from recorded facts (build numbers, the times things
// happened), so a step repeated after a crash names the same tag, and `publish` finds it.

import { InvalidStateError } from '../domain/errors.js';
import { finalizeBlocked, mergeMessage, published, tagMessage } from '../domain/finalize.js';
import type { Hotfix } from '../domain/hotfix.js';
import { backmergeBranch } from '../domain/ids.js';
import { completeEffect, note, type Context } from '../domain/record.js';
import type { Published, PublishPlan } from '../ports/git-repo.js';
import { productionTagName, renderTag, tagTimestamp, type TagValues } from '../domain/tags.js';
import { change, context, serviceOf } from './change.js';
import { argNumber, argString, skip, type Step, type StepInput } from './step.js';
import type { Deps, ServiceSetup } from './deps.js';

/** What every template of this hotfix may use. */
export function tagValues(h: Hotfix): TagValues {
  return { id: h.id, ...(h.release ? { version: h.release.name, base: h.release.base, n: h.release.n } : {}) };
}

/** Stop for a person when a tag exists elsewhere (tags never move). */
async function tagBlocked(deps: Deps, input: StepInput, err: InvalidStateError): Promise<void> {
  await change(deps, input.hotfix.id, (d) => {
    completeEffect(d, input.effect.id);
    finalizeBlocked(d, err.message, 'remove or rename the conflicting tag, then POST /retry', context(deps, 'system'), input.effect);
  });
}

/**
 * The release part of a publish, once the hotfix may be released: the release tag (the name fixed
 * at request, or the next patch), the merge into the production branch and the back-merge branch.
 */
function releasePlan(h: Hotfix, service: ServiceSetup, message: string): PublishPlan {
  return {
    tags: [h.release ? { name: h.release.name, message } : { template: service.tags.release, marker: `Hotfix ${h.id}:`, message }],
    merge: { branch: service.branches.production, message: mergeMessage(h), alsoBranch: backmergeBranch(h.id), previewInto: service.branches.development },
  };
}

/** Records a publish: the tags, and the merge when it was made (a failed one is the merge step's to report). */
function recordPublished(d: Hotfix, res: Published, production: string | null, branch: string, ctx: Context): void {
  const names = res.tags.map((t) => t.name);
  const release = production === null ? names[0] : names[1];
  const merge = res.merge && 'mergeCommit' in res.merge ? { branch, mergeCommit: res.merge.mergeCommit, already: res.merge.already, backmergeBranch: res.merge.alsoBranch !== null, ...(res.merge.preview ? { backmergeConflicts: res.merge.preview.conflicts } : {}) } : undefined;
  published(d, { ...(production ? { production } : {}), ...(release ? { release } : {}), ...(merge ? { merge } : {}) }, ctx);
}

/**
 * tag-production {seq}: `tags.production` as soon as the deploy ran (while it is verified, too):
 * it names what production ran, verified or not. When the hotfix is released at once (no
 * verification), the release goes in the same push (`publish`): one push instead of four.
 */
export const tagProductionStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const f = h.finalization;
  const deploy = h.deploys.find((d) => d.seq === argNumber(input.effect, 'seq'));
  const ran = h.state === 'finalizing' || h.state === 'verifying' || (h.state === 'rolled_back' && h.verification?.result?.outcome === 'failed');
  if (!ran || !f || f.productionTag || !deploy?.number || !h.promotion) return skip(deps, input);
  const service = serviceOf(deps, h);
  const name = productionTagName(service.tags.production, deploy.number, { ...tagValues(h), timestamp: tagTimestamp(deploy.finishedAt ?? deps.clock.now()) });
  const message = tagMessage(h, deploy.number);
  const production = { name, message };
  const release = h.state === 'finalizing' && !f.releaseTag ? releasePlan(h, service, message) : null;
  let res: Published;
  try {
    res = await deps.git.publish(service.repo, f.commit, { tags: [production, ...(release?.tags ?? [])], ...(release?.merge ? { merge: release.merge } : {}) });
  } catch (err) {
    if (!(err instanceof InvalidStateError)) throw err;
    if (!release) return tagBlocked(deps, input, err);
    // A release tag in the way must not leave production unnamed: the production tag alone,
    // and tag-release (queued next) stops for a person on the same refusal.
    try {
      res = await deps.git.publish(service.repo, f.commit, { tags: [production] });
    } catch (again) {
      if (!(again instanceof InvalidStateError)) throw again;
      return tagBlocked(deps, input, again);
    }
  }
  await deps.deployments.recordProduction(h.service, name, { commit: f.commit, artifact: h.promotion.artifact, hotfixId: h.id });
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    recordPublished(d, res, name, service.branches.production, context(deps, 'system'));
  });
};

/** tag-release: once the hotfix is released (after its verification), the release in one push. */
export const tagReleaseStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const f = h.finalization;
  const deploy = h.deploys.find((d) => d.kind === 'hotfix' && d.status === 'SUCCESS');
  if (h.state !== 'finalizing' || !f?.productionTag || f.releaseTag) return skip(deps, input);
  const service = serviceOf(deps, h);
  let res: Published;
  try {
    res = await deps.git.publish(service.repo, f.commit, releasePlan(h, service, tagMessage(h, deploy?.number ?? null)));
  } catch (err) {
    if (!(err instanceof InvalidStateError)) throw err;
    return tagBlocked(deps, input, err);
  }
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    recordPublished(d, res, null, service.branches.production, context(deps, 'system'));
  });
};

/**
 * tag-environment {env, cycle | seq}: `{version}-{env}-{timestamp}` when the version landed in QA
 * (its QA environment came up) or in production (its deploy succeeded). Never moved: the
 * timestamp of the landing makes each unique, and a tag of that name elsewhere is a refusal.
 */
export const tagEnvironmentStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const service = serviceOf(deps, h);
  const template = service.tags.environment;
  const env = argString(input.effect, 'env');
  const landing = env === 'qa' ? qaLanding(h, argNumber(input.effect, 'cycle')) : productionLanding(h, argNumber(input.effect, 'seq'));
  if (!template || !landing) return skip(deps, input);
  const values = { ...tagValues(h), timestamp: tagTimestamp(landing.at), build: landing.build };
  const name = renderTag(template, { ...values, env });
  // A production template that is this one for `production` names the same tag: tag-production makes it.
  if (env === 'production' && name === renderTag(service.tags.production, values)) return skip(deps, input);
  const message = [`${h.release?.name ?? h.id} in ${env}: hotfix ${h.id}`, '', `Build: #${landing.build}`, `Artifact: ${landing.artifact}`, ...landing.more].join('\n');
  try {
    await deps.git.ensureTag({ repo: service.repo, name, commit: landing.commit, message });
  } catch (err) {
    if (!(err instanceof InvalidStateError)) throw err;
    return tagBlocked(deps, input, err);
  }
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    if (!d.tags.includes(name)) d.tags.push(name);
    note(d, 'git', context(deps, 'system'), `tagged ${landing.commit.slice(0, 12)} as ${name} (landed in ${env})`);
  });
};

interface Landing {
  at: string;
  build: number;
  commit: string;
  artifact: string;
  more: string[];
}

function qaLanding(h: Hotfix, cycle: number): Landing | null {
  const qa = h.qa?.cycle === cycle ? h.qa : h.qaRetired?.find((c) => c.cycle === cycle);
  if (!qa?.upAt) return null;
  return { at: qa.upAt, build: qa.build, commit: qa.commit, artifact: `${qa.artifact.version} ${qa.artifact.url}`, more: [`Environment: ${qa.env} ${qa.url ?? ''}`.trimEnd()] };
}

function productionLanding(h: Hotfix, seq: number): Landing | null {
  const d = h.deploys.find((x) => x.seq === seq);
  if (!d?.finishedAt || d.status !== 'SUCCESS' || !d.commit || d.number === null) return null;
  const approvers = h.promotion?.approvedBy.join(', ') ?? '';
  return { at: d.finishedAt, build: d.number, commit: d.commit, artifact: `${d.artifact?.version ?? '?'} ${d.artifact?.url ?? ''}`.trimEnd(), more: [`Approved for production by: ${approvers || '(none recorded)'}`, `Rollback point: ${d.replaces ?? '(none)'}`] };
}
