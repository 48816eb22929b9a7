// Working against the origin from a mirror that may be behind it: ask the origin what it holds
// (ls-remote, one connection) and fetch only when it names a commit the mirror lacks; pushes
// that lose a race are recognised as such.

import { ExternalServiceError } from '../../domain/errors.js';
import type { HeldMirror, Mirrors } from './mirror.js';
import { GitExitError } from './runner.js';

/** How often a push that lost a race to someone else's is tried again. */
export const PUSH_ATTEMPTS = 5;

/** The origin named a commit the mirror does not have yet: fetch, then answer again. */
export class NotFetched extends ExternalServiceError {
  constructor(what: string, cause: unknown) {
    super('git', `${what} is not in the mirror even after a fetch`, true, { cause });
  }
}

/** git not finding an object (exit 128; merge-tree says so with exit 1) as NotFetched; any other failure as it is. */
export async function here<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (missingObject(err)) throw new NotFetched(what, err);
    throw err;
  }
}

/** git not finding an object it was named: exit 128, or merge-tree's exit 1 saying so. */
export function missingObject(err: unknown): boolean {
  return err instanceof GitExitError && (err.exitCode === 128 || /not something we can merge/.test(err.stderr));
}

/**
 * `fn` on the mirror as it is, asking the origin directly what it must know; fetched and run
 * again only when the origin names a commit the mirror does not have. A fetch costs a large
 * repository 15–20 ms, and most steps of a hotfix find everything already here. `fn` only
 * writes to the origin after its reads, so a run cut short by NotFetched has pushed nothing.
 */
export async function fetchingIfMissing<T>(mirrors: Mirrors, repo: string, fn: (m: HeldMirror) => Promise<T>): Promise<T> {
  try {
    return await mirrors.withMirror(repo, fn, { fetch: false });
  } catch (err) {
    if (!(err instanceof NotFetched)) throw err;
    return mirrors.withMirror(repo, fn);
  }
}

export function isRejectedPush(err: unknown): boolean {
  // With --porcelain the refused ref is reported on stdout ('!'), the summary on stderr.
  return err instanceof GitExitError && /\[rejected\]|non-fast-forward|fetch first|failed to push|stale info|already exists|atomic push failed/i.test(`${err.stdout}\n${err.stderr}`);
}
