// The git side of promotion and finalisation. Every operation checks the origin first and is
// safe to repeat: tags are never moved, branches are never force-pushed, a merge already on
// the branch is recognised as done.

import { ExternalServiceError, InvalidStateError } from '../../domain/errors.js';
import { newestProductionTag } from '../../domain/tags.js';
import type { GitRepo } from '../../ports/git-repo.js';
import type { Mirrors } from './mirror.js';
import { ahead, ended, wanted } from './concurrently.js';
import { fetchingIfMissing, here, isRejectedPush, NotFetched } from './origin.js';
import { createPublish } from './publish.js';
import { isAncestor, isAncestorCommit, listTags, remoteRefs, resolveCommit } from './refs.js';
import { mergeCommit, mergeTrees } from './tree-ops.js';

export function releaseOps(mirrors: Mirrors): Omit<GitRepo, 'createHotfixBranch' | 'branchHead' | 'changes'> {
  const publish = createPublish(mirrors);

  return {
    publish,

    async checkBase(repo, template, commit, branchBase) {
      return fetchingIfMissing(mirrors, repo, async ({ run }) => {
        // Production's newest tag is nearly always the one the branch was cut from: git is asked
        // whether the commit holds that base while the origin lists its tags, and the answer
        // counts only if the listing agrees (one process less on the way to production).
        const likely = ahead(isAncestorCommit(run, branchBase, commit));
        const tags = await remoteRefs(run, 'tags').finally(() => likely);
        const newest = newestProductionTag(template, [...tags.keys()]);
        if (!newest) return { newestTag: null, newestCommit: null, contains: true, baseInProduction: true };
        const newestCommit = tags.get(newest.name) ?? null;
        if (newestCommit === null) return { newestTag: newest.name, newestCommit, contains: false, baseInProduction: true };
        const [contains = false, baseInProduction = false] = await here(`${newest.name} (${newestCommit})`, ended([
          newestCommit === branchBase ? wanted(likely) : isAncestorCommit(run, newestCommit, commit),
          // After a rollback the newest tag is on an older commit: an ancestor of everything, so
          // `contains` alone would let a branch cut before the rollback ship the removed change.
          isAncestorCommit(run, branchBase, newestCommit),
        ]));
        return { newestTag: newest.name, newestCommit, contains, baseInProduction };
      });
    },

    async mergeTagIntoBranch(repo, branch, tag, message) {
      return mirrors.withMirror(repo, async (mirror) => {
        const head = await resolveCommit(mirror.run, `refs/heads/${branch}`);
        const tagged = await resolveCommit(mirror.run, `refs/tags/${tag}`);
        if (!head || !tagged) throw new InvalidStateError(`cannot merge ${tag} into ${branch}: one of them is missing on the origin`);
        if (await isAncestor(mirror.run, tagged, head)) return { head };
        const merged = await mergeCommit(mirror.run, head, `refs/tags/${tag}`, message);
        try {
          await mirror.run(['push', '--porcelain', 'origin', `${merged}:refs/heads/${branch}`]);
        } catch (err) {
          if (isRejectedPush(err)) throw new ExternalServiceError('git', `${branch} moved on the origin while merging ${tag}`, true, { cause: err });
          throw err;
        }
        return { head: merged };
      });
    },

    async ensureTag(spec) {
      const { tags } = await publish(spec.repo, spec.commit, { tags: [{ name: spec.name, message: spec.message }] });
      return tags[0]?.created ? 'created' : 'existed';
    },

    async mergeIntoBranch(repo, branch, commit, message) {
      const { merge } = await publish(repo, commit, { tags: [], merge: { branch, message } });
      if (!merge) throw new InvalidStateError(`no merge into ${branch} was made`);
      if ('failed' in merge) throw merge.failed;
      return { mergeCommit: merge.mergeCommit, already: merge.already };
    },

    async ensureBranch(repo, branch, commit) {
      return fetchingIfMissing(mirrors, repo, async ({ run }) => {
        if ((await remoteRefs(run, 'heads')).has(branch)) return 'existed' as const;
        if (!(await resolveCommit(run, commit))) throw new NotFetched(`commit ${commit}`, null);
        await run(['push', '--porcelain', 'origin', `${commit}:refs/heads/${branch}`]);
        return 'created' as const;
      });
    },

    async previewMerge(repo, base, other) {
      return fetchingIfMissing(mirrors, repo, async ({ run }) => {
        const heads = await remoteRefs(run, 'heads');
        const [ours, theirs] = [heads.get(base), heads.get(other)];
        if (!ours || !theirs) throw new ExternalServiceError('git', `merge preview failed: ${!ours ? base : other} does not exist on the origin`, false);
        const merged = await here(`${base} or ${other}`, mergeTrees(run, ours, theirs));
        return { conflicts: 'conflicts' in merged ? merged.conflicts : [] };
      });
    },

    async branchContains(repo, branch, commit) {
      return mirrors.withMirror(repo, async ({ run }) => {
        const head = await resolveCommit(run, `refs/heads/${branch}`);
        return head !== null && (await isAncestor(run, commit, head));
      });
    },

    async tagCommit(repo, tag) {
      return mirrors.withMirror(repo, ({ run }) => resolveCommit(run, `refs/tags/${tag}`));
    },

    async tags(repo) {
      return mirrors.withMirror(repo, ({ run }) => listTags(run));
    },

    async mergedTags(repo, commit) {
      return mirrors.withMirror(repo, async ({ run }) => (await run(['tag', '--list', '--merged', commit])).split('\n').filter(Boolean), { fetch: false });
    },
  };
}
