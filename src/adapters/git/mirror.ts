// One bare mirror per repository under git.dataDir: cloned once, fetched before use, and
// serialised by a per-repository lock; merges and cherry-picks happen in its object store
// (tree-ops.ts), never in a checkout. A mirror that is missing or broken is cloned again.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExternalServiceError } from '../../domain/errors.js';
import type { Locker } from '../../ports/locker.js';
import { housekeep, GIT_THRESHOLDS, type Housekept, type HousekeepingThresholds } from './housekeeping.js';
import { gitRunner, GitExitError, redactUrl, type GitSettings, type RunGit } from './runner.js';

export interface MirrorSettings extends GitSettings {
  dataDir: string;
  /** When `housekeep` repacks; git's own thresholds unless given. */
  housekeeping?: HousekeepingThresholds;
}

export interface Mirror {
  dir: string;
  run: RunGit;
  /** git with extra environment (a private index, an author). */
  runWith(env: Record<string, string>): RunGit;
  /** A directory for short-lived files (indexes, patches). */
  scratch: string;
}

/** The mirror while its lock is held: then it may also be brought up to date with the origin. */
export interface HeldMirror extends Mirror {
  /** Fetch everything the origin holds (a broken mirror is cloned again). */
  fetch(): Promise<void>;
}

export interface Mirrors {
  /**
   * Exclusive use of the repository's mirror, freshly fetched — unless `fetch: false`, for
   * operations that ask the origin directly (ls-remote) and only push what is already local.
   */
  withMirror<T>(repo: string, fn: (mirror: HeldMirror) => Promise<T>, options?: { fetch: boolean }): Promise<T>;
  /** Shared read access without fetching (objects already fetched are immutable). */
  peek(repo: string): Promise<Mirror>;
  /**
   * Tidies the repository's mirror (housekeeping.ts) under its lock, without fetching; null
   * when there is no mirror yet (housekeeping never clones).
   */
  housekeep(repo: string): Promise<Housekept | null>;
  /** Clones made since start (the benchmark checks a warm path makes none). */
  readonly clones: number;
}

function mirrorName(repo: string): string {
  const base = (repo.split(/[/:]/).filter(Boolean).pop() ?? 'repo').replace(/\.git$/, '').replace(/[^A-Za-z0-9._-]/g, '_');
  return `${base}-${createHash('sha256').update(repo).digest('hex').slice(0, 12)}.git`;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

export function createMirrors(settings: MirrorSettings, locker: Locker): Mirrors {
  const root = resolve(settings.dataDir, 'mirrors');
  let clones = 0;

  const scratch = resolve(settings.dataDir, 'scratch');

  function open(dir: string): Mirror {
    return { dir, run: gitRunner(dir, settings), runWith: (env) => gitRunner(dir, settings, env), scratch };
  }

  async function clone(repo: string, dir: string): Promise<void> {
    await mkdir(root, { recursive: true });
    // Cloned and configured aside, then moved into place: a crash half-way leaves no mirror
    // that looks healthy but is not.
    const staging = `${dir}.clone-${randomBytes(4).toString('hex')}`;
    try {
      await gitRunner(root, settings)(['clone', '--bare', '--quiet', '--', repo, staging]);
      // Branches straight into refs/heads (a mirror of origin's branches, not remote-tracking refs).
      await gitRunner(staging, settings)(['config', 'remote.origin.fetch', '+refs/heads/*:refs/heads/*']);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      if (err instanceof ExternalServiceError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new ExternalServiceError('git', `clone failed: ${redactUrl(message)}`, true, { cause: err });
    }
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    clones += 1;
  }

  // A mirror is only ever moved into place complete; a broken object store shows up as a
  // failing fetch, which re-clones.
  async function healthy(dir: string): Promise<boolean> {
    return (await exists(join(dir, 'HEAD'))) && (await exists(join(dir, 'objects')));
  }

  /** Can git still read the mirror at all? Asked only after something failed. */
  async function readable(dir: string): Promise<boolean> {
    try {
      await gitRunner(dir, settings)(['rev-parse', '--git-dir']);
      return true;
    } catch {
      return false;
    }
  }

  async function fetch(repo: string, dir: string): Promise<void> {
    const run = gitRunner(dir, settings);
    try {
      // --force: a tag moved on the origin (by a person) is followed, not a reason to stop.
      // The refspec is explicit so a mirror whose config lost it still mirrors branches.
      await run(['fetch', '-v', '--prune', '--tags', '--force', 'origin', '+refs/heads/*:refs/heads/*']);
    } catch (err) {
      // A broken mirror (garbled config, corrupt objects) is repaired by cloning again; a
      // remote that is down is not.
      const corrupt = err instanceof GitExitError && /corrupt|bad object|did not send all necessary objects|unable to read/i.test(err.stderr);
      if (corrupt || !(await readable(dir))) {
        await clone(repo, dir);
        return;
      }
      if (err instanceof ExternalServiceError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new ExternalServiceError('git', `fetch from origin failed: ${redactUrl(message)}`, true, { cause: err });
    }
  }

  return {
    get clones() {
      return clones;
    },

    async withMirror(repo, fn, options = { fetch: true }) {
      const dir = join(root, mirrorName(repo));
      return locker.withLock(`git:${mirrorName(repo)}`, async () => {
        await mkdir(scratch, { recursive: true });
        if (!(await healthy(dir))) await clone(repo, dir);
        else if (options.fetch) await fetch(repo, dir);
        return fn({ ...open(dir), fetch: () => fetch(repo, dir) });
      });
    },

    async housekeep(repo) {
      const dir = join(root, mirrorName(repo));
      return locker.withLock(`git:${mirrorName(repo)}`, async () =>
        (await healthy(dir)) ? housekeep(gitRunner(dir, settings), dir, settings.housekeeping ?? GIT_THRESHOLDS) : null,
      );
    },

    async peek(repo) {
      const dir = join(root, mirrorName(repo));
      if (!(await healthy(dir))) {
        await locker.withLock(`git:${mirrorName(repo)}`, async () => {
          if (!(await healthy(dir))) await clone(repo, dir);
        });
      }
      return open(dir);
    },
  };
}
