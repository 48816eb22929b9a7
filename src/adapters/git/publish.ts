// One push for what a released hotfix leaves in git: its tags, the merge into the production
// branch and the back-merge branch at that merge. Pushed with --atomic, so the origin takes all
// of it or none: nobody sees a release tag without its merge, and a crash leaves either nothing
// or everything, which the next attempt finds on the origin and does not push again. Each push
// to a large repository costs the origin a connectivity check (40–80 ms here): one, not four.

import { ConflictError, ExternalServiceError, InvalidStateError } from '../../domain/errors.js';
import { nextReleaseVersion, releaseTagName, releaseVersionOf } from '../../domain/tags.js';
import type { PublishPlan, Published, TagPlan } from '../../ports/git-repo.js';
import type { HeldMirror, Mirrors } from './mirror.js';
import { ended, settled } from './concurrently.js';
import { fetchingIfMissing, here, isRejectedPush, missingObject, NotFetched, PUSH_ATTEMPTS } from './origin.js';
import { isAncestorCommit, originRefs } from './refs.js';
import { GitExitError, type RunGit } from './runner.js';
import { mergeCommit, mergeTrees, type MergeResult } from './tree-ops.js';

/** The origin moved under a push (a branch advanced, a tag appeared): plan again. */
const MOVED = Symbol('moved');

export function createPublish(mirrors: Mirrors): (repo: string, commit: string, plan: PublishPlan) => Promise<Published> {
  return async (repo, commit, plan) => {
    for (let attempt = 1; ; attempt++) {
      const outcome = await fetchingIfMissing(mirrors, repo, (m) => publishOnce(m, commit, plan));
      if (outcome !== MOVED) return outcome;
      if (attempt >= PUSH_ATTEMPTS) {
        throw new ExternalServiceError('git', `the origin kept changing while publishing ${commit.slice(0, 12)}; gave up after ${PUSH_ATTEMPTS} attempts`, true);
      }
    }
  };
}

async function publishOnce(mirror: HeldMirror, commit: string, plan: PublishPlan): Promise<Published | typeof MOVED> {
  const { run } = mirror;
  const origin = await originRefs(run);
  const tags = await nameTags(run, origin.tags, commit, plan.tags);
  const refspecs = tags.filter((t) => t.created).map((t) => `refs/tags/${t.name}`);
  // The tags are made while the merge is planned: neither reads what the other writes.
  const [merge] = await settled(
    plan.merge ? planMerge(run, origin.heads, commit, plan.merge, refspecs) : Promise.resolve(null),
    // A local tag that never reached the origin (a crash between tag and push) is ours to redo:
    // -f replaces it (the origin, asked just before, does not have it).
    ended(tags.filter((t) => t.created).map((t) => here(`commit ${commit}`, run(['tag', '-f', '-a', '-m', t.message, '--end-of-options', t.name, commit])))),
  );
  if (refspecs.length > 0 && !(await pushOrMoved(run, refspecs))) return MOVED;
  if (!merge || 'failed' in merge) return { tags: published(tags), merge };
  // The back-merge preview from the same look at the origin, once the push is done: nothing
  // pushed depends on it. (Beside the push it only slowed the push down: on a small machine the
  // two compete for the same cores.)
  const into = plan.merge?.previewInto ? origin.heads.get(plan.merge.previewInto) : undefined;
  return { tags: published(tags), merge: { ...merge, preview: into ? await previewed(mirror, into, merge.mergeCommit) : null } };
}

function published(tags: ReadonlyArray<{ name: string; created: boolean }>): Published['tags'] {
  return tags.map(({ name, created }) => ({ name, created }));
}

/** Pushed (true), or refused because the origin moved since it was asked (false). */
async function pushOrMoved(run: RunGit, refspecs: string[]): Promise<boolean> {
  try {
    await pushAtomic(run, refspecs);
    return true;
  } catch (err) {
    if (isRejectedPush(err)) return false;
    throw err;
  }
}

/**
 * The paths merging the release into `into` (develop) conflicts on. A develop that moved past
 * the mirror (people push there all day) is fetched and only the preview made again: the
 * release stays reported as this call made it.
 */
async function previewed(mirror: HeldMirror, into: string, mergeCommitId: string): Promise<{ conflicts: string[] }> {
  const preview = () => mergeTrees(mirror.run, into, mergeCommitId);
  const afterFetch = async (err: unknown): Promise<MergeResult> => {
    if (!missingObject(err)) throw err;
    await mirror.fetch();
    return preview();
  };
  const merged = await here(`${into} (the branch to back-merge into)`, preview().catch(afterFetch));
  return { conflicts: 'conflicts' in merged ? merged.conflicts : [] };
}

/**
 * The merge of `commit` into `m.branch` as the origin stands (`heads`) and the branch at it;
 * what is to be pushed is added to `refspecs`. A conflict or a missing branch is an answer
 * (`failed`), not an exception: the tags are published anyway.
 */
async function planMerge(run: RunGit, heads: Map<string, string>, commit: string, m: NonNullable<PublishPlan['merge']>, refspecs: string[]): Promise<NonNullable<Published['merge']>> {
  const head = heads.get(m.branch);
  if (!head) return { failed: new InvalidStateError(`branch ${m.branch} does not exist on the origin`) };
  let mergeCommitId = head;
  const already = await here(`${m.branch} (${head})`, isAncestorCommit(run, commit, head));
  if (!already) {
    try {
      mergeCommitId = await mergeCommit(run, head, commit, m.message);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      return { failed: err };
    }
    refspecs.push(`${mergeCommitId}:refs/heads/${m.branch}`);
  }
  let alsoBranch: 'created' | 'existed' | null = null;
  if (m.alsoBranch) {
    alsoBranch = heads.has(m.alsoBranch) ? 'existed' : 'created';
    if (alsoBranch === 'created') refspecs.push(`${mergeCommitId}:refs/heads/${m.alsoBranch}`);
  }
  return { mergeCommit: mergeCommitId, already, alsoBranch, preview: null };
}

async function pushAtomic(run: RunGit, refspecs: string[]): Promise<void> {
  try {
    await run(['push', '--atomic', '--porcelain', 'origin', ...refspecs]);
  } catch (err) {
    // A host without atomic pushes refuses before sending anything. Then one ref at a time, in
    // order (tags, the merge, the branch at the merge), stopping at the first refused: the branch
    // is never left at a merge the production branch did not take. A crash half-way leaves some
    // of it on the origin; the next attempt finds those and pushes the rest.
    if (!(err instanceof GitExitError) || !/does not support --atomic/i.test(err.stderr)) throw err;
    for (const refspec of refspecs) await run(['push', '--porcelain', 'origin', refspec]);
  }
}

/** Each planned tag's name, and whether it is still to be made (false: on the origin at `commit`). */
async function nameTags(run: RunGit, onOrigin: Map<string, string>, commit: string, plans: readonly TagPlan[]): Promise<Array<{ name: string; created: boolean; message: string }>> {
  const named: Array<{ name: string; created: boolean; message: string }> = [];
  const taken = new Set(onOrigin.keys());
  for (const plan of plans) {
    const name = 'name' in plan ? plan.name : ((await earlierRelease(run, onOrigin, commit, plan)) ?? releaseTagName(plan.template, nextReleaseVersion(plan.template, [...taken])));
    // Two templates naming one tag (a release name that is also the production tag): made once.
    if (named.some((n) => n.name === name)) {
      named.push({ name, created: false, message: plan.message });
      continue;
    }
    const at = onOrigin.get(name);
    if (at !== undefined && at !== commit) {
      throw new InvalidStateError(`tag ${name} already exists on ${at.slice(0, 12)}, not on ${commit.slice(0, 12)}; tags are never moved`);
    }
    named.push({ name, created: at === undefined, message: plan.message });
    taken.add(name);
  }
  return named;
}

/**
 * An earlier attempt's release tag: one on the origin at `commit` whose message names the
 * marker. Messages come from the mirror (name NUL message NUL, one process); a tag the origin
 * has and the mirror does not is fetched first.
 */
async function earlierRelease(run: RunGit, onOrigin: Map<string, string>, commit: string, plan: { template: string; marker: string }): Promise<string | null> {
  const candidates = [...onOrigin].filter(([name, at]) => at === commit && releaseVersionOf(plan.template, name) !== null).map(([name]) => name);
  if (candidates.length === 0) return null;
  const messages = new Map<string, string>();
  for (const entry of (await run(['for-each-ref', `--points-at=${commit}`, '--format=%(refname:strip=2)%00%(contents)%00', 'refs/tags'])).split('\0\n')) {
    const [name = '', body = ''] = entry.split('\0');
    messages.set(name, body);
  }
  for (const name of candidates) {
    const body = messages.get(name);
    if (body === undefined) throw new NotFetched(`tag ${name}`, null);
    if (body.includes(plan.marker)) return name;
  }
  return null;
}
