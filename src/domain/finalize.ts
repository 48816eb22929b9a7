// After a successful deploy: tag, merge into the production branch, open the back-merge.
// Each step records its result before the next is queued, so a restart resumes where it
// stopped and repeats nothing.

import { advance } from './advance.js';
import type { Hotfix, StepName } from './hotfix.js';
import { backmergeBranch } from './ids.js';
import type { ServicePolicy } from './policy.js';
import { addEffect, flagAttention, moveTo, note, type Context } from './record.js';

/** One line, no control characters: titles end up in commit and tag messages. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** The message of both tags: who approved what, when, from which build and QA run. */
export function tagMessage(h: Hotfix, deployNumber: number | null): string {
  const p = h.promotion;
  const approvals = h.approvals
    .filter((a) => a.decision === 'promote' && a.build === p?.build)
    .map((a) => {
      const who = a.onBehalfOf ? `${a.onBehalfOf} (entered by ${a.actor})` : a.actor;
      return `  - ${who}${a.group ? ` for ${a.group}` : ''} at ${a.at} (${a.via})${a.comment ? `: ${oneLine(a.comment)}` : ''}`;
    });
  const deployed = h.deploys.find((d) => d.kind === 'hotfix' && d.status === 'SUCCESS');
  const lead = deployed?.finishedAt ? Math.round((Date.parse(deployed.finishedAt) - Date.parse(h.createdAt)) / 60_000) : null;
  const build = h.builds.find((b) => b.number === p?.build);
  return [
    `Hotfix ${h.id}: ${oneLine(h.title)}`,
    '',
    `Requested by: ${h.requestedBy}`,
    `Branch: ${h.branch} (from ${h.baseTag ?? '?'})`,
    `Build: ${build?.job ?? '?'} #${p?.build ?? '?'}${build?.url ? ` ${build.url}` : ''}`,
    `Artifact: ${p?.artifact.version ?? '?'} ${p?.artifact.url ?? ''}`.trimEnd(),
    `QA: ${h.qa?.env ?? '?'} ${h.qa?.url ?? ''}`.trimEnd(),
    `Deploy: #${deployNumber ?? '?'}`,
    `Rollback point: ${h.deploys.find((d) => d.kind === 'hotfix' && d.number === deployNumber)?.replaces ?? '(none recorded)'}`,
    'Approved by:',
    ...(approvals.length > 0 ? approvals : ['  - (none recorded)']),
    ...(p?.override ? [`Freeze ${oneLine(p.override.freeze)} overridden by ${p.override.by}: ${oneLine(p.override.reason)}`] : []),
    ...(lead !== null ? [`Lead time, request to production: ${lead} min`] : []),
  ].join('\n');
}

export function mergeMessage(h: Hotfix): string {
  return `Merge hotfix ${h.id}: ${oneLine(h.title)}`;
}

/**
 * What a publish left in git, recorded at once: the production tag (prod-N, naming deploy N, made
 * as soon as it ran), the release tag (once the hotfix is released), the merge into the production
 * branch. Then the one step still to come is queued: the release tag (finalizing), the merge, or
 * the back-merge proposal. Facts already recorded are kept (an attempt repeated after a crash).
 */
export function published(
  h: Hotfix,
  p: { production?: string; release?: string; merge?: { branch: string; mergeCommit: string; already: boolean; backmergeBranch?: boolean; backmergeConflicts?: string[] } },
  ctx: Context,
): void {
  const f = h.finalization;
  if (!f) return;
  const tag = (name: string) => {
    if (!h.tags.includes(name)) h.tags.push(name);
    note(h, 'git', ctx, `tagged ${f.commit.slice(0, 12)} as ${name}`);
  };
  const fresh = { production: !f.productionTag && !!p.production, release: !f.releaseTag && !!p.release, merge: !f.mergeCommit && !!p.merge };
  if (fresh.production && p.production) tag((f.productionTag = p.production));
  if (fresh.release && p.release) tag((f.releaseTag = p.release));
  if (fresh.merge && p.merge) {
    f.mergeCommit = p.merge.mergeCommit;
    if (p.merge.backmergeBranch) f.backmergeBranch = true;
    if (p.merge.backmergeConflicts) f.backmergeConflicts = p.merge.backmergeConflicts;
    note(h, 'git', ctx, p.merge.already ? `${p.merge.branch} already contains the hotfix` : `merged into ${p.merge.branch} as ${p.merge.mergeCommit.slice(0, 12)} and pushed`);
  }
  if (fresh.merge) addEffect(h, 'open-backmerge', {}, ctx.now);
  else if (fresh.release && !f.mergeCommit) addEffect(h, 'merge-production', {}, ctx.now);
  else if (fresh.production && !f.releaseTag && h.state === 'finalizing') addEffect(h, 'tag-release', {}, ctx.now);
}

export function mergedIntoProduction(h: Hotfix, branch: string, mergeCommit: string, already: boolean, ctx: Context): void {
  published(h, { merge: { branch, mergeCommit, already } }, ctx);
}

export function backmergeOpened(
  h: Hotfix,
  result: { url: string | null; number: number | null; conflicts: string[] },
  checkEveryMs: number,
  policy: ServicePolicy,
  ctx: Context,
): void {
  if (h.state !== 'finalizing') return;
  h.backmerge = { branch: backmergeBranch(h.id), url: result.url, number: result.number, conflicts: result.conflicts };
  if (h.finalization) h.finalization.backmergePushed = true;
  addEffect(h, 'check-backmerge', { round: 1 }, ctx.now, new Date(ctx.now.getTime() + checkEveryMs));
  advance(h, policy, ctx);
}

/**
 * What the pull-request host said once develop held the hotfix: who merged the proposal (null:
 * it records no merge of it), or why it could not be asked. The hotfix is done either way.
 */
export type BackmergeMerger = { by: string | null } | { unasked: string };

/** develop contains the deployed commit (the hotfix is done), or look again later. */
export function backmergeChecked(h: Hotfix, contained: boolean, round: number, checkEveryMs: number, policy: ServicePolicy, ctx: Context, merger: BackmergeMerger = { by: null }): void {
  if (h.state !== 'awaiting_backmerge' || !h.backmerge) return;
  if (contained) {
    h.backmerge.mergedAt ??= ctx.now.toISOString();
    h.backmerge.mergedBy ??= 'by' in merger ? merger.by : null;
    if ('unasked' in merger) note(h, 'run', ctx, `who merged the back-merge is not recorded: ${merger.unasked}`);
    advance(h, policy, ctx);
    return;
  }
  addEffect(h, 'check-backmerge', { round: round + 1 }, ctx.now, new Date(ctx.now.getTime() + checkEveryMs));
}

/** `advance` in finalizing: the back-merge is proposed → a person merges it. */
export function nextInFinalizing(h: Hotfix, ctx: Context): boolean {
  const b = h.backmerge;
  if (!b || !h.finalization?.backmergePushed) return false;
  const conflicts = b.conflicts.length > 0 ? ` with conflicts in ${b.conflicts.join(', ')}` : '';
  moveTo(h, 'awaiting_backmerge', ctx, `back-merge to develop opened${conflicts}; a person merges it`);
  addEffect(h, 'notify-slack', { event: 'backmerge' }, ctx.now);
  return true;
}

/** `advance` in awaiting_backmerge: develop has the hotfix → completed. */
export function nextInBackmerge(h: Hotfix, ctx: Context): boolean {
  if (!h.backmerge?.mergedAt) return false;
  moveTo(h, 'completed', ctx, `develop contains the hotfix${h.backmerge.mergedBy ? ` (back-merge merged by ${h.backmerge.mergedBy})` : ''}`);
  addEffect(h, 'notify-slack', { event: 'completed' }, ctx.now);
  return true;
}

/** A tag or merge that needs a person; production already runs the hotfix. */
export function finalizeBlocked(
  h: Hotfix,
  what: string,
  action: string,
  ctx: Context,
  retry: { step: StepName; args: Record<string, string | number> },
): void {
  flagAttention(h, ctx, `${what} (production already runs this hotfix)`, action, { step: retry.step, args: retry.args });
}

/** `tag` is the production tag of the rollback deploy; `others` the environment and rollback tags. */
export function rollbackTagged(h: Hotfix, tag: string, marker: string | null, others: readonly string[], ctx: Context): void {
  if (!h.rollback) return;
  h.rollback.tag = tag;
  h.rollback.marker = marker;
  const all = [...new Set([tag, ...others, ...(marker ? [marker] : [])])];
  for (const t of all) if (!h.tags.includes(t)) h.tags.push(t);
  note(h, 'git', ctx, `tagged the commit running again as ${all.join(', ')}`);
}
