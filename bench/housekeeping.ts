// What an untended mirror costs, and what housekeeping (src/adapters/git/housekeeping.ts) gives
// back: hotfix branches cut on a warm mirror of the given repository, then again after `packs`
// fetches that each kept their own pack (as a fetch of 100 objects or more does), after the
// mirror's housekeeping, and after the origin's own `git gc` (its new branches are the origin's
// share). Beside it, `git gc` on a copy of the same grown mirror: what housekeeping avoids.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createGitRepo } from '../src/adapters/git/git-repo.js';
import type { Housekept } from '../src/adapters/git/housekeeping.js';
import { createMirrors } from '../src/adapters/git/mirror.js';
import { createRedisLocker } from '../src/adapters/redis/lock.js';
import type { ScaleRepo } from './git-scale.js';

export interface MirrorGrowth {
  cuts: { fresh: number[]; grown: number[]; housekept: number[]; originTidied: number[] };
  housekeepMs: number;
  gcMs: number;
  housekept: Housekept | null;
}

const ENV = { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

export async function mirrorGrowth(repo: ScaleRepo & { fixesUsed: number }, redisUrl: string, packs: number, cutsEach: number): Promise<MirrorGrowth> {
  const redis = new Redis(redisUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'hotfix-bench-housekeeping-'));
  const mirrors = createMirrors({ dataDir, author: { name: 'Hotfix Bot', email: 'bot@example.com' }, timeoutMs: 600_000, env: process.env }, createRedisLocker(redis, `benchhk${Date.now().toString(36)}`));
  const git = createGitRepo(mirrors);
  const bare = repo.url.replace(/^file:\/\//, '');
  const inOrigin = (args: string[], input?: string) => execFileSync('git', ['-C', bare, ...args], { encoding: 'utf8', input, env: ENV }).trim();
  let n = 0;
  const cuts = async (): Promise<number[]> => {
    const took: number[] = [];
    for (let i = 0; i < cutsEach; i++) {
      const fix = repo.fixCommits[repo.fixesUsed];
      if (!fix) throw new Error('not enough fix commits');
      repo.fixesUsed += 1;
      const t0 = performance.now();
      await git.createHotfixBranch({ repo: repo.url, branch: `hotfix/HF-2026-12-${String(900 + n++)}-housekeeping`, productionTagTemplate: 'prod-{build}', commits: [fix] });
      took.push(performance.now() - t0);
    }
    return took;
  };
  try {
    await git.tags(repo.url); // the clone
    const mirror = join(dataDir, 'mirrors', readdirSync(join(dataDir, 'mirrors')).find((f) => f.endsWith('.git')) ?? '');
    const fresh = await cuts();
    // Developers' work arriving between hotfixes: a commit on a new branch, then a fetch that keeps its pack.
    execFileSync('git', ['-C', mirror, 'config', 'fetch.unpackLimit', '1']);
    let parent = inOrigin(['rev-parse', 'develop']);
    const tree = inOrigin(['rev-parse', 'develop^{tree}']);
    const listing = inOrigin(['ls-tree', tree]);
    for (let i = 0; i < packs; i++) {
      const blob = inOrigin(['hash-object', '-w', '--stdin'], `work ${i}\n`);
      parent = inOrigin(['commit-tree', inOrigin(['mktree'], `${listing}\n100644 blob ${blob}\twork-${i}.txt\n`), '-p', parent, '-m', `work ${i}`]);
      inOrigin(['update-ref', `refs/heads/work/${i}`, parent]);
      await mirrors.withMirror(repo.url, async () => undefined);
    }
    const grown = await cuts();
    const copy = mkdtempSync(join(tmpdir(), 'hotfix-bench-gc-'));
    cpSync(mirror, copy, { recursive: true });
    const g0 = performance.now();
    execFileSync('git', ['-C', copy, 'gc', '--quiet']);
    const gcMs = performance.now() - g0;
    rmSync(copy, { recursive: true, force: true });
    const h0 = performance.now();
    const housekept = await mirrors.housekeep(repo.url);
    const housekeepMs = performance.now() - h0;
    const after = await cuts();
    inOrigin(['gc', '--quiet']);
    const originTidied = await cuts();
    return { cuts: { fresh, grown, housekept: after, originTidied }, housekeepMs, gcMs, housekept };
  } finally {
    await redis.quit();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
