// From approval to production. Two things happen side by side once a hotfix is promoted: QA is
// torn down, and the deploy slot is claimed and the stale-base guard asked (`start-deploy`,
// owed as soon as the teardown has been asked for, so it does not hold up that first call).
// When both are done the approved artifact is deployed (never a rebuild, never a newer
// commit), or, if production moved on meanwhile, the branch is rebuilt for a new QA cycle.
// A failed deploy rolls back on its own. The facts are recorded here; `nextInDeploying` and
// `nextInRollback` are `advance`'s decisions about them.

import { advance } from './advance.js';
import { startBuild } from './build.js';
import { isMember } from './approval-groups.js';
import { ForbiddenError, InvalidStateError, ValidationError } from './errors.js';
import { isFinal, type Artifact, type BaseCheck, type Deploy, type DeployKind, type Hotfix } from './hotfix.js';
import { approvalGroups, type ActiveFreeze, type ServicePolicy } from './policy.js';
import { addEffect, flagAttention, moveTo, note, type Context } from './record.js';
import { newRun } from './runs.js';
import { judgeWindow, openWindow, startVerification } from './verification.js';
import type { HotfixState } from './states.js';
import { newestProductionTag, previousProductionTag, productionBuildOf, type ProductionTag } from './tags.js';

/** QA for the approved build is gone, or could not be removed (which must not hold production back). */
export function qaGone(h: Hotfix): boolean {
  return h.qa === null || h.qa.status === 'down' || h.qa.status === 'failed';
}

/** The production deploy of the approved build, once asked for. */
export function approvedDeploy(h: Hotfix): Deploy | undefined {
  const commit = h.promotion?.commit;
  return commit === undefined ? undefined : h.deploys.find((d) => d.kind === 'hotfix' && d.commit === commit);
}

/** A hotfix deploy whose result nobody has acted on yet (no finalisation, no rollback). */
export function unappliedDeployResult(h: Hotfix): Deploy | null {
  const deploy = h.deploys.filter((d) => d.kind === 'hotfix').at(-1);
  if (!deploy || !isFinal(deploy.status) || h.finalization || h.rollback) return null;
  return deploy;
}

/**
 * The guard's answer, taken under the deploy slot. A stale base arrives with the newer tag
 * already merged into the branch (and the slot let go); the rebuild waits for QA to be gone.
 */
export function baseChecked(h: Hotfix, check: Omit<BaseCheck, 'at'>, policy: ServicePolicy, ctx: Context): void {
  const p = h.promotion;
  if (h.state !== 'deploying' || !p || p.base) return;
  p.base = { ...check, at: ctx.now.toISOString() };
  p.waitingFor = null;
  if (check.current) {
    note(h, 'run', ctx, `build #${p.build} contains production's newest tag${check.newestTag ? ` ${check.newestTag}` : ''}; holding the ${h.service} deploy slot`);
  } else if (check.rolledBack) {
    note(h, 'run', ctx, `production was rolled back to ${check.newestTag ?? 'an older tag'} since ${h.branch} was cut from ${h.baseTag ?? '?'}`);
  } else {
    note(h, 'run', ctx, `production moved to ${check.newestTag ?? 'a newer tag'}; merged it into ${h.branch}, rebuilding once QA is down`);
  }
  advance(h, policy, ctx);
}

export function waitForSlot(h: Hotfix, holder: string, ctx: Context): void {
  if (!h.promotion || h.promotion.waitingFor === holder) return;
  h.promotion.waitingFor = holder;
  note(h, 'run', ctx, `waiting: ${holder} is deploying ${h.service} to production; one deploy at a time`);
}

/**
 * `advance` in deploying: apply a finished deploy; once the teardown is asked for, owe the slot
 * claim and base check; once QA is gone and the base is known, deploy (or rebuild on the newer tag).
 */
export function nextInDeploying(h: Hotfix, policy: ServicePolicy, ctx: Context): boolean {
  const finished = unappliedDeployResult(h);
  if (finished) {
    onDeployFinished(h, finished, policy, ctx);
    return h.state !== 'deploying';
  }
  const p = h.promotion;
  if (!p || approvedDeploy(h)) return false;
  if (p.frozen && Date.parse(p.frozen.until) > ctx.now.getTime()) return false;
  if (p.frozen) {
    note(h, 'run', ctx, `the ${p.frozen.name} freeze is over; checking production again before the deploy`);
    p.frozen = null;
  }
  if (!p.base) {
    // The teardown's own call has gone out (or there was none to make): claim and check beside it.
    const teardownPending = h.outbox.some((e) => e.step === 'teardown-qa' && e.args.cycle === h.qa?.cycle);
    if (!teardownPending && !h.outbox.some((e) => e.step === 'start-deploy')) addEffect(h, 'start-deploy', { build: p.build }, ctx.now);
    return false;
  }
  if (p.base.rolledBack) {
    flagAttention(
      h,
      ctx,
      `production was rolled back to ${p.base.newestTag ?? 'an older tag'} after ${h.branch} was cut from ${h.baseTag ?? '?'}: build #${p.build} carries a change production removed`,
      `revert that change on ${h.branch} (or cancel and request a new hotfix, which starts from ${p.base.newestTag ?? 'what production runs'}), then build again`,
    );
    return true;
  }
  if (!qaGone(h)) return false;
  if (p.base.current) {
    const freeze = p.override ? null : (policy.freezes?.activeAt(ctx.now) ?? null);
    if (freeze) waitOutFreeze(h, freeze, ctx);
    else requestDeploy(h, policy, ctx);
    return false;
  }
  rebuildOnNewBase(h, p.base.newestTag ?? 'a newer production tag', policy, ctx);
  return true;
}

/**
 * A freeze window began before the deploy could start (it waited for the slot or for QA): it
 * is never deployed by accident. The slot goes to others (overrides may deploy), and once the
 * window is over the base is checked again under the slot, since production may have moved.
 */
function waitOutFreeze(h: Hotfix, freeze: ActiveFreeze, ctx: Context): void {
  const p = h.promotion;
  if (!p) return;
  p.frozen = { name: freeze.name, until: freeze.until.toISOString() };
  p.base = null;
  note(h, 'run', ctx, `production is frozen (${freeze.name}) until ${p.frozen.until}: the deploy waits (an override from the freeze's group lets it go now)`);
  addEffect(h, 'wake', { until: freeze.until.getTime() }, ctx.now, freeze.until);
  addEffect(h, 'notify-slack', { event: 'frozen', until: freeze.until.getTime() }, ctx.now);
}

/** Let a promotion waiting out a freeze go now: a member of the override group, with a reason. */
export function overrideFreeze(h: Hotfix, by: string, reason: string, policy: ServicePolicy, ctx: Context): void {
  const p = h.promotion;
  if (h.state !== 'deploying' || !p?.frozen) throw new InvalidStateError(`hotfix ${h.id} is not waiting out a freeze`, h.state);
  const group = policy.freezeOverride?.group;
  const members = approvalGroups(policy.approvals).find((g) => g.name === group)?.members ?? [];
  if (!group || !isMember(by, members)) throw new ForbiddenError(`${by} cannot override the ${p.frozen.name} freeze: only ${group ?? 'nobody'} can`);
  if (!reason.trim()) throw new ValidationError('override', 'a freeze override needs a reason');
  p.override = { by, reason: reason.trim(), freeze: p.frozen.name };
  note(h, 'approval', ctx, `${by} overrides the ${p.frozen.name} freeze: ${reason.trim()}`);
  p.frozen = null;
  advance(h, policy, ctx);
}

/**
 * Production moved on since the branch was cut: the approved build lacks a fix that is now in
 * production. The caller merged the new tag into the branch; build and test again.
 */
export function rebuildOnNewBase(h: Hotfix, newestTag: string, policy: ServicePolicy, ctx: Context): void {
  h.promotion = null;
  const run = startBuild(h, policy, ctx, `production moved to ${newestTag} after this branch was cut; merged it in and rebuilding for a new QA cycle`);
  moveTo(h, 'building', ctx, run.reason);
  addEffect(h, 'notify-slack', { event: 'stale-base', tag: newestTag }, ctx.now);
  addEffect(h, 'notify-requester', { event: 'stale-base', tag: newestTag }, ctx.now);
}

function newDeploy(h: Hotfix, kind: DeployKind, job: string, commit: string, artifact: Artifact, ctx: Context): Deploy {
  const run: Deploy = { ...newRun('deploy', h.deploys.length + 1, job, ctx, commit), artifact, kind };
  h.deploys.push(run);
  addEffect(h, 'trigger-run', { stage: 'deploy', seq: run.seq }, ctx.now);
  return run;
}

export function requestDeploy(h: Hotfix, policy: ServicePolicy, ctx: Context): Deploy {
  const p = h.promotion;
  if (h.state !== 'deploying' || !p) throw new InvalidStateError(`hotfix ${h.id} is not being promoted`, h.state);
  p.waitingFor = null;
  note(h, 'run', ctx, `deploying build #${p.build} (${p.artifact.version}, ${p.commit.slice(0, 12)}) to production`);
  const deploy = newDeploy(h, 'hotfix', policy.jobs.deploy, p.commit, p.artifact, ctx);
  // The rollback point: what this deploy replaces, named on the hotfix and in its tag.
  deploy.replaces = p.base?.newestTag ?? null;
  return deploy;
}

const ROLLBACK_FROM: readonly HotfixState[] = ['deploying', 'verifying', 'finalizing', 'awaiting_backmerge', 'completed', 'needs_attention'];

export function inProduction(h: Hotfix): boolean {
  return h.deploys.some((d) => d.kind === 'hotfix' && d.status === 'SUCCESS');
}

function latestRollback(h: Hotfix): Deploy | undefined {
  return h.deploys.filter((d) => d.kind === 'rollback').at(-1);
}

/** Asked for (or started after a failed deploy): the slot, the target and the deploy follow as steps. */
export function startRollback(h: Hotfix, opts: { reason: string; automatic: boolean }, ctx: Context): void {
  const last = latestRollback(h);
  const previousFailed = last !== undefined && isFinal(last.status) && last.status !== 'SUCCESS';
  if (h.rollback && !previousFailed && !h.rollback.refused) {
    throw new InvalidStateError(`a rollback of ${h.id} is already under way (asked by ${h.rollback.actor} at ${h.rollback.at})`, h.state);
  }
  if (!ROLLBACK_FROM.includes(h.state)) throw new InvalidStateError(`hotfix ${h.id} cannot be rolled back while '${h.state}'`, h.state);
  // A rollback that failed may be retried by a person even though the hotfix never shipped.
  if (!opts.automatic && !inProduction(h) && (h.rollback === null || h.rollback.refused)) {
    throw new InvalidStateError(`hotfix ${h.id} never reached production; nothing to roll back`, h.state);
  }
  h.rollback = { reason: opts.reason, actor: ctx.actor, at: ctx.now.toISOString(), automatic: opts.automatic, target: null, tag: null, refused: null };
  note(h, 'run', ctx, `${opts.automatic ? 'automatic ' : ''}rollback: ${opts.reason}`);
  addEffect(h, 'start-rollback', { n: h.deploys.length + 1 }, ctx.now);
}

/**
 * Where a rollback returns production to: the rollback point the deploy recorded under the
 * deploy slot (`replaces`, the newest production tag when it started). Never a tag made for this
 * hotfix's own deploy: that tag is made at once when the deploy succeeds, and can be on the
 * origin before the record says so. Only a deploy that recorded no rollback point (records from
 * before `replaces`) falls back to reading the tags.
 */
export function rollbackTarget(h: Hotfix, template: string, tags: readonly string[]): ProductionTag | null {
  const replaced = approvedDeploy(h)?.replaces;
  if (replaced) return { name: replaced, build: productionBuildOf(template, replaced) };
  const ours = h.finalization?.productionTag;
  // Tagged: the tag before ours. Not tagged (the deploy failed): what was newest all along.
  return ours ? previousProductionTag(template, tags, ours) : newestProductionTag(template, tags);
}

export function deployRollback(h: Hotfix, target: { tag: string; commit: string; artifact: Artifact }, policy: ServicePolicy, ctx: Context): Deploy | null {
  if (!h.rollback) throw new InvalidStateError(`hotfix ${h.id} has no rollback under way`, h.state);
  // Its target is chosen once: a second run of the step that chose it (a retry, another worker)
  // deploys nothing more.
  if (h.rollback.target) return null;
  h.rollback.target = target;
  note(h, 'run', ctx, `rolling production back to ${target.tag} (${target.artifact.version})`);
  const deploy = newDeploy(h, 'rollback', policy.jobs.deploy, target.commit, target.artifact, ctx);
  deploy.replaces = h.finalization?.productionTag ?? null;
  return deploy;
}

/**
 * Production moved on while the rollback waited for the slot: returning to the tag before this
 * hotfix's would remove what went out since. Nothing is deployed; the hotfix stays as it was.
 */
export function refuseRollback(h: Hotfix, productionNow: string, ctx: Context): void {
  if (!h.rollback || h.rollback.target) return;
  h.rollback.refused = `production now runs ${productionNow}, deployed after this rollback was asked for; roll back ${productionNow} instead`;
  note(h, 'run', ctx, `rollback not carried out: ${h.rollback.refused}`);
  addEffect(h, 'notify-slack', { event: 'rollback-refused', at: ctx.now.getTime() }, ctx.now);
}

function onDeployFinished(h: Hotfix, deploy: Deploy, policy: ServicePolicy, ctx: Context): void {
  if (deploy.status === 'SUCCESS') {
    h.finalization = { commit: deploy.commit ?? h.promotion?.commit ?? '', productionTag: null, releaseTag: null, mergeCommit: null, backmergePushed: false };
    // prod-N names deploy N at once, verified or not: it ran. The release waits for the checks.
    if (policy.verification) startVerification(h, deploy, policy.verification, ctx);
    else moveTo(h, 'finalizing', ctx, `deployed to production by ${deploy.job} #${deploy.number ?? '?'}; tagging and merging`);
    addEffect(h, 'tag-production', { seq: deploy.seq }, ctx.now);
    if (policy.tags.environment) addEffect(h, 'tag-environment', { env: 'production', seq: deploy.seq }, ctx.now);
    addEffect(h, 'notify-slack', { event: 'deployed', seq: deploy.seq }, ctx.now);
    return;
  }
  startRollback(h, { reason: `deploy ${deploy.job} #${deploy.number ?? '?'} ended ${deploy.status}`, automatic: true }, ctx);
}

/** `advance` in any state: the rollback deploy finished — checked, when verification is configured. */
export function nextInRollback(h: Hotfix, policy: ServicePolicy, ctx: Context): boolean {
  const deploy = latestRollback(h);
  const rb = h.rollback;
  if (!deploy || !isFinal(deploy.status) || !rb?.target || h.state === 'rolled_back') return false;
  if (deploy.status !== 'SUCCESS') {
    return stopForPerson(h, ctx, `rollback deploy ${deploy.job} #${deploy.number ?? '?'} ended ${deploy.status}: production may still run the failed artifact`, 'check production now; deploy the previous production tag by hand, then roll back again or cancel', 'rollback-failed', deploy.seq);
  }
  if (policy.verification) {
    // The rollback is checked like a deploy; one that fails its checks stops, it never loops.
    if (!rb.check) {
      rb.check = openWindow(deploy, policy.verification, ctx);
      note(h, 'verification', ctx, `production is back on ${rb.target.tag}; checking it for ${policy.verification.windowSeconds} s`);
      // Tagged at once, checked or not: the tags name what production runs.
      addEffect(h, 'tag-rollback', { seq: deploy.seq }, ctx.now);
      addEffect(h, 'verify', { round: 1, subject: 'rollback' }, ctx.now, new Date(ctx.now.getTime() + policy.verification.intervalSeconds * 1000));
      return false;
    }
    judgeWindow(h, rb.check, 'rollback', ctx);
    if (!rb.check.result) return false;
    if (rb.check.result.outcome === 'failed') {
      return stopForPerson(h, ctx, `the rollback to ${rb.target.tag} failed its checks too: ${rb.check.result.reason}`, 'production may be broken: check it now and deploy a known-good artifact by hand; nothing more is rolled back automatically', 'rollback-failed', deploy.seq);
    }
  }
  moveTo(h, 'rolled_back', ctx, `production is back on ${rb.target.tag}`);
  const failed = h.verification?.result?.outcome === 'failed' ? h.verification : null;
  if (failed) {
    // The hotfix ends rolled back, and says which check failed and what it answered.
    h.attention = { reason: failed.result?.reason ?? 'verification failed', action: 'find out why production was unhealthy with this hotfix; fix it and request a new hotfix', at: ctx.now.toISOString(), fromState: 'verifying', retry: null };
    addEffect(h, 'notify-requester', { event: 'verification-failed', seq: deploy.seq }, ctx.now);
  }
  if (!rb.tag) addEffect(h, 'tag-rollback', { seq: deploy.seq }, ctx.now);
  addEffect(h, 'notify-slack', { event: 'rolled-back', seq: deploy.seq }, ctx.now);
  addEffect(h, 'notify-requester', { event: 'rolled-back', seq: deploy.seq }, ctx.now);
  return true;
}

/** A rollback that did not bring production back: everyone is told, a person acts (once). */
function stopForPerson(h: Hotfix, ctx: Context, reason: string, action: string, event: string, seq: number): boolean {
  if (h.attention?.reason === reason) return false;
  flagAttention(h, ctx, reason, action);
  addEffect(h, 'notify-slack', { event, seq }, ctx.now);
  addEffect(h, 'notify-requester', { event: 'rollback-failed', seq }, ctx.now);
  return true;
}
