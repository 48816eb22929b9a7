// GitRepo (branch creation, cherry-picks, the mirror, changes) against a real bare origin
// in a temp dir, through createMirrors + createGitRepo on a real Redis lock.

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidStateError, ValidationError } from '../../../src/domain/errors.js';
import { PROD, type GitWorld, useGitWorld } from './git-support.js';
import { rejectsWith } from './support.js';

const BRANCH = 'hotfix/HF-2026-11-001-fix-rounding';
const ROUNDING_FIX = 'export const rate = 1.0;\nexport const rounding = "half-even";\n';

let w: GitWorld;
useGitWorld((world) => (w = world));

const tagCommit = (name: string) => w.inOrigin(['rev-parse', `${name}^{commit}`]);
const branchReq = (overrides: Partial<{ branch: string; baseRef: string; commits: string[] }> = {}) => ({
  repo: w.repo,
  branch: overrides.branch ?? BRANCH,
  productionTagTemplate: PROD,
  commits: overrides.commits ?? [],
  ...(overrides.baseRef === undefined ? {} : { baseRef: overrides.baseRef }),
});

describe('createHotfixBranch', () => {
  it('cuts the branch from the newest production tag by number (prod-10, not prod-9) and pushes it', async () => {
    const res = await w.git.createHotfixBranch(branchReq());

    expect(res).toEqual({ baseTag: 'prod-10', baseCommit: tagCommit('prod-10'), head: tagCommit('prod-10'), adopted: false });
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBe(tagCommit('prod-10'));
    // Lexical order would have picked prod-9: make sure the two really differ.
    expect(tagCommit('prod-9')).not.toBe(tagCommit('prod-10'));
  });

  it('cherry-picks the given commits (short shas too) onto the production tag, with -x and the bot as committer', async () => {
    const fix = w.origin.commit('develop', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds');

    const res = await w.git.createHotfixBranch(branchReq({ commits: [fix.slice(0, 10)] }));

    expect(res.baseTag).toBe('prod-10');
    expect(res.adopted).toBe(false);
    expect(res.head).not.toBe(res.baseCommit);
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBe(res.head);
    expect(w.inOrigin(['rev-parse', `${res.head}^`])).toBe(tagCommit('prod-10'));
    expect(w.inOrigin(['show', `${res.head}:app.js`])).toContain('half-even');
    // develop's own work is not dragged along.
    expect(w.inOrigin(['ls-tree', '--name-only', res.head])).not.toContain('feature.js');
    const [subject, body, author, committer] = w.inOrigin(['log', '-1', '--format=%s%x00%b%x00%an%x00%cn', res.head]).split('\0');
    expect(subject).toBe('Fix rounding of refunds');
    expect(body).toContain(`(cherry picked from commit ${fix})`);
    expect(author).toBe('Dev');
    expect(committer).toBe('Hotfix Bot');
  });

  it('picks fixes written on the production tag, one on the other, to exactly their trees, with -x', async () => {
    const fix = w.origin.commit('fix/on-prod', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds', 'prod-10');
    const followUp = w.origin.commit('fix/on-prod', { 'fees.js': 'export const fee = 4;\n' }, 'Fee 4');

    const res = await w.git.createHotfixBranch(branchReq({ commits: [fix, followUp] }));

    expect(w.inOrigin(['rev-parse', `${res.head}^{tree}`])).toBe(w.inOrigin(['rev-parse', `${followUp}^{tree}`]));
    expect(w.inOrigin(['rev-parse', `${res.head}^^{tree}`])).toBe(w.inOrigin(['rev-parse', `${fix}^{tree}`]));
    expect(w.inOrigin(['rev-parse', `${res.head}~2`])).toBe(tagCommit('prod-10'));
    expect(w.inOrigin(['log', '-2', '--format=%s|%b', res.head]).split('\n').filter(Boolean)).toEqual([
      `Fee 4|(cherry picked from commit ${followUp})`,
      `Fix rounding of refunds|(cherry picked from commit ${fix})`,
    ]);
  });

  it('follows a file production renamed since the fix was written, and applies commits that build on each other in order', async () => {
    const fix = w.origin.commit('develop', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds');
    const followUp = w.origin.commit('develop', { 'app.js': `${ROUNDING_FIX}export const precision = 2;\n` }, 'Round to cents');
    w.origin.git(['checkout', '--quiet', '-B', 'master', 'origin/master']);
    w.origin.git(['mv', 'app.js', 'payments.js']);
    w.origin.git(['commit', '--quiet', '-m', 'Rename app.js']);
    w.origin.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/master']);
    w.origin.tag('prod-11', 'HEAD');

    const res = await w.git.createHotfixBranch(branchReq({ commits: [fix, followUp] }));

    expect(res.baseTag).toBe('prod-11');
    expect(w.inOrigin(['show', `${res.head}:payments.js`])).toBe(`${ROUNDING_FIX}export const precision = 2;`);
    expect(w.inOrigin(['ls-tree', '--name-only', res.head])).not.toContain('app.js');
    expect(w.inOrigin(['log', '--format=%s', `${tagCommit('prod-11')}..${res.head}`]).split('\n')).toEqual(['Round to cents', 'Fix rounding of refunds']);
  });

  it('skips a commit production already has instead of failing on an empty cherry-pick', async () => {
    const fix = w.origin.commit('develop', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds');
    // "Raise fee" is prod-10 itself: picking it again changes nothing.
    const res = await w.git.createHotfixBranch(branchReq({ commits: [tagCommit('prod-10'), fix] }));

    expect(w.inOrigin(['rev-list', '--count', `${tagCommit('prod-10')}..${res.head}`])).toBe('1');
    expect(w.inOrigin(['log', '-1', '--format=%s', res.head])).toBe('Fix rounding of refunds');
  });

  it('turns a cherry-pick conflict into a ConflictError naming the files, and pushes nothing', async () => {
    const fix = w.origin.commit('develop', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds');
    w.origin.commit('develop', { 'app.js': 'export const rate = 2.0;\nexport const rounding = "half-even";\n' }, 'Rate 2.0');
    const clash = w.origin.commit('develop', { 'app.js': 'export const rate = 2.5;\nexport const rounding = "half-even";\n', 'notes.md': 'clean\n' }, 'Rate 2.5');
    const before = w.originHeads();

    const err = await rejectsWith(w.git.createHotfixBranch(branchReq({ commits: [fix, clash] })), ConflictError);

    expect(err.files).toEqual(['app.js']);
    expect(err.message).toContain('prod-10');
    expect(w.originHeads()).toEqual(before);
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBeNull();
    // The scratch index and patch are gone and the mirror is usable: the same request without the
    // clashing commit now succeeds.
    expect(readdirSync(join(w.dataDir, 'scratch'))).toEqual([]);
    const res = await w.git.createHotfixBranch(branchReq({ commits: [fix] }));
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBe(res.head);
  });

  it('rejects a commit the origin does not have with a ValidationError naming commits[i], pushing nothing', async () => {
    const fix = w.origin.commit('develop', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds');
    const before = w.originHeads();

    const err = await rejectsWith(w.git.createHotfixBranch(branchReq({ commits: [fix, 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef'] })), ValidationError);
    expect(err.field).toBe('commits[1]');
    expect(err.message).toContain('deadbeef');

    const option = await rejectsWith(w.git.createHotfixBranch(branchReq({ commits: ['--output=/tmp/hotfix-pwned'] })), ValidationError);
    expect(option.field).toBe('commits[0]');
    expect(existsSync('/tmp/hotfix-pwned')).toBe(false);
    expect(w.originHeads()).toEqual(before);
  });

  it('rejects a merge commit with a ValidationError naming it', async () => {
    w.origin.commit('side', { 'side.js': 'export const side = 1;\n' }, 'Side work', 'origin/develop');
    w.origin.git(['checkout', '--quiet', '-B', 'develop', 'origin/develop']);
    w.origin.git(['merge', '--quiet', '--no-ff', '-m', 'Merge side into develop', 'side']);
    w.origin.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/develop']);
    const merge = w.origin.rev('HEAD');
    const fix = w.origin.commit('develop', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds');

    const err = await rejectsWith(w.git.createHotfixBranch(branchReq({ commits: [fix, merge] })), ValidationError);
    expect(err.field).toBe('commits[1]');
    expect(err.message).toMatch(/merge commit/);
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBeNull();
  });

  it('accepts baseRef only when it names an existing production tag', async () => {
    for (const baseRef of ['prod-99', 'v1.4.2', 'master', `prod-10^{tree}`]) {
      const err = await rejectsWith(w.git.createHotfixBranch(branchReq({ baseRef })), ValidationError);
      expect(err.field, baseRef).toBe('baseRef');
    }
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBeNull();

    const res = await w.git.createHotfixBranch(branchReq({ baseRef: 'prod-9' }));
    expect(res).toMatchObject({ baseTag: 'prod-9', baseCommit: tagCommit('prod-9'), head: tagCommit('prod-9'), adopted: false });
  });

  it('refuses to start without any production tag', async () => {
    await rejectsWith(w.git.createHotfixBranch({ ...branchReq(), productionTagTemplate: 'release-{build}' }), InvalidStateError);
  });

  it('adopts a branch that already exists on the origin (a retried creation) instead of failing or re-picking', async () => {
    const fix = w.origin.commit('develop', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds');
    const first = await w.git.createHotfixBranch(branchReq({ commits: [fix] }));

    const again = await w.git.createHotfixBranch(branchReq({ commits: [fix] }));

    expect(again).toEqual({ ...first, adopted: true });
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBe(first.head);
  });

  it('adopts a branch someone pushed from an older production tag, reporting that tag as its base', async () => {
    w.origin.git(['push', '--quiet', 'origin', `prod-9^{commit}:refs/heads/${BRANCH}`]);

    const res = await w.git.createHotfixBranch(branchReq());

    expect(res).toEqual({ baseTag: 'prod-9', baseCommit: tagCommit('prod-9'), head: tagCommit('prod-9'), adopted: true });
  });

  it('rejects branch names git check-ref-format refuses, and names that would read as options, before pushing', async () => {
    const before = w.originHeads();
    const hostile = [
      '--upload-pack=touch /tmp/hotfix-pwned',
      '-f',
      'hotfix/../../escape',
      'hotfix/with space',
      'hotfix/x.lock',
      'hotfix/x@{1}',
      'hotfix/x~1',
      'hotfix/x^',
      'hotfix/x:refs/heads/master',
      'hotfix/*',
      'hotfix/.hidden',
      'hotfix/',
      '',
      'HEAD',
      'hotfix/bell\u0007',
    ];
    for (const branch of hostile) {
      const err = await rejectsWith(w.git.createHotfixBranch(branchReq({ branch })), ValidationError);
      expect(err.field, JSON.stringify(branch)).toBe('branch');
    }
    expect(w.originHeads()).toEqual(before);
    expect(existsSync('/tmp/hotfix-pwned')).toBe(false);
  });
});

describe('the mirror', () => {
  it('is cloned once and fetched before later operations', async () => {
    await w.git.createHotfixBranch(branchReq());
    await w.git.tags(w.repo);
    await w.git.branchHead(w.repo, BRANCH);
    await w.git.checkBase(w.repo, PROD, tagCommit('prod-10'), tagCommit('prod-10'));
    await w.git.changes(w.repo, tagCommit('prod-9'), tagCommit('prod-10'));
    expect(w.mirrors.clones).toBe(1);

    // New work on the origin is seen without cloning again.
    const later = w.origin.commit('master', { 'later.js': 'x\n' }, 'Later on master');
    w.origin.tag('prod-11', later);
    expect(await w.git.tags(w.repo)).toContain('prod-11');
    expect(await w.git.branchContains(w.repo, 'master', later)).toBe(true);
    const res = await w.git.createHotfixBranch(branchReq({ branch: 'hotfix/HF-2026-11-002-later' }));
    expect(res.baseTag).toBe('prod-11');
    expect(w.mirrors.clones).toBe(1);
  });

  it('serialises concurrent operations on one repository without cloning twice', async () => {
    const branches = Array.from({ length: 4 }, (_, i) => `hotfix/HF-2026-11-00${i + 1}-parallel`);
    const results = await Promise.all(branches.map((branch) => w.git.createHotfixBranch(branchReq({ branch }))));
    expect(results.map((r) => r.baseTag)).toEqual(branches.map(() => 'prod-10'));
    for (const branch of branches) expect(w.origin.remoteRev(`refs/heads/${branch}`)).toBe(tagCommit('prod-10'));
    expect(w.mirrors.clones).toBe(1);
  });

  it('is cloned again when its directory was deleted', async () => {
    await w.git.tags(w.repo);
    rmSync(w.mirrorDir(), { recursive: true, force: true });

    const res = await w.git.createHotfixBranch(branchReq());

    expect(res.baseTag).toBe('prod-10');
    expect(w.mirrors.clones).toBe(2);
  });

  it('is cloned again when it is no longer a git repository (HEAD or config garbled)', async () => {
    await w.git.tags(w.repo);
    writeFileSync(join(w.mirrorDir(), 'HEAD'), 'garbage\n');
    expect(await w.git.tags(w.repo)).toContain('prod-10');
    expect(w.mirrors.clones).toBe(2);

    writeFileSync(join(w.mirrorDir(), 'config'), '[core\n\tthis is not config\n');
    expect(await w.git.tagCommit(w.repo, 'prod-10')).toBe(tagCommit('prod-10'));
    expect(w.mirrors.clones).toBe(3);
  });

  it('recovers when its object store was wiped', async () => {
    await w.git.tags(w.repo);
    const objects = join(w.mirrorDir(), 'objects');
    for (const entry of readdirSync(objects)) {
      if (entry !== 'info') rmSync(join(objects, entry), { recursive: true, force: true });
    }
    mkdirSync(join(objects, 'pack'), { recursive: true });

    const fix = w.origin.commit('develop', { 'app.js': ROUNDING_FIX }, 'Fix rounding of refunds');
    const res = await w.git.createHotfixBranch(branchReq({ commits: [fix] }));
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBe(res.head);
  });

  // A plain `git fetch --tags` refuses to clobber a local tag that moved on the origin and
  // fails every operation from then on. The origin is the truth; the mirror follows it.
  it('follows a tag that was moved on the origin instead of failing every operation', async () => {
    await w.git.tags(w.repo);
    const elsewhere = w.origin.commit('master', { 'x.js': '1\n' }, 'Something else');
    w.inOrigin(['tag', '--force', '--annotate', '--message', 're-tagged by hand', 'prod-10', elsewhere]);

    expect(await w.git.tagCommit(w.repo, 'prod-10')).toBe(elsewhere);
    expect(w.mirrors.clones).toBe(1);
  });

  // A mirror without its fetch refspec (a clone interrupted before it was configured) would
  // update no branch: every answer about branches stale, merges pushed onto old heads.
  it('does not trust a mirror left without its fetch refspec by a crash during the clone', async () => {
    await w.git.tags(w.repo);
    w.origin.git(['config', '--unset', 'remote.origin.fetch'], w.mirrorDir());
    const later = w.origin.commit('master', { 'later.js': '1\n' }, 'Later on master');

    expect(await w.git.branchContains(w.repo, 'master', later)).toBe(true);
  });
});

describe('branchHead and changes', () => {
  it('branchHead answers the origin’s head of a branch, or null', async () => {
    expect(await w.git.branchHead(w.repo, 'master')).toBe(w.origin.remoteRev('refs/heads/master'));
    expect(await w.git.branchHead(w.repo, 'hotfix/nope')).toBeNull();
    // Fresh from the origin, not from a stale mirror.
    const moved = w.origin.commit('master', { 'more.js': '1\n' }, 'More');
    expect(await w.git.branchHead(w.repo, 'master')).toBe(moved);
  });

  it('lists commits (sha, subject, author) newest first and the changed files, including a rename and a name with spaces', async () => {
    // Make the mirror first, so the new commits must be fetched for `changes` to see them.
    await w.git.tags(w.repo);
    const work = w.origin.work;
    w.origin.git(['checkout', '--quiet', '-B', 'feature', 'prod-10']);
    mkdirSync(join(work, 'docs'), { recursive: true });
    w.origin.git(['mv', 'README.md', 'docs/README.md']);
    w.origin.git(['commit', '--quiet', '-m', 'Move the readme']);
    const moved = w.origin.rev('HEAD');
    writeFileSync(join(work, 'docs', 'release notes.md'), '# Notes\n');
    writeFileSync(join(work, 'fees.js'), 'export const fee = 4;\n');
    w.origin.git(['rm', '--quiet', 'app.js']);
    w.origin.git(['add', '-A']);
    w.origin.git(['commit', '--quiet', '-m', 'Notes, fee 4 – “quoted” ü']);
    const notes = w.origin.rev('HEAD');
    w.origin.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/feature']);

    const { commits, files } = await w.git.changes(w.repo, tagCommit('prod-10'), notes);

    expect(commits).toEqual([
      { sha: notes, subject: 'Notes, fee 4 – “quoted” ü', author: 'Dev <dev@example.com>' },
      { sha: moved, subject: 'Move the readme', author: 'Dev <dev@example.com>' },
    ]);
    expect([...files].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { status: 'D', path: 'app.js' },
      { status: 'R', path: 'docs/README.md' },
      { status: 'A', path: 'docs/release notes.md' },
      { status: 'M', path: 'fees.js' },
    ]);
  });

  it('takes a single commit on top of the base from its own file list, as git diff would (renames, deletions, spaces)', async () => {
    await w.git.tags(w.repo);
    const work = w.origin.work;
    w.origin.git(['checkout', '--quiet', '-B', 'one', 'prod-10']);
    mkdirSync(join(work, 'docs'), { recursive: true });
    w.origin.git(['mv', 'README.md', 'docs/READ ME.md']);
    w.origin.git(['rm', '--quiet', 'app.js']);
    writeFileSync(join(work, 'fees.js'), 'export const fee = 5;\n');
    // The separators the log format uses, in a file name: only NUL cannot be in one.
    writeFileSync(join(work, 'odd\x1ename\x1f.txt'), 'x\n');
    w.origin.git(['add', '-A']);
    w.origin.git(['commit', '--quiet', '-m', 'One commit: move, delete, change']);
    const one = w.origin.rev('HEAD');
    w.origin.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/one']);

    const { commits, files } = await w.git.changes(w.repo, tagCommit('prod-10'), one);

    expect(commits).toEqual([{ sha: one, subject: 'One commit: move, delete, change', author: 'Dev <dev@example.com>' }]);
    const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
    expect([...files].sort(byPath)).toEqual([
      { status: 'D', path: 'app.js' },
      { status: 'R', path: 'docs/READ ME.md' },
      { status: 'M', path: 'fees.js' },
      { status: 'A', path: 'odd\x1ename\x1f.txt' },
    ]);
    // An empty commit changes nothing, and says so.
    w.origin.git(['commit', '--quiet', '--allow-empty', '-m', 'Empty']);
    const empty = w.origin.rev('HEAD');
    w.origin.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/one']);
    expect(await w.git.changes(w.repo, one, empty)).toEqual({ commits: [{ sha: empty, subject: 'Empty', author: 'Dev <dev@example.com>' }], files: [] });
  });

  it('asks git diff for what a merge on top of the base, or a build behind it, changes', async () => {
    await w.git.tags(w.repo);
    // A merge commit whose first parent is the base: log lists no files for a merge.
    w.origin.git(['checkout', '--quiet', '-B', 'merged', 'prod-10']);
    w.origin.git(['merge', '--quiet', '--no-ff', '-m', 'Merge develop', 'origin/develop']);
    const merge = w.origin.rev('HEAD');
    w.origin.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/merged']);
    const merged = await w.git.changes(w.repo, tagCommit('prod-10'), merge);
    expect(merged.commits.map((c) => c.subject)).toEqual(['Merge develop', 'Next release work']);
    expect(merged.files).toEqual([{ status: 'A', path: 'feature.js' }]);
    // A build of an older commit: no commits between them, but files differ.
    const behind = await w.git.changes(w.repo, tagCommit('prod-10'), tagCommit('prod-9'));
    expect(behind.commits).toEqual([]);
    expect(behind.files).toEqual([{ status: 'M', path: 'fees.js' }]);
  });

  it('is empty when there is nothing between the two commits', async () => {
    expect(await w.git.changes(w.repo, tagCommit('prod-10'), tagCommit('prod-10'))).toEqual({ commits: [], files: [] });
  });
});
