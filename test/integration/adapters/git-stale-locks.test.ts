// A git process killed outright (SIGKILL, a container stopped mid-fetch) leaves its lock files
// behind: git removes them on exit, and a killed process does not exit. Against a real mirror
// of a real bare origin: a stale one is cleared and the step goes on; a fresh one is left to
// whatever git may still hold it, and the step is told to try again later.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../../src/domain/errors.js';
import { PROD, type GitWorld, useGitWorld } from './git-support.js';

let w: GitWorld;
useGitWorld((world) => (w = world));

const mirrorDir = () => w.mirrorDir();

/** What a killed `git fetch` leaves: the lock on a ref it was updating, `ageMs` ago. */
function leftLock(relative: string, ageMs: number): string {
  const path = join(mirrorDir(), relative);
  writeFileSync(path, `${'0'.repeat(40)}\n`);
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
  return path;
}

const cut = (branch: string) => w.git.createHotfixBranch({ repo: w.repo, branch, productionTagTemplate: PROD, commits: [] });

describe('lock files left by a killed git', () => {
  it("a ref's lock older than git's time limit is cleared, and the fetch that met it goes on", async () => {
    await w.git.tags(w.repo); // the mirror
    const develop = w.origin.commit('develop', { 'next.js': 'export const later = 1;\n' }, 'More work on develop');
    const lock = leftLock('refs/heads/develop.lock', 60 * 60_000);

    await cut('hotfix/HF-2026-12-001-after-a-kill');

    expect(existsSync(lock)).toBe(false);
    expect(execFileSync('git', ['-C', mirrorDir(), 'rev-parse', 'refs/heads/develop'], { encoding: 'utf8' }).trim()).toBe(develop);
  });

  it('packed-refs.lock, as a killed prune leaves it, is cleared the same way', async () => {
    await w.git.tags(w.repo);
    execFileSync('git', ['-C', mirrorDir(), 'pack-refs', '--all', '--prune']);
    // A branch deleted on the origin: the mirror's fetch --prune must rewrite packed-refs.
    w.origin.commit('feature/gone', { 'gone.js': '1;\n' }, 'Short-lived', 'master');
    await cut('hotfix/HF-2026-12-002-first');
    execFileSync('git', ['-C', mirrorDir(), 'pack-refs', '--all', '--prune']);
    w.inOrigin(['branch', '-D', 'feature/gone']);
    const lock = leftLock('packed-refs.lock', 60 * 60_000);

    await cut('hotfix/HF-2026-12-002-second');

    expect(existsSync(lock)).toBe(false);
    expect(() => execFileSync('git', ['-C', mirrorDir(), 'rev-parse', '--verify', '--quiet', 'refs/heads/feature/gone'])).toThrow();
  });

  it('a fresh lock is left alone (a git may still hold it): the step fails as transient, to be tried again', async () => {
    await w.git.tags(w.repo);
    w.origin.commit('develop', { 'next.js': 'export const later = 2;\n' }, 'More work on develop');
    const lock = leftLock('refs/heads/develop.lock', 0);

    const err = await cut('hotfix/HF-2026-12-003-too-soon').then(() => null, (e: unknown) => e);

    expect(err).toBeInstanceOf(ExternalServiceError);
    expect((err as ExternalServiceError).transient).toBe(true);
    expect((err as Error).message).toMatch(/develop\.lock is held by another git \(made \d+ s ago\); trying again later/);
    expect(existsSync(lock)).toBe(true);
  });

  it("a git that fails for another reason says why first, not with the refs it found up to date", async () => {
    await w.git.tags(w.repo);
    w.origin.commit('develop', { 'next.js': 'export const later = 3;\n' }, 'More work on develop');
    // A directory where the ref's lock file would go: git cannot take the lock, and it is no
    // lock a git left, so it is not removed.
    const blocker = join(mirrorDir(), 'refs', 'heads', 'develop.lock');
    mkdirSync(blocker);
    utimesSync(blocker, new Date(0), new Date(0));

    const err = await cut('hotfix/HF-2026-12-004-blocked').then(() => null, (e: unknown) => e);

    expect((err as Error).message).toMatch(/fetch from origin failed: git exited 1: error: cannot lock ref 'refs\/heads\/develop'/);
    expect(existsSync(blocker)).toBe(true);
  });
});
