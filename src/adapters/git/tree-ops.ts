// Merges and cherry-picks computed from git's object store alone, without checking out a work
// tree: the cost follows the size of the change, not of the repository (a 20,000-file
// checkout per hotfix was most of the time on large repositories).

import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { isCommitSha, resolveCommit } from './refs.js';
import type { Mirror } from './mirror.js';
import { GitExitError, type RunGit } from './runner.js';

const TREE_ID = /^[0-9a-f]{40,64}$/;
const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

export type MergeResult = { tree: string } | { conflicts: string[] };

/** git's three-way merge of two commits, written to the object store: a tree, or the conflicting paths. */
export async function mergeTrees(run: RunGit, ours: string, theirs: string): Promise<MergeResult> {
  try {
    return { tree: (await run(['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs])).split('\n')[0]?.trim() ?? '' };
  } catch (err) {
    if (!(err instanceof GitExitError) || err.exitCode !== 1) throw err;
    const [first, ...files] = err.stdout.split('\n').filter(Boolean);
    // Exit 1 without a tree id is git failing, not a conflict.
    if (!first || !TREE_ID.test(first)) throw err;
    return { conflicts: [...new Set(files)] };
  }
}

/** A merge commit of `other` into `head` (`--no-ff`), or a ConflictError listing the files. */
export async function mergeCommit(run: RunGit, head: string, other: string, message: string): Promise<string> {
  // A full commit id is taken as it is: merge-tree names one the mirror lacks (exit 128).
  const otherCommit = FULL_SHA.test(other) ? other : await resolveCommit(run, other);
  if (!otherCommit) throw new ValidationError('ref', `${other} does not name a commit`);
  const merged = await mergeTrees(run, head, otherCommit);
  if ('conflicts' in merged) throw new ConflictError(`merging ${other} conflicts`, merged.conflicts);
  return (await run(['commit-tree', merged.tree, '-p', head, '-p', otherCommit, '-m', message])).trim();
}

/** A commit to cherry-pick, as `readPicks` found it. */
export interface Pick {
  sha: string;
  parents: string[];
  tree: string;
  author: { name: string; email: string; date: string };
  message: string;
}

const PICK_FORMAT = '--format=%H%x00%P%x00%T%x00%an%x00%ae%x00%aI%x00%B%x00';
const PICK_FIELDS = 7;

function parsePicks(out: string): Pick[] {
  const fields = out.split('\0');
  const picks: Pick[] = [];
  for (let i = 0; i + PICK_FIELDS <= fields.length; i += PICK_FIELDS) {
    const [sha = '', parents = '', tree = '', name = '', email = '', date = '', message = ''] = fields.slice(i, i + PICK_FIELDS);
    // Records are separated by a newline, which lands at the start of the next id.
    picks.push({ sha: sha.trim(), parents: parents.split(' ').filter(Boolean), tree, author: { name, email, date }, message: message.trimEnd() });
  }
  return picks;
}

/**
 * The commits a request names, in its order: one `git log` for all of them. A name git does
 * not know (or one that is not a plain commit id) is looked up on its own, to say which it is.
 */
export async function readPicks(run: RunGit, commits: readonly string[]): Promise<Pick[]> {
  if (commits.length === 0) return [];
  if (commits.every(isCommitSha) && new Set(commits).size === commits.length) {
    try {
      const picks = parsePicks(await run(['log', '--no-walk=unsorted', PICK_FORMAT, '--end-of-options', ...commits, '--']));
      if (picks.length === commits.length) return checked(picks);
    } catch (err) {
      if (!(err instanceof GitExitError)) throw err;
    }
  }
  const picks: Pick[] = [];
  for (const [i, sha] of commits.entries()) {
    const full = await resolveCommit(run, sha);
    if (!full) throw new ValidationError(`commits[${i}]`, `commit ${sha} is not on any branch of the origin`);
    picks.push(...parsePicks(await run(['log', '-1', PICK_FORMAT, full, '--'])));
  }
  return checked(picks);
}

function checked(picks: Pick[]): Pick[] {
  for (const [i, p] of picks.entries()) {
    if (p.parents.length !== 1) {
      throw new ValidationError(`commits[${i}]`, `${p.sha.slice(0, 12)} is ${p.parents.length === 0 ? 'a root' : 'a merge'} commit; list the commits it brings instead`);
    }
  }
  return picks;
}

/**
 * `picks` applied one by one on top of `base` (like `cherry-pick -x`): each is git's own merge
 * of the picked commit with its parent as the merge base, computed in the object store; a
 * conflict is reported with its files, and a change already in `base` adds nothing.
 *
 * A cherry-pick is a merge whose base is the picked commit's parent. `merge-tree
 * --merge-base` (git ≥ 2.40) says that directly; Debian 12 ships 2.39, so "ours" is the current
 * tree in a throwaway commit whose only parent is that parent, which makes it the merge base.
 * Three processes a commit, where reading the whole base tree into an index took 40–50 ms on
 * a 20,000-file repository; one for a commit written on top of what it is picked onto, whose
 * merge is its own tree.
 */
export async function cherryPickOnto(mirror: Mirror, base: { commit: string; tree: string }, picks: readonly Pick[], baseTag: string): Promise<string> {
  const run = mirror.run;
  const messageFile = join(mirror.scratch, `message-${randomBytes(6).toString('hex')}`);
  let head = base.commit;
  let tree = base.tree;
  // The trees of commits known here: a pick whose parent has the current tree (a fix written on
  // the production tag, or on the pick before it) merges to its own tree, with no git process.
  const trees = new Map([[base.commit, base.tree]]);
  try {
    for (const pick of picks) {
      trees.set(pick.sha, pick.tree);
      const merged = trees.get(pick.parents[0] ?? '') === tree ? { tree: pick.tree } : await mergeOnto(run, tree, pick, baseTag);
      if (merged.tree === tree) continue; // already in the base
      const a = pick.author;
      const as = mirror.runWith({ GIT_AUTHOR_NAME: a.name, GIT_AUTHOR_EMAIL: a.email, GIT_AUTHOR_DATE: a.date });
      // The message is a developer's text: from a file, never an argument (one starting with
      // `--upload-pack` is refused as an unsafe option, and must not be taken for one).
      await writeFile(messageFile, `${pick.message}\n\n(cherry picked from commit ${pick.sha})\n`);
      head = (await as(['commit-tree', merged.tree, '-p', head, '-F', messageFile])).trim();
      tree = merged.tree;
      trees.set(head, tree);
    }
    return head;
  } finally {
    await rm(messageFile, { force: true });
  }
}

/** git's merge of `pick` onto `tree` with the pick's parent as the merge base: a cherry-pick. */
async function mergeOnto(run: RunGit, tree: string, pick: Pick, baseTag: string): Promise<{ tree: string }> {
  const ours = (await run(['commit-tree', tree, '-p', pick.parents[0] ?? '', '-m', 'hotfix: cherry-pick base'])).trim();
  const merged = await mergeTrees(run, ours, pick.sha);
  if ('conflicts' in merged) throw new ConflictError(`commit ${pick.sha.slice(0, 12)} does not apply cleanly on ${baseTag}`, merged.conflicts);
  return merged;
}
