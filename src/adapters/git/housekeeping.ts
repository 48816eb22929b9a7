// Tidying a mirror. Every git call the steps make runs with gc.auto=0, so no hotfix ever waits
// on a repack it did not ask for. Left at that, a mirror only grows: each fetch of 100 objects
// or more keeps its own pack, each cherry-pick, merge and tag leaves loose objects, each new ref
// is a file. Hundreds of packs slow every object lookup and hold a file descriptor each; loose
// refs slow every listing. So the workers tidy each mirror on their own clock, under its lock.
//
// Not with `git gc`: it walks the whole history twice (repack -A, prune), which held the lock
// for 6.8 s on a 100,000-commit repository and would hold it for minutes on a large monorepo,
// while an emergency fix waits. A geometric repack (what `git maintenance` and the big hosts
// use) rolls the small packs and the loose objects into one without walking history: 0.8 s
// for 100 packs on that repository (BENCHMARKS.md, docs/architecture.md). The cost is that unreachable objects (an abandoned
// cherry-pick, a squashed branch) are packed, never pruned: the mirror can be deleted at any
// time to shed them, as one that is missing is cloned again.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunGit } from './runner.js';

export interface HousekeepingThresholds {
  /** Loose objects before they are packed (git's `gc.auto`). */
  looseObjects: number;
  /** Packs before the small ones are rolled into one (git's `gc.autoPackLimit`). */
  packs: number;
}

/** git's own defaults: the thresholds every clone on a developer's machine lives by. */
export const GIT_THRESHOLDS: HousekeepingThresholds = { looseObjects: 6700, packs: 50 };

export interface MirrorShape {
  looseObjects: number;
  packs: number;
  /** Files under refs/ (a packed ref is a line in packed-refs instead). */
  looseRefs: number;
}

export interface Housekept {
  before: MirrorShape;
  after: MirrorShape;
  repacked: boolean;
}

async function filesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).length;
}

export async function mirrorShape(run: RunGit, dir: string): Promise<MirrorShape> {
  const counts = new Map(
    (await run(['count-objects', '-v']))
      .split('\n')
      .map((line) => line.split(': '))
      .filter((kv): kv is [string, string] => kv.length === 2)
      .map(([k, v]) => [k, Number(v)]),
  );
  return { looseObjects: counts.get('count') ?? 0, packs: counts.get('packs') ?? 0, looseRefs: await filesUnder(join(dir, 'refs')) };
}

/**
 * Packs the refs (cheap, and every fetch and listing reads them); past a threshold, rolls the
 * loose objects and the small packs into one, keeping each pack that is already at least twice
 * the size of everything smaller (the clone's, above all) as it is.
 */
export async function housekeep(run: RunGit, dir: string, thresholds: HousekeepingThresholds): Promise<Housekept> {
  const before = await mirrorShape(run, dir);
  await run(['pack-refs', '--all', '--prune']);
  const repacked = before.packs > thresholds.packs || before.looseObjects > thresholds.looseObjects;
  if (repacked) await run(['repack', '-d', '-l', '--geometric=2', '--quiet']);
  return { before, after: await mirrorShape(run, dir), repacked };
}
