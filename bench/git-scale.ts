// Issue 3's second measure: the finalisation (tags + merge + push + back-merge branch and
// preview + pull request) on a repository with ≥ 10,000 commits and ≥ 5,000 files, with a
// warm mirror and with a fresh clone, in one run. Driven through the service's own git
// adapter and GitHub adapter against a real bare origin and the local GitHub server.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createGitRepo } from '../src/adapters/git/git-repo.js';
import { createMirrors } from '../src/adapters/git/mirror.js';
import { createGitHubHost } from '../src/adapters/pull-requests/github.js';
import { createRedisLocker } from '../src/adapters/redis/lock.js';
import { startGitHubSim } from '../src/sandbox/index.js';

export interface ScaleRepo {
  url: string;
  dir: string;
  commits: number;
  files: number;
  fixCommits: string[];
}

/** A generated origin: `files` files in the first commit, then `commits` small commits; tags and develop. */
export function generateRepo(commits: number, files: number): ScaleRepo {
  const dir = mkdtempSync(join(tmpdir(), 'hotfix-scale-'));
  const bare = join(dir, 'origin.git');
  execFileSync('git', ['init', '--bare', '--quiet', '--initial-branch=master', bare]);
  const lines: string[] = [];
  const when = 1_700_000_000;
  const author = (t: number) => `committer Dev <dev@example.com> ${t} +0000`;
  lines.push('commit refs/heads/master', 'mark :1', author(when), 'data 7', 'initial');
  for (let f = 0; f < files; f++) {
    const content = `export const value${f} = ${f};\n`;
    lines.push(`M 644 inline src/module-${Math.floor(f / 100)}/file-${f}.js`, `data ${Buffer.byteLength(content)}`, content.slice(0, -1));
  }
  for (let c = 2; c <= commits; c++) {
    const f = c % files;
    const content = `export const value${f} = ${c};\n`;
    const msg = `change ${c}`;
    lines.push(`commit refs/heads/master`, `mark :${c}`, author(when + c), `data ${msg.length}`, msg, `from :${c - 1}`, `M 644 inline src/module-${Math.floor(f / 100)}/file-${f}.js`, `data ${Buffer.byteLength(content)}`, content.slice(0, -1));
  }
  const stream = `${lines.join('\n')}\n`;
  const res = spawnSync('git', ['fast-import', '--quiet'], { cwd: bare, input: stream, maxBuffer: 1 << 30 });
  if (res.status !== 0) throw new Error(`fast-import failed: ${res.stderr.toString()}`);
  const git = (args: string[]) => execFileSync('git', args, { cwd: bare, encoding: 'utf8', env: { ...process.env, GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com', GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com' } }).trim();
  git(['tag', '-a', 'prod-100', '-m', 'production', 'master']);
  git(['tag', '-a', 'v3.2.1', '-m', 'release', 'master']);
  git(['branch', 'develop', 'master']);
  // Fix commits on a side branch, one per measured round, each touching one file.
  const work = join(dir, 'work');
  execFileSync('git', ['clone', '--quiet', '--no-checkout', bare, work]);
  const wgit = (args: string[], input?: string) => execFileSync('git', args, { cwd: work, encoding: 'utf8', input, env: { ...process.env, GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com', GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com' } }).trim();
  const fixCommits: string[] = [];
  let parent = wgit(['rev-parse', 'origin/master']);
  const tree = wgit(['rev-parse', 'origin/master^{tree}']);
  for (let i = 0; i < 40; i++) {
    const blob = wgit(['hash-object', '-w', '--stdin'], `export const fix${i} = true;\n`);
    const newTree = wgit(['mktree'], `${wgit(['ls-tree', tree])}\n100644 blob ${blob}\tfix-${i}.js\n`);
    parent = wgit(['commit-tree', newTree, '-p', parent, '-m', `Fix ${i}`]);
    fixCommits.push(parent);
    wgit(['push', '--quiet', 'origin', `${parent}:refs/heads/fixes/${i}`]);
  }
  return { url: `file://${bare}`, dir, commits, files, fixCommits };
}

export interface Timings {
  branch: number;
  finalize: number;
}

export async function finalisationTimings(repo: ScaleRepo, rounds: number, redisUrl: string): Promise<{ warm: Timings[]; fresh: Timings[]; clones: { warm: number; fresh: number } }> {
  const redis = new Redis(redisUrl);
  const github = await startGitHubSim({ token: 't0ken' });
  const host = createGitHubHost({ apiUrl: github.url, repository: 'acme/big', token: 't0ken' });
  const warmDir = mkdtempSync(join(tmpdir(), 'hotfix-scale-warm-'));
  const locker = createRedisLocker(redis, `benchscale${Date.now().toString(36)}`);
  const settings = { author: { name: 'Hotfix Bot', email: 'bot@example.com' }, timeoutMs: 300_000, env: process.env };
  const warmMirrors = createMirrors({ ...settings, dataDir: warmDir }, locker);
  const warm = createGitRepo(warmMirrors);
  await warm.tags(repo.url); // the one clone a repository ever gets
  const warmClonesBefore = warmMirrors.clones;
  const out = { warm: [] as Timings[], fresh: [] as Timings[], clones: { warm: 0, fresh: 0 } };
  let build = 200;
  let freshClones = 0;
  // Fresh: a brand-new mirror directory for the branch, and another for the finalisation, so
  // each measured part pays for a clone; warm: the same mirror throughout.
  const freshRepo = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotfix-scale-fresh-'));
    const mirrors = createMirrors({ ...settings, dataDir: dir }, locker);
    return { dir, mirrors, git: createGitRepo(mirrors) };
  };
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['warm', 'fresh'] as const) {
      const fix = repo.fixCommits[r * 2 + (mode === 'warm' ? 0 : 1)];
      if (!fix) throw new Error('not enough fix commits');
      const first = mode === 'fresh' ? freshRepo() : null;
      const second = mode === 'fresh' ? freshRepo() : null;
      const id = `HF-2026-11-${String(100 + r * 2 + (mode === 'warm' ? 0 : 1))}`;
      const branch = `hotfix/${id}-bench`;
      const t0 = performance.now();
      const made = await (first?.git ?? warm).createHotfixBranch({ repo: repo.url, branch, productionTagTemplate: 'prod-{build}', commits: [fix] });
      const t1 = performance.now();
      const git = second?.git ?? warm;
      build += 1;
      const message = `Hotfix ${id}: bench`;
      // What tag-production does for a hotfix released at once: one push (decision record 8).
      const published = await git.publish(repo.url, made.head, {
        tags: [{ name: `prod-${build}`, message }, { template: 'v{version}', marker: `Hotfix ${id}:`, message }],
        merge: { branch: 'master', message: `Merge hotfix ${id}: bench`, alsoBranch: `backmerge/${id}` },
      });
      if (!published.merge || 'failed' in published.merge) throw new Error(`the bench's merge did not land: ${JSON.stringify(published.merge)}`);
      const preview = await git.previewMerge(repo.url, 'develop', `backmerge/${id}`);
      await host.open({ head: `backmerge/${id}`, base: 'develop', title: `Back-merge ${id}`, body: preview.conflicts.join('\n') });
      const t2 = performance.now();
      out[mode].push({ branch: t1 - t0, finalize: t2 - t1 });
      for (const f of [first, second]) {
        if (!f) continue;
        freshClones += f.mirrors.clones;
        rmSync(f.dir, { recursive: true, force: true });
      }
    }
  }
  out.clones = { warm: warmMirrors.clones - warmClonesBefore, fresh: freshClones };
  await github.close();
  await redis.quit();
  rmSync(warmDir, { recursive: true, force: true });
  return out;
}
