/**
 * The demo's git "origin": a bare repository in a temp dir, shaped like a team's repository.
 * master runs in production (tags prod-1 and v1.0.0), develop is ahead of it with next-release
 * work, and a work clone stands in for a developer's laptop.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from './exec.js';

/** The sample web app committed into the origin (plain files, see sample-app/README.md). */
export const SAMPLE_APP_DIR = fileURLToPath(new URL('./sample-app/', import.meta.url));

export const BRANCHES = { production: 'master', development: 'develop' } as const;
export const FIRST_PRODUCTION_TAG = 'prod-1';
export const FIRST_RELEASE_TAG = 'v1.0.0';

export interface OriginRef {
  /** `refs/heads/master`, `refs/tags/prod-1` … */
  ref: string;
  /** The commit (peeled for annotated tags). */
  commit: string;
  subject: string;
}

/** An edit to the work tree: write files, or change one exact line of text. */
export type Change = (workDir: string) => void;

export interface DemoOrigin {
  /** Path of the bare repository. */
  readonly bare: string;
  /** `file://` URL the service and the build job use. */
  readonly url: string;
  /** Commits `change` on `branch` (created from `from` when new), pushes, returns the sha. */
  commit(branch: string, message: string, change: Change, from?: string): Promise<string>;
  /** Commit a ref points at, or null. */
  resolve(ref: string): Promise<string | null>;
  refs(): Promise<OriginRef[]>;
  /** Merges `head` into develop and pushes, as a person merging the back-merge pull request does. */
  mergeIntoDevelop(head: string, message: string): Promise<string>;
}

/** Replaces one exact piece of text in a file, loudly failing when it is not there. */
export function replaceIn(path: string, before: string, after: string): Change {
  return (workDir) => {
    const file = join(workDir, path);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(before)) throw new Error(`${path} does not contain ${JSON.stringify(before)}`);
    writeFileSync(file, text.replace(before, after));
  };
}

export function writeFiles(files: Record<string, string>): Change {
  return (workDir) => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(workDir, path)), { recursive: true });
      writeFileSync(join(workDir, path), content);
    }
  };
}

export async function createDemoOrigin(dir: string): Promise<DemoOrigin> {
  const bare = join(dir, 'origin.git');
  const work = join(dir, 'work');
  mkdirSync(dir, { recursive: true });
  await git(['init', '--bare', '--quiet', '--initial-branch=master', bare], dir);
  await git(['clone', '--quiet', bare, work], dir);
  const inWork = (args: string[]): Promise<string> => git(args, work);

  // Edits happen one at a time: they share the work clone.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const origin: DemoOrigin = {
    bare,
    url: `file://${bare}`,
    commit: (branch, message, change, from) =>
      serial(async () => {
        await inWork(['fetch', '--quiet', '--tags', 'origin']);
        const exists = (await inWork(['ls-remote', '--heads', 'origin', branch])) !== '';
        await inWork(['checkout', '--quiet', '-B', branch, exists ? `origin/${branch}` : (from ?? 'HEAD')]);
        change(work);
        await inWork(['add', '-A']);
        await inWork(['commit', '--quiet', '-m', message]);
        await inWork(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
        return inWork(['rev-parse', 'HEAD']);
      }),
    async resolve(ref) {
      try {
        return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], bare)) || null;
      } catch {
        return null;
      }
    },
    async refs() {
      const out = await git(['for-each-ref', '--format=%(refname)%09%(objectname)%09%(*objectname)%09%(contents:subject)', 'refs/heads', 'refs/tags'], bare);
      return out.split('\n').filter(Boolean).map((line) => {
        const [ref = '', object = '', peeled = '', subject = ''] = line.split('\t');
        return { ref, commit: peeled || object, subject };
      });
    },
    mergeIntoDevelop: (head, message) =>
      serial(async () => {
        await inWork(['fetch', '--quiet', 'origin']);
        await inWork(['checkout', '--quiet', '-B', BRANCHES.development, `origin/${BRANCHES.development}`]);
        try {
          await inWork(['merge', '--no-ff', '--quiet', '-m', message, `origin/${head}`]);
        } catch (err) {
          await inWork(['merge', '--abort']).catch(() => undefined);
          throw err;
        }
        await inWork(['push', '--quiet', 'origin', `HEAD:refs/heads/${BRANCHES.development}`]);
        return inWork(['rev-parse', 'HEAD']);
      }),
  };

  // The history a team would have: the sample app released to production, then next-release work.
  // The clone of an empty repository has no HEAD to branch from: the first commit is made by hand.
  cpSync(SAMPLE_APP_DIR, work, { recursive: true });
  await inWork(['add', '-A']);
  await inWork(['commit', '--quiet', '-m', 'Acme Coffee 1.0.0']);
  await inWork(['push', '--quiet', 'origin', `HEAD:refs/heads/${BRANCHES.production}`]);
  await inWork(['tag', '-a', FIRST_PRODUCTION_TAG, '-m', 'Production deploy #1 (the first release)', 'HEAD']);
  await inWork(['tag', '-a', FIRST_RELEASE_TAG, '-m', 'Release 1.0.0', 'HEAD']);
  await inWork(['push', '--quiet', 'origin', `refs/tags/${FIRST_PRODUCTION_TAG}`, `refs/tags/${FIRST_RELEASE_TAG}`]);
  await origin.commit(
    BRANCHES.development,
    'Add oat flat white (next release)',
    replaceIn('src/menu.js', "  { name: 'Cappuccino', price: 1.2 },\n", "  { name: 'Cappuccino', price: 1.2 },\n  { name: 'Oat flat white', price: 1.3 },\n"),
    BRANCHES.production,
  );
  return origin;
}
