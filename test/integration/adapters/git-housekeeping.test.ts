// Mirrors.housekeep against a real mirror of a real bare origin: the packs every fetch leaves,
// the loose refs and objects, and the repository's lock.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitRepo } from '../../../src/adapters/git/git-repo.js';
import { GIT_THRESHOLDS, type HousekeepingThresholds } from '../../../src/adapters/git/housekeeping.js';
import { createMirrors, type Mirrors } from '../../../src/adapters/git/mirror.js';
import { createRedisLocker } from '../../../src/adapters/redis/lock.js';
import type { Locker } from '../../../src/ports/locker.js';
import { createOrigin, type Origin } from '../../helpers/git-fixture.js';
import { AUTHOR, PROD } from './git-support.js';
import { redisUrl, tempDir, uniquePrefix } from './support.js';

let redis: Redis;
let origin: Origin;
let dataDir: string;
let locker: Locker;

beforeAll(() => {
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: 3 });
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(() => {
  origin = createOrigin();
  dataDir = tempDir('housekeeping');
  locker = createRedisLocker(redis, uniquePrefix());
});
afterEach(() => {
  origin.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const mirrorsWith = (housekeeping?: HousekeepingThresholds): Mirrors =>
  createMirrors({ dataDir, author: AUTHOR, timeoutMs: 20_000, env: process.env, ...(housekeeping ? { housekeeping } : {}) }, locker);

function mirrorDir(): string {
  const name = readdirSync(join(dataDir, 'mirrors')).find((n) => n.endsWith('.git'));
  if (!name) throw new Error('no mirror yet');
  return join(dataDir, 'mirrors', name);
}

const inMirror = (args: string[], input?: string) => execFileSync('git', ['-C', mirrorDir(), ...args], { encoding: 'utf8', input }).trim();
const packs = () => readdirSync(join(mirrorDir(), 'objects', 'pack')).filter((f) => f.endsWith('.pack')).length;
const objectPath = (sha: string) => join(mirrorDir(), 'objects', sha.slice(0, 2), sha.slice(2));

/**
 * A mirror as months of fetches leave it: every fetch kept as its own pack (as one of 100
 * objects or more is), a loose ref per branch fetched.
 */
async function grownMirror(mirrors: Mirrors, fetches: number): Promise<void> {
  await mirrors.withMirror(origin.url, async () => undefined);
  inMirror(['config', 'fetch.unpackLimit', '1']);
  for (let i = 0; i < fetches; i++) {
    origin.commit(`feature/${i}`, { [`feature-${i}.js`]: `export const n = ${i};\n` }, `Feature ${i}`, 'master');
    await mirrors.withMirror(origin.url, async () => undefined);
  }
}

/** A loose object nothing refers to (what an abandoned cherry-pick leaves), `daysOld` old. */
function danglingBlob(content: string, daysOld: number): string {
  const sha = inMirror(['hash-object', '-w', '--stdin'], content);
  const when = new Date(Date.now() - daysOld * 86_400_000);
  utimesSync(objectPath(sha), when, when);
  return sha;
}

describe('Mirrors.housekeep', () => {
  it('past the pack limit: the small packs and loose objects rolled into one, the big pack kept, refs packed, nothing lost, and the mirror still cuts branches', async () => {
    // A history of a few hundred objects, so the clone's pack dwarfs what each fetch brings.
    origin.commit('master', Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`src/module-${i}.js`, `export const v${i} = ${i};\n`])), 'A codebase');
    const mirrors = mirrorsWith({ ...GIT_THRESHOLDS, packs: 3 });
    await grownMirror(mirrors, 5);
    const clonePack = readdirSync(join(mirrorDir(), 'objects', 'pack')).filter((f) => f.endsWith('.pack')).map((f) => ({ f, size: statSync(join(mirrorDir(), 'objects', 'pack', f)).size })).sort((a, b) => b.size - a.size)[0]?.f;
    const old = danglingBlob('abandoned three weeks ago\n', 21);
    expect(packs()).toBe(6);
    expect(existsSync(join(mirrorDir(), 'refs', 'heads', 'feature', '4'))).toBe(true);

    const res = await mirrors.housekeep(origin.url);

    expect(res).toMatchObject({ repacked: true, before: { packs: 6, looseObjects: 1 }, after: { packs: 2, looseObjects: 0, looseRefs: 0 } });
    expect(res?.before.looseRefs).toBeGreaterThanOrEqual(5);
    expect(packs()).toBe(2);
    expect(existsSync(join(mirrorDir(), 'objects', 'pack', clonePack ?? 'none'))).toBe(true);
    expect(inMirror(['rev-parse', 'refs/heads/feature/4'])).toBe(origin.remoteRev('refs/heads/feature/4'));
    // Unreachable objects are packed, not pruned: pruning walks the whole history under the lock.
    expect(() => inMirror(['cat-file', '-e', old])).not.toThrow();
    // Every branch and tag the origin has is still whole here.
    expect(() => inMirror(['fsck', '--connectivity-only', '--no-dangling'])).not.toThrow();

    const git = createGitRepo(mirrors);
    const cut = await git.createHotfixBranch({ repo: origin.url, branch: 'hotfix/HF-2026-12-001-after-gc', productionTagTemplate: PROD, commits: [origin.fix('Fix after housekeeping')] });
    expect(origin.remoteRev('refs/heads/hotfix/HF-2026-12-001-after-gc')).toBe(cut.head);
  });

  it("below git's own thresholds the packs are left alone; the refs are packed all the same", async () => {
    const mirrors = mirrorsWith();
    await grownMirror(mirrors, 3);
    const before = packs();
    const loose = danglingBlob('a loose object, one of far fewer than 6,700\n', 30);

    const res = await mirrors.housekeep(origin.url);

    expect(res).toMatchObject({ repacked: false, before: { packs: before }, after: { packs: before, looseRefs: 0 } });
    expect(packs()).toBe(before);
    expect(existsSync(objectPath(loose))).toBe(true);
  });

  it("waits for the repository's lock: it never runs beside a step's fetch or push", async () => {
    const mirrors = mirrorsWith({ ...GIT_THRESHOLDS, packs: 1 });
    await grownMirror(mirrors, 2);
    let release = (): void => undefined;
    const held = new Promise<void>((r) => (release = r));
    let stepStarted = (): void => undefined;
    const started = new Promise<void>((r) => (stepStarted = r));
    const step = mirrors.withMirror(origin.url, async () => {
      stepStarted();
      await held;
      // Still as the step found it: housekeeping has not started under its feet.
      return packs();
    }, { fetch: false });
    await started;
    const before = packs();
    let done = false;
    const tidy = mirrors.housekeep(origin.url).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    release();
    expect(await step).toBe(before);
    const tidied = await tidy;
    expect(tidied?.repacked).toBe(true);
    expect(tidied?.after.packs).toBeLessThan(before);
  });

  it('never clones: a repository no step has used yet has no mirror to tidy', async () => {
    const mirrors = mirrorsWith();

    expect(await mirrors.housekeep(origin.url)).toBeNull();
    expect(existsSync(join(dataDir, 'mirrors'))).toBe(false);
    expect(mirrors.clones).toBe(0);
  });
});
