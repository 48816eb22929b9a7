// The git side of promotion and finalisation. Every operation checks the origin first and is
// safe to repeat: tags are never moved, branches are never force-pushed, a merge already on
// the branch is recognised as done.

import { ExternalServiceError, InvalidStateError } from '../../domain/errors.js';
import { mergeCommit } from './tree-ops.js';
import { newestProductionTag, nextReleaseVersion, releaseTagName, releaseVersionOf } from '../../domain/tags.js';
import type { GitRepo, TagSpec } from '../../ports/git-repo.js';
import type { Mirror, Mirrors } from './mirror.js';
import { isAncestor, isAncestorCommit, listTags, remoteRefs, resolveCommit } from './refs.js';
import { GitExitError, type RunGit } from './runner.js';

const PUSH_ATTEMPTS = 5;

function isRejectedPush(err: unknown): boolean {
  // With --porcelain the refused ref is reported on stdout ('!'), the summary on stderr.
  return err instanceof GitExitError && /\[rejected\]|non-fast-forward|fetch first|failed to push|stale info|already exists/i.test(`${err.stdout}\n${err.stderr}`);
}

async function createTag(run: RunGit, spec: TagSpec): Promise<void> {
  // A local tag that never reached the origin (a crash between tag and push) is ours to redo:
  // -f replaces it (the origin, asked just before, does not have it).
  await run(['tag', '-f', '-a', '-m', spec.message, '--end-of-options', spec.name, spec.commit]);
  try {
    await run(['push', '--porcelain', 'origin', `refs/tags/${spec.name}`]);
  } catch (err) {
    if (isRejectedPush(err)) throw new ExternalServiceError('git', `tag ${spec.name} appeared on the origin meanwhile`, true, { cause: err });
    throw err;
  }
}

export function releaseOps(mirrors: Mirrors): Omit<GitRepo, 'createHotfixBranch' | 'branchHead' | 'changes'> {
  const ensureTag = async (mirror: Mirror, spec: TagSpec): Promise<'created' | 'existed'> => {
    const existing = (await remoteRefs(mirror.run, 'tags')).get(spec.name) ?? null;
    if (existing !== null) {
      if (existing === spec.commit) return 'existed';
      throw new InvalidStateError(`tag ${spec.name} already exists on ${existing.slice(0, 12)}, not on ${spec.commit.slice(0, 12)}; tags are never moved`);
    }
    await createTag(mirror.run, spec);
    return 'created';
  };

  return {
    async checkBase(repo, template, commit, branchBase) {
      return mirrors.withMirror(repo, async ({ run }) => {
        const newest = newestProductionTag(template, await listTags(run));
        if (!newest) return { newestTag: null, newestCommit: null, contains: true, baseInProduction: true };
        const newestCommit = await resolveCommit(run, `refs/tags/${newest.name}`);
        if (newestCommit === null) return { newestTag: newest.name, newestCommit, contains: false, baseInProduction: true };
        const [contains, baseInProduction] = await Promise.all([
          isAncestorCommit(run, newestCommit, commit),
          // After a rollback the newest tag is on an older commit: an ancestor of everything, so
          // `contains` alone would let a branch cut before the rollback ship the removed change.
          isAncestorCommit(run, branchBase, newestCommit),
        ]);
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
      // Asks the origin directly (ls-remote); fetches only when the commit is not here yet.
      const here = await mirrors.withMirror(spec.repo, async (m) => ((await resolveCommit(m.run, spec.commit)) ? ensureTag(m, spec) : null), { fetch: false });
      return here ?? mirrors.withMirror(spec.repo, (m) => ensureTag(m, spec));
    },

    async ensureReleaseTag(repo, template, commit, message, marker) {
      return mirrors.withMirror(repo, async (mirror) => {
        const tags = await listTags(mirror.run);
        // The tags on the commit with their messages, in one process: name NUL message NUL.
        const atCommit = (await mirror.run(['for-each-ref', `--points-at=${commit}`, '--format=%(refname:strip=2)%00%(contents)%00', 'refs/tags'])).split('\0\n');
        for (const entry of atCommit) {
          const [name = '', body = ''] = entry.split('\0');
          if (releaseVersionOf(template, name) !== null && body.includes(marker)) return name;
        }
        const name = releaseTagName(template, nextReleaseVersion(template, tags));
        await ensureTag(mirror, { repo, name, commit, message });
        return name;
      });
    },

    async mergeIntoBranch(repo, branch, commit, message) {
      for (let attempt = 1; ; attempt++) {
        const outcome = await mirrors.withMirror(repo, async (mirror) => {
          const head = await resolveCommit(mirror.run, `refs/heads/${branch}`);
          if (!head) throw new InvalidStateError(`branch ${branch} does not exist on the origin`);
          if (await isAncestor(mirror.run, commit, head)) return { mergeCommit: head, already: true };
          const merged = await mergeCommit(mirror.run, head, commit, message);
          try {
            await mirror.run(['push', '--porcelain', 'origin', `${merged}:refs/heads/${branch}`]);
          } catch (err) {
            if (isRejectedPush(err) && attempt < PUSH_ATTEMPTS) return null;
            if (isRejectedPush(err)) throw new ExternalServiceError('git', `${branch} kept moving; gave up after ${PUSH_ATTEMPTS} attempts`, true, { cause: err });
            throw err;
          }
          return { mergeCommit: merged, already: false };
        });
        if (outcome) return outcome;
      }
    },

    async ensureBranch(repo, branch, commit) {
      const push = async ({ run }: Mirror) => {
        if ((await remoteRefs(run, 'heads')).has(branch)) return 'existed' as const;
        await run(['push', '--porcelain', 'origin', `${commit}:refs/heads/${branch}`]);
        return 'created' as const;
      };
      // Asks the origin directly; fetches only when the commit to push is not here yet.
      const here = await mirrors.withMirror(repo, async (m) => ((await resolveCommit(m.run, commit)) ? push(m) : null), { fetch: false });
      return here ?? mirrors.withMirror(repo, push);
    },

    async previewMerge(repo, base, other) {
      return mirrors.withMirror(repo, async ({ run }) => {
        try {
          await run(['merge-tree', '--write-tree', '--name-only', '--no-messages', `refs/heads/${base}`, `refs/heads/${other}`]);
          return { conflicts: [] };
        } catch (err) {
          if (!(err instanceof GitExitError) || err.exitCode !== 1) throw err;
          const [tree, ...files] = err.stdout.split('\n').filter(Boolean);
          // Exit 1 with no tree id is git failing (a bad ref), not a conflict.
          if (!tree || !/^[0-9a-f]{40,64}$/.test(tree)) throw new ExternalServiceError('git', `merge preview failed: ${err.message}`, false);
          return { conflicts: files };
        }
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
