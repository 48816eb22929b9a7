// git takes a lock by creating `<file>.lock` and removes it when done, on exit or on any signal
// it can catch. A git killed outright (SIGKILL; a container stopped mid-fetch) leaves the file,
// and every later git that needs that ref, or packed-refs, refuses — "Unable to create
// '….lock': File exists" — until a person removes it: a hotfix would retry its step forever.
// A mirror is written only under its repository's lock, so when one of our gits meets such a
// file no git of ours should be running there; but one orphaned by a killed worker might still
// be. So a lock file older than git's time limit (`git.timeoutSeconds`: no git of ours runs
// that long without a word) is removed; a younger one is a reason to try again later.

import { rm, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

const HELD = /Unable to create '([^']+\.lock)': File exists/g;

export interface HeldLock {
  path: string;
  /** How long ago the file was made; null once it is gone (its holder finished meanwhile). */
  ageMs: number | null;
}

/** The lock files inside `dir` that git's `stderr` says stopped it. */
export async function locksMet(dir: string, stderr: string, now = Date.now()): Promise<HeldLock[]> {
  const root = resolve(dir) + sep;
  const found: HeldLock[] = [];
  for (const [, named = ''] of stderr.matchAll(HELD)) {
    const path = resolve(dir, named);
    // Only the repository's own files: whatever git printed, nothing outside it is touched.
    if (!path.startsWith(root) || found.some((l) => l.path === path)) continue;
    const file = await stat(path).then((s) => s, () => null);
    // Something else in the way (a directory) is no lock git left: not ours to remove.
    if (file && !file.isFile()) continue;
    found.push({ path, ageMs: file ? now - file.mtimeMs : null });
  }
  return found;
}

export async function removeLocks(locks: readonly HeldLock[]): Promise<void> {
  await Promise.all(locks.map((l) => rm(l.path, { force: true })));
}
