// GitRepo on a cached mirror: branch creation from the newest production tag, cherry-picks,
// and the read-only questions the lifecycle asks.

import { InvalidStateError, ValidationError } from '../../domain/errors.js';
import { newestProductionTag, productionBuildOf, productionTags, type ProductionTag } from '../../domain/tags.js';
import type { BranchRequest, BranchResult, ChangedFile, CommitInfo, GitRepo } from '../../ports/git-repo.js';
import { ahead, settled, wanted } from './concurrently.js';
import type { Mirror, Mirrors } from './mirror.js';
import { assertBranchName, isAncestor, isCommitSha, localRefs, remoteRefs, resolveCommit, type LocalRef } from './refs.js';
import { releaseOps } from './release-ops.js';
import { cherryPickOnto, readPicks, type Pick } from './tree-ops.js';
import { GitExitError, type RunGit } from './runner.js';

/** The newest production tag the commit contains (and its commit): where an existing branch was cut from. */
async function baseOf(run: RunGit, template: string, tags: string[], refs: Map<string, LocalRef>, head: string): Promise<{ tag: ProductionTag; commit: string } | null> {
  for (const tag of productionTags(template, tags)) {
    // From the listing already read; a tag of a tag is asked of git.
    const commit = refs.get(`refs/tags/${tag.name}`)?.commit ?? (await resolveCommit(run, `refs/tags/${tag.name}`));
    if (commit && (await isAncestor(run, commit, head))) return { tag, commit };
  }
  return null;
}

/** The production tag's commit and tree: from the listing, or asked of git for a tag of a tag. */
async function commitAndTree(run: RunGit, listed: LocalRef | undefined, tag: string): Promise<{ commit: string; tree: string }> {
  if (listed?.commit && listed.tree) return { commit: listed.commit, tree: listed.tree };
  const commit = await resolveCommit(run, `refs/tags/${tag}`);
  if (!commit) throw new InvalidStateError(`production tag ${tag} does not point at a commit`);
  return { commit, tree: (await run(['rev-parse', '--verify', `${commit}^{tree}`])).trim() };
}

async function chooseBase(run: RunGit, req: BranchRequest, tags: string[]): Promise<ProductionTag> {
  if (req.baseRef !== undefined) {
    const build = productionBuildOf(req.productionTagTemplate, req.baseRef);
    if (build === null || !tags.includes(req.baseRef)) {
      throw new ValidationError('baseRef', `must name an existing production tag (${req.productionTagTemplate}); '${req.baseRef}' does not`);
    }
    return { name: req.baseRef, build };
  }
  const newest = newestProductionTag(req.productionTagTemplate, tags);
  if (!newest) {
    throw new InvalidStateError(
      `the repository has no production tag matching '${req.productionTagTemplate}': tag the commit running in production first`,
    );
  }
  return newest;
}

/** One commit of `git log -z --format=LOG_FORMAT --name-status`, with the files it changes. */
interface LoggedCommit extends CommitInfo {
  parents: string[];
  files: ChangedFile[];
}

const LOG_FORMAT = '--format=%x1e%H%x1f%P%x1f%s%x1f%an <%ae>%x1f';

/**
 * Tokens split at NUL: a commit's header (it alone starts with \x1e; a status never does), then
 * status, path (and a second path for a rename or copy) for each file. File names may hold any
 * byte but NUL, so they are never split on anything else.
 */
function parseLog(out: string): LoggedCommit[] {
  const tokens = out.split('\0');
  const commits: LoggedCommit[] = [];
  let current: LoggedCommit | undefined;
  for (let i = 0; i < tokens.length; ) {
    // The first status after a header follows a newline.
    const token = (tokens[i++] ?? '').replace(/^\n/, '');
    if (token.startsWith('\x1e')) {
      const [sha = '', parents = '', ...rest] = token.slice(1).split('\x1f');
      // rest: subject (which may itself hold \x1f), author, and the empty field after the last \x1f.
      current = { sha, parents: parents.split(' ').filter(Boolean), subject: rest.slice(0, -2).join('\x1f'), author: rest.at(-2) ?? '', files: [] };
      commits.push(current);
      continue;
    }
    if (!token || !current) continue;
    // Renames and copies carry two paths; the new one is what changed.
    const path = /^[RC]/.test(token) ? (i++, tokens[i++]) : tokens[i++];
    if (path !== undefined) current.files.push({ status: token.charAt(0), path });
  }
  return commits;
}

/**
 * What `to` changes from `from`: the commits (newest first) and the files. Most hotfixes build
 * one commit on top of production, and then that commit's own file list is the whole change:
 * one git process. Otherwise `git diff` is asked as well. A spawn costs the worker's event
 * loop ~5 ms, and every QA email asks.
 */
async function lookChanges(run: RunGit, from: string, to: string): Promise<{ commits: CommitInfo[]; files: ChangedFile[] }> {
  const logged = parseLog(await run(['log', '-z', LOG_FORMAT, '--name-status', `${from}..${to}`, '--']));
  const commits = logged.map(({ sha, subject, author }) => ({ sha, subject, author }));
  const [only] = logged;
  if (logged.length === 1 && only && only.parents.length === 1 && only.parents[0] === from) return { commits, files: only.files };
  if (logged.length === 0 && from === to) return { commits, files: [] };
  return { commits, files: parseNameStatus(await run(['diff', '--name-status', '-z', from, to, '--'])) };
}

function parseNameStatus(out: string): ChangedFile[] {
  const parts = out.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++] ?? '';
    if (!status) break;
    // Renames and copies carry two paths; the new one is what changed.
    const path = /^[RC]/.test(status) ? (i++, parts[i++]) : parts[i++];
    if (path !== undefined) files.push({ status: status.charAt(0), path });
  }
  return files;
}

/** The branch `req` asks for, cut from its production tag with `picks` on top and pushed (or adopted). */
async function cut(mirror: Mirror, req: BranchRequest, picks: Promise<PromiseSettledResult<Pick[]>>): Promise<BranchResult> {
  const { run } = mirror;
  const branchRef = `refs/heads/${req.branch}`;
  // The name is checked while the refs are read; nothing is written before both answer.
  const [, refs] = await settled(assertBranchName(run, req.branch), localRefs(run, ['refs/tags', branchRef]));
  const tags = [...refs.keys()].filter((r) => r.startsWith('refs/tags/')).map((r) => r.slice('refs/tags/'.length));
  const existing = refs.get(branchRef)?.commit ?? null;
  if (existing) {
    // Pushed by an earlier attempt that did not live to record it: adopt it.
    const base = await baseOf(run, req.productionTagTemplate, tags, refs, existing);
    if (!base) throw new InvalidStateError(`branch ${req.branch} exists on origin but contains no production tag`);
    return { baseTag: base.tag.name, baseCommit: base.commit, head: existing, adopted: true };
  }
  const base = await chooseBase(run, req, tags);
  const [baseRef, picked] = await settled(commitAndTree(run, refs.get(`refs/tags/${base.name}`), base.name), wanted(picks));
  const head = picked.length === 0 ? baseRef.commit : await cherryPickOnto(mirror, baseRef, picked, base.name);
  await run(['push', '--porcelain', 'origin', `${head}:${branchRef}`]);
  return { baseTag: base.name, baseCommit: baseRef.commit, head, adopted: false };
}

export function createGitRepo(mirrors: Mirrors): GitRepo {
  return {
    ...releaseOps(mirrors),

    async createHotfixBranch(req): Promise<BranchResult> {
      return mirrors.withMirror(req.repo, async (mirror) => {
        // The commits to pick are read while the name is checked and the refs are listed: one
        // process less before the push. Reading writes nothing, and a branch an earlier attempt
        // pushed is adopted whatever the read says.
        const picks = ahead(readPicks(mirror.run, req.commits));
        try {
          return await cut(mirror, req, picks);
        } finally {
          await picks;
        }
      });
    },

    async branchHead(repo, branch) {
      const mirror = await mirrors.peek(repo);
      const listed = (await remoteRefs(mirror.run, 'heads')).get(branch);
      if (listed) return listed;
      // One "not there" is not enough to stop a hotfix: fetch under the lock and look again.
      return mirrors.withMirror(repo, async (m) => (await resolveCommit(m.run, `refs/heads/${branch}`)) ?? (await remoteRefs(m.run, 'heads')).get(branch) ?? null);
    },

    async changes(repo, from, to) {
      if (!isCommitSha(from) || !isCommitSha(to)) throw new ValidationError('commit', `'${from}..${to}' does not name two commits`);
      try {
        return await lookChanges((await mirrors.peek(repo)).run, from, to);
      } catch (err) {
        // Missing from the mirror, git says so: fetch, then look again.
        if (!(err instanceof GitExitError)) throw err;
        return mirrors.withMirror(repo, (m) => lookChanges(m.run, from, to));
      }
    },
  };
}
