// Returning production to the previous production tag's artifact, automatically after a failed
// deploy or on request, and naming what runs afterwards with a new production tag.

import { deployRollback, refuseRollback, rollbackTarget, startRollback } from '../domain/deploy.js';
import { InvalidStateError } from '../domain/errors.js';
import type { Artifact, Hotfix } from '../domain/hotfix.js';
import { completeEffect, flagAttention } from '../domain/record.js';
import { rollbackTagged } from '../domain/finalize.js';
import { matchTag, newestProductionTag, productionTagName, reasonSlug, renderTag, tagTimestamp, type ProductionTag } from '../domain/tags.js';
import { tagValues } from './tag-steps.js';
import { change, context, load, serviceOf } from './change.js';
import type { Deps, ServiceSetup } from './deps.js';
import { claimSlot } from './promotion.js';
import { argNumber, skip, type Step } from './step.js';

/** POST /rollback: only the hotfix whose tag is what production runs can be rolled back. */
export async function requestRollback(deps: Deps, id: string, actor: string, reason: string): Promise<Hotfix> {
  const h = await load(deps, id);
  const service = serviceOf(deps, h);
  const now = h.finalization?.productionTag ? await movedOnFrom(deps, service, h, await deps.git.tags(service.repo)) : null;
  if (now) {
    throw new InvalidStateError(`${h.id} (${h.finalization?.productionTag ?? '?'}) is no longer what production runs: ${now} is newer; roll that back first`, h.state);
  }
  const { hotfix } = await change(deps, id, (d) => startRollback(d, { reason, automatic: false }, context(deps, actor)));
  return hotfix;
}

/** The artifact `tag` stands for: our own record, else the parameters of the Jenkins deploy it names. */
async function artifactOf(deps: Deps, service: ServiceSetup, tag: ProductionTag): Promise<Artifact | null> {
  const recorded = await deps.deployments.production(service.name, tag.name);
  if (recorded) return recorded.artifact;
  // A tag named after its deploy's build number leads to that build's parameters.
  if (tag.build === null) return null;
  const run = await deps.ci.run(service.jobs.deploy, tag.build);
  const version = run?.parameters.ARTIFACT_VERSION;
  const url = run?.parameters.ARTIFACT_URL;
  return version && url ? { version, url } : null;
}

/** What production runs now, when it is not this hotfix's own tag: the rollback would remove it. */
async function movedOnFrom(deps: Deps, service: ServiceSetup, h: Hotfix, tags: string[]): Promise<string | null> {
  const ours = h.finalization?.productionTag;
  const newest = newestProductionTag(service.tags.production, tags);
  if (!ours || !newest || newest.name === ours) return null;
  const by = (await deps.deployments.production(service.name, newest.name))?.hotfixId;
  return by ? `${newest.name} (${by})` : newest.name;
}

/** start-rollback {n} */
export const startRollbackStep: Step = async (deps, input) => {
  const h = input.hotfix;
  if (!h.rollback || h.rollback.target || h.rollback.refused) return skip(deps, input);
  if (!(await claimSlot(deps, input))) return;
  const service = serviceOf(deps, h);
  const stop = async (reason: string) => {
    await change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      flagAttention(d, context(deps, 'system'), reason, 'roll production back by hand', { step: input.effect.step, args: input.effect.args });
    });
  };
  const tags = await deps.git.tags(service.repo);
  // Asked again under the slot: another hotfix may have gone to production while this waited.
  const now = await movedOnFrom(deps, service, h, tags);
  if (now) {
    await change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      refuseRollback(d, now, context(deps, 'system'));
    });
    return;
  }
  const target = rollbackTarget(h, service.tags.production, tags);
  if (!target) return stop('rollback impossible: no earlier production tag to return to');
  const commit = await deps.git.tagCommit(service.repo, target.name);
  const artifact = await artifactOf(deps, service, target);
  if (!commit || !artifact) {
    return stop(`rollback impossible: the artifact of ${target.name} is unknown (no record${target.build === null ? '' : `, and Jenkins deploy #${target.build} is gone`})`);
  }
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    deployRollback(d, { tag: target.name, commit, artifact }, service, context(deps, 'system'));
  });
};

/**
 * The version production returns to, as the production template names it (`{version}` of the
 * target's tag), for the rollback deploy's own production tag.
 */
function targetVersion(template: string, targetTag: string): string {
  const v = matchTag(template, targetTag)?.version;
  return typeof v === 'string' ? v : targetTag;
}

/**
 * tag-rollback {seq}: the commit running again gets `tags.production` for the rollback deploy
 * (production's newest tag names what runs), and — when configured — `tags.rollback`
 * (`{version}-rollback-{reason}`), annotated with who, why, and from what.
 */
export const tagRollbackStep: Step = async (deps, input) => {
  const h = input.hotfix;
  const rb = h.rollback;
  const deploy = h.deploys.find((d) => d.seq === argNumber(input.effect, 'seq'));
  if (!rb?.target || rb.tag || !deploy?.number) return skip(deps, input);
  const service = serviceOf(deps, h);
  const values = { ...tagValues(h), timestamp: tagTimestamp(deploy.finishedAt ?? deps.clock.now()) };
  const name = productionTagName(service.tags.production, deploy.number, { ...values, version: targetVersion(service.tags.production, rb.target.tag) });
  const from = h.finalization?.productionTag ?? h.release?.name ?? `hotfix ${h.id}`;
  const message = [
    `Rollback of hotfix ${h.id}: ${rb.reason}`,
    '',
    `From: ${from}`,
    `To: ${rb.target.tag} (artifact ${rb.target.artifact.version} ${rb.target.artifact.url})`,
    `Requested by: ${rb.actor} at ${rb.at}${rb.automatic ? ' (automatic)' : ''}`,
    `Deploy: ${deploy.job} #${deploy.number}${deploy.url ? ` ${deploy.url}` : ''}`,
  ].join('\n');
  const version = h.release?.name ?? h.finalization?.releaseTag ?? from;
  const marker = service.tags.rollback ? renderTag(service.tags.rollback, { ...values, build: deploy.number, version, reason: reasonSlug(rb.reason), timestamp: tagTimestamp(rb.at) }) : null;
  // The version production returns to lands there again: an environment tag, unless the production tag is that name.
  const landed = service.tags.environment ? renderTag(service.tags.environment, { ...values, build: deploy.number, version: targetVersion(service.tags.production, rb.target.tag), env: 'production' }) : null;
  try {
    for (const tag of new Set([name, landed, marker])) {
      if (tag) await deps.git.ensureTag({ repo: service.repo, name: tag, commit: rb.target.commit, message });
    }
  } catch (err) {
    if (!(err instanceof InvalidStateError)) throw err;
    await change(deps, h.id, (d) => {
      completeEffect(d, input.effect.id);
      flagAttention(d, context(deps, 'system'), err.message, 'tag the commit production runs by hand', { step: input.effect.step, args: input.effect.args });
    });
    return;
  }
  await deps.deployments.recordProduction(h.service, name, { commit: rb.target.commit, artifact: rb.target.artifact, hotfixId: null });
  await change(deps, h.id, (d) => {
    completeEffect(d, input.effect.id);
    rollbackTagged(d, name, marker, landed ? [landed] : [], context(deps, 'system'));
  });
};
