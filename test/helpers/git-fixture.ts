// A real bare "origin" in a temp dir, shaped like a team's repository: master with production
// and release tags (prod-9 and prod-10, so lexical order would pick the wrong one), develop
// ahead of master, and a work clone to make commits from.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Origin {
  dir: string;
  /** The origin's URL (file://). */
  url: string;
  /** A clone to make commits in; `git()` runs there. */
  work: string;
  git(args: string[], cwd?: string): string;
  /** Commit `files` on `branch` (created from `from` if new) and push; returns the sha. */
  commit(branch: string, files: Record<string, string>, message: string, from?: string): string;
  /** A fix to cherry-pick: one new file on its own branch from master, pushed; returns the sha. */
  fix(title: string): string;
  /** Annotated tag at `ref`, pushed. */
  tag(name: string, ref: string, message?: string): string;
  rev(ref: string): string;
  /** The origin's view of a ref (after a fresh fetch). */
  remoteRev(ref: string): string | null;
  tagMessage(name: string): string;
  close(): void;
}

const ENV = { ...process.env, GIT_AUTHOR_NAME: 'Dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev', GIT_COMMITTER_EMAIL: 'dev@example.com' };

export function createOrigin(): Origin {
  const dir = mkdtempSync(join(tmpdir(), 'hotfix-origin-'));
  const bare = join(dir, 'origin.git');
  const work = join(dir, 'work');
  const run = (args: string[], cwd = work) => execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();
  execFileSync('git', ['init', '--bare', '--quiet', '--initial-branch=master', bare]);
  execFileSync('git', ['clone', '--quiet', bare, work], { env: ENV, stdio: 'ignore' });

  const write = (files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), content);
    }
  };
  const origin: Origin = {
    dir,
    url: `file://${bare}`,
    work,
    git: run,
    commit(branch, files, message, from) {
      run(['fetch', '--quiet', 'origin']);
      const exists = run(['ls-remote', '--heads', 'origin', branch]) !== '';
      run(['checkout', '--quiet', '-B', branch, exists ? `origin/${branch}` : (from ?? 'HEAD')]);
      write(files);
      run(['add', '-A']);
      run(['commit', '--quiet', '-m', message]);
      run(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      return run(['rev-parse', 'HEAD']);
    },
    fix(title) {
      const id = randomBytes(4).toString('hex');
      return origin.commit(`fix/${id}`, { [`fixes/${id}.js`]: `export const fixed = ${JSON.stringify(title)};\n` }, title, 'master');
    },
    tag(name, ref, message) {
      run(['tag', '-a', name, '-m', message ?? `tag ${name}`, ref]);
      run(['push', '--quiet', 'origin', `refs/tags/${name}`]);
      return run(['rev-parse', `${name}^{commit}`]);
    },
    rev: (ref) => run(['rev-parse', ref]),
    remoteRev(ref) {
      try {
        return execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: bare, encoding: 'utf8' }).trim() || null;
      } catch {
        return null;
      }
    },
    tagMessage: (name) => execFileSync('git', ['for-each-ref', '--format=%(contents)', `refs/tags/${name}`], { cwd: bare, encoding: 'utf8' }),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };

  write({ 'app.js': 'export const rate = 1.0;\nexport const rounding = "half-up";\n', 'README.md': '# payments\n' });
  run(['checkout', '--quiet', '-b', 'master']);
  run(['add', '-A']);
  run(['commit', '--quiet', '-m', 'Initial app']);
  run(['push', '--quiet', 'origin', 'HEAD:refs/heads/master']);
  origin.tag('prod-3', 'HEAD');
  origin.commit('master', { 'fees.js': 'export const fee = 2;\n' }, 'Add fees');
  origin.tag('prod-9', 'HEAD');
  origin.tag('v1.4.1', 'HEAD');
  origin.commit('master', { 'fees.js': 'export const fee = 3;\n' }, 'Raise fee');
  origin.tag('prod-10', 'HEAD');
  origin.tag('v1.4.2', 'HEAD');
  origin.commit('develop', { 'feature.js': 'export const next = true;\n' }, 'Next release work', 'master');
  run(['checkout', '--quiet', 'master']);
  return origin;
}
