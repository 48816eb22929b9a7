// Merges and cherry-picks computed from git's object store alone, without checking out a work
// tree: the cost follows the size of the change, not of the repository (a 20,000-file
// checkout per hotfix was most of the time on large repositories).

import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { resolveCommit } from './refs.js';
import type { Mirror } from './mirror.js';
import { GitExitError, type RunGit } from './runner.js';

const TREE_ID = /^[0-9a-f]{40,64}$/;

/** A merge commit of `other` into `head` (`--no-ff`), or a ConflictError listing the files. */
export async function mergeCommit(run: RunGit, head: string, other: string, message: string): Promise<string> {
  const otherCommit = await resolveCommit(run, other);
  if (!otherCommit) throw new ValidationError('ref', `${other} does not name a commit`);
  let tree: string;
  try {
    tree = (await run(['merge-tree', '--write-tree', '--name-only', '--no-messages', head, otherCommit])).split('\n')[0]?.trim() ?? '';
  } catch (err) {
    if (!(err instanceof GitExitError) || err.exitCode !== 1) throw err;
    const [first, ...files] = err.stdout.split('\n').filter(Boolean);
    // Exit 1 without a tree id is git failing, not a conflict.
    if (!first || !TREE_ID.test(first)) throw err;
    throw new ConflictError(`merging ${other} conflicts`, files);
  }
  return (await run(['commit-tree', tree, '-p', head, '-p', otherCommit, '-m', message])).trim();
}

interface Authored {
  name: string;
  email: string;
  date: string;
  message: string;
}

async function authorOf(run: RunGit, sha: string): Promise<Authored> {
  const [name = '', email = '', date = '', ...body] = (await run(['log', '-1', '--format=%an%x00%ae%x00%aI%x00%B', sha])).split('\0');
  return { name, email, date, message: body.join('\0').trimEnd() };
}

/**
 * `commits` applied one by one on top of `base` (like `cherry-pick -x`), through a private
 * index: each commit's change is applied with a three-way fallback, conflicts are reported
 * with their files, and a change already in `base` adds nothing.
 */
export async function cherryPickOnto(mirror: Mirror, base: string, commits: readonly string[], baseTag: string): Promise<string> {
  const run = mirror.run;
  const id = randomBytes(6).toString('hex');
  const indexFile = join(mirror.scratch, `index-${id}`);
  const patchFile = join(mirror.scratch, `patch-${id}`);
  const messageFile = join(mirror.scratch, `message-${id}`);
  const staged = mirror.runWith({ GIT_INDEX_FILE: indexFile });
  let head = base;
  try {
    for (const [i, sha] of commits.entries()) {
      const parents = (await run(['rev-list', '--parents', '-n', '1', sha])).trim().split(' ').slice(1);
      if (parents.length !== 1) {
        throw new ValidationError(`commits[${i}]`, `${sha.slice(0, 12)} is ${parents.length === 0 ? 'a root' : 'a merge'} commit; list the commits it brings instead`);
      }
      await staged(['read-tree', head]);
      await writeFile(patchFile, await run(['diff-tree', '-p', '--binary', '--full-index', `${sha}^`, sha]));
      try {
        await staged(['apply', '-v', '--cached', '--3way', '--whitespace=nowarn', patchFile]);
      } catch (err) {
        if (!(err instanceof GitExitError)) throw err;
        const unmerged = (await staged(['ls-files', '-u', '--format=%(path)'])).split('\n').filter(Boolean);
        const files = unmerged.length > 0 ? [...new Set(unmerged)] : (await run(['diff-tree', '--no-commit-id', '--name-only', '-r', sha])).split('\n').filter(Boolean);
        throw new ConflictError(`commit ${sha.slice(0, 12)} does not apply cleanly on ${baseTag}`, files);
      }
      const tree = (await staged(['write-tree'])).trim();
      if (tree === (await run(['rev-parse', `${head}^{tree}`])).trim()) continue; // already in the base
      const a = await authorOf(run, sha);
      const as = mirror.runWith({ GIT_AUTHOR_NAME: a.name, GIT_AUTHOR_EMAIL: a.email, GIT_AUTHOR_DATE: a.date });
      // The message is a developer's text: from a file, never an argument (one starting with
      // `--upload-pack` is refused as an unsafe option, and must not be taken for one).
      await writeFile(messageFile, `${a.message}\n\n(cherry picked from commit ${sha})\n`);
      head = (await as(['commit-tree', tree, '-p', head, '-F', messageFile])).trim();
    }
    return head;
  } finally {
    await Promise.all([indexFile, patchFile, messageFile].map((f) => rm(f, { force: true })));
  }
}
