// Validation of names that end up as git refs or revisions. Everything from a request is
// checked here before git sees it, and still passed after `--` or as a full `refs/…` name.

import { ValidationError } from '../../domain/errors.js';
import { GitExitError, type RunGit } from './runner.js';

const SHA = /^[0-9a-f]{7,40}$/;

export function isCommitSha(value: string): boolean {
  return SHA.test(value);
}

/**
 * Slash-separated words of letters, digits, `_` and `-` (none starting with `-`): a subset of what
 * git takes as a branch name (no dots, so no `..` or `.lock`; none of ` ~^:?*[\@`). The names the
 * service makes, `hotfix/<ID>-<slug>`, are all of this form.
 */
const PLAIN_BRANCH = /^[A-Za-z0-9_][A-Za-z0-9_-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_-]*)*$/;

/**
 * `git check-ref-format --branch` agrees this is a branch name (and it cannot pose as an option).
 * A plain name is one git always takes, and is not asked about: a process less in the cut.
 */
export async function assertBranchName(run: RunGit, name: string, field = 'branch'): Promise<void> {
  if (PLAIN_BRANCH.test(name) && name !== 'HEAD') return;
  if (name.startsWith('-') || name.includes('..')) throw new ValidationError(field, `'${name}' is not a valid branch name`);
  try {
    await run(['check-ref-format', '--branch', name]);
  } catch (err) {
    if (err instanceof GitExitError) throw new ValidationError(field, `'${name}' is not a valid branch name`);
    throw err;
  }
}

/** The full commit id `rev` names in the repository, or null if it names none. */
export async function resolveCommit(run: RunGit, rev: string): Promise<string | null> {
  try {
    // Not --quiet: a missing ref says so on stderr (and answers sooner, see runner.ts).
    const out = await run(['rev-parse', '--verify', '--end-of-options', `${rev}^{commit}`]);
    return out.trim() || null;
  } catch (err) {
    if (err instanceof GitExitError) return null;
    throw err;
  }
}

export async function listTags(run: RunGit): Promise<string[]> {
  const out = await run(['for-each-ref', '--format=%(refname:strip=2)', 'refs/tags']);
  return out.split('\n').filter(Boolean);
}

export interface LocalRef {
  /** The commit it names (an annotated tag peeled once), or null when that takes more. */
  commit: string | null;
  tree: string | null;
}

/**
 * The mirror's refs under `patterns` (full `refs/…` prefixes), with the commit and tree each
 * names, in one process: the branch code asked for each tag's commit and tree on its own.
 */
export async function localRefs(run: RunGit, patterns: readonly string[]): Promise<Map<string, LocalRef>> {
  if (patterns.some((p) => !p.startsWith('refs/'))) throw new ValidationError('ref', 'patterns must be full refs/… names');
  const out = await run(['for-each-ref', '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(tree)%00%(*objecttype)%00%(*objectname)%00%(*tree)', ...patterns]);
  const refs = new Map<string, LocalRef>();
  for (const line of out.split('\n')) {
    const [name = '', type, sha = '', tree = '', peeledType, peeled = '', peeledTree = ''] = line.split('\0');
    if (!name) continue;
    if (type === 'commit') refs.set(name, { commit: sha, tree: tree || null });
    else if (peeledType === 'commit') refs.set(name, { commit: peeled, tree: peeledTree || null });
    else refs.set(name, { commit: null, tree: null });
  }
  return refs;
}

/** For two commit ids already known to exist: one git process, git's own answer (exit 0 or 1). */
export async function isAncestorCommit(run: RunGit, ancestor: string, descendant: string): Promise<boolean> {
  if (ancestor === descendant) return true;
  try {
    await run(['merge-base', '--is-ancestor', ancestor, descendant]);
    return true;
  } catch (err) {
    if (err instanceof GitExitError && err.exitCode === 1) return false;
    throw err;
  }
}

/**
 * `ancestor` is in `descendant`'s history; false when either names no commit here. One git
 * process (each costs ~5 ms of spawn on top of git's own time, and the finalisation asks often).
 */
export async function isAncestor(run: RunGit, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await run(['merge-base', '--is-ancestor', '--end-of-options', ancestor, descendant]);
    return true;
  } catch (err) {
    // 1: not an ancestor; 128: one of them names no commit (as resolveCommit answers null).
    if (err instanceof GitExitError && (err.exitCode === 1 || err.exitCode === 128)) return false;
    throw err;
  }
}

/** Branches or tags on the origin (ls-remote), name → the commit they point at (tags peeled). */
export async function remoteRefs(run: RunGit, kind: 'heads' | 'tags'): Promise<Map<string, string>> {
  return (await originRefs(run, [kind]))[kind];
}

/** Both at once: one ls-remote, one connection to the origin. */
export async function originRefs(run: RunGit, kinds: ReadonlyArray<'heads' | 'tags'> = ['heads', 'tags']): Promise<Record<'heads' | 'tags', Map<string, string>>> {
  // All of them, then filtered here: asking for one that does not exist prints nothing (slow, see runner.ts).
  const out = await run(['ls-remote', ...kinds.map((k) => `--${k}`), 'origin']);
  const refs = { heads: new Map<string, string>(), tags: new Map<string, string>() };
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t');
    const kind = ref?.startsWith('refs/heads/') ? 'heads' : ref?.startsWith('refs/tags/') ? 'tags' : null;
    if (!sha || !ref || !kind) continue;
    const map = refs[kind];
    const name = ref.slice(`refs/${kind}/`.length);
    if (name.endsWith('^{}')) map.set(name.slice(0, -3), sha);
    else if (!map.has(name)) map.set(name, sha);
  }
  return refs;
}
