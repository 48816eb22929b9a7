// A real bare origin (test/helpers/git-fixture.ts), a private data dir for the mirrors, and the
// git adapters built from their factories on a real Redis lock — what main.ts wires, nothing else.

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createGitRepo } from '../../../src/adapters/git/git-repo.js';
import { createMirrors, type Mirrors } from '../../../src/adapters/git/mirror.js';
import { createRedisLocker } from '../../../src/adapters/redis/lock.js';
import type { GitRepo } from '../../../src/ports/git-repo.js';
import { createOrigin, type Origin } from '../../helpers/git-fixture.js';
import { redisUrl, tempDir, uniquePrefix } from './support.js';

export const PROD = 'prod-{build}';
export const RELEASE = 'v{version}';
export const AUTHOR = { name: 'Hotfix Bot', email: 'hotfix-bot@example.com' };

export interface GitWorld {
  origin: Origin;
  repo: string;
  dataDir: string;
  mirrors: Mirrors;
  git: GitRepo;
  /** Heads of every branch on the origin, `name → sha`. */
  originHeads(): Record<string, string>;
  /** `git <args>` in the bare origin itself. */
  inOrigin(args: string[]): string;
  /** The directory of the (only) mirror under dataDir. */
  mirrorDir(): string;
  close(): void;
}

/** One Redis connection per test file, shared by its worlds (each world gets its own prefix). */
export function gitRedis(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 3 });
}

/** A Redis connection for the file and a fresh git world for each test, handed to `use`. */
export function useGitWorld(use: (world: GitWorld) => void): void {
  let redis: Redis;
  let world: GitWorld | undefined;
  beforeAll(() => {
    redis = gitRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    world = createGitWorld(redis);
    use(world);
  });
  afterEach(() => {
    world?.close();
  });
}

export function createGitWorld(redis: Redis): GitWorld {
  const origin = createOrigin();
  const dataDir = tempDir('data');
  const mirrors = createMirrors({ dataDir, author: AUTHOR, timeoutMs: 20_000, env: process.env }, createRedisLocker(redis, uniquePrefix()));
  const bare = join(origin.dir, 'origin.git');
  const inOrigin = (args: string[]) => origin.git(args, bare);
  return {
    origin,
    repo: origin.url,
    dataDir,
    mirrors,
    git: createGitRepo(mirrors),
    inOrigin,
    originHeads() {
      const out = inOrigin(['for-each-ref', '--format=%(refname:strip=2) %(objectname)', 'refs/heads']);
      return Object.fromEntries(out.split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]));
    },
    mirrorDir() {
      const mirror = listDir(join(dataDir, 'mirrors')).find((n) => n.endsWith('.git'));
      if (!mirror) throw new Error(`no mirror under ${dataDir}/mirrors`);
      return join(dataDir, 'mirrors', mirror);
    },
    close() {
      origin.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
