// The git side of promotion and finalisation (release-ops.ts) against a real bare origin:
// tags that never move, merges that are never forced, previews without a worktree.

import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, ExternalServiceError, InvalidStateError } from '../../../src/domain/errors.js';
import { PROD, RELEASE, type GitWorld, useGitWorld } from './git-support.js';
import { externalFailure, rejectionOf, rejectsWith } from './support.js';

let w: GitWorld;
useGitWorld((world) => (w = world));

const commitOf = (rev: string) => w.inOrigin(['rev-parse', `${rev}^{commit}`]);
const parentsOf = (sha: string) => w.inOrigin(['rev-list', '--parents', '-n', '1', sha]).split(' ').slice(1);
const originTags = () => w.inOrigin(['tag', '--list']).split('\n').filter(Boolean);
/** The next release tag for `commit`, as tag-release asks for it: its name. */
const releaseTag = async (commit: string, message: string, marker: string) => (await w.git.publish(w.repo, commit, { tags: [{ template: RELEASE, marker, message }] })).tags[0]?.name ?? '';

/** A commit on a new branch `name` cut from `from`, pushed to the origin. */
function branchWith(name: string, from: string, files: Record<string, string>, message: string): string {
  return w.origin.commit(name, files, message, from);
}

/**
 * Makes the origin's `branch` move to `racer` at the moment the next push to it arrives — after
 * the adapter fetched and merged, before its push lands — exactly once. The push then fails the
 * way a lost race does ("failed to update ref").
 */
function raceNextPush(branch: string, racer: string): string {
  const bare = join(w.origin.dir, 'origin.git');
  const armed = join(bare, 'race-armed');
  writeFileSync(
    join(bare, 'hooks', 'pre-receive'),
    [
      '#!/bin/sh',
      'while read -r old new ref; do',
      `  if [ "$ref" = "refs/heads/${branch}" ] && [ -f "${armed}" ]; then`,
      `    rm -f "${armed}"`,
      '    env -u GIT_QUARANTINE_PATH -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES \\',
      `      git update-ref "refs/heads/${branch}" "${racer}"`,
      '  fi',
      'done',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(join(bare, 'hooks', 'pre-receive'), 0o755);
  writeFileSync(armed, '');
  return armed;
}

describe('ensureTag', () => {
  it('creates an annotated tag at the commit, by the bot, and pushes it', async () => {
    const commit = commitOf('master');
    const outcome = await w.git.ensureTag({ repo: w.repo, name: 'prod-11', commit, message: 'Production deploy #11 for HF-2026-11-001' });

    expect(outcome).toBe('created');
    expect(w.inOrigin(['cat-file', '-t', 'refs/tags/prod-11'])).toBe('tag');
    expect(commitOf('prod-11')).toBe(commit);
    expect(w.origin.tagMessage('prod-11')).toContain('Production deploy #11 for HF-2026-11-001');
    expect(w.inOrigin(['for-each-ref', '--format=%(taggername) %(taggeremail)', 'refs/tags/prod-11'])).toBe('Hotfix Bot <hotfix-bot@example.com>');
  });

  it('is idempotent at the same commit and refuses (InvalidStateError) a tag of that name elsewhere', async () => {
    const commit = commitOf('master');
    const spec = { repo: w.repo, name: 'prod-11', commit, message: 'Production deploy #11' };
    expect(await w.git.ensureTag(spec)).toBe('created');
    const tagObject = w.inOrigin(['rev-parse', 'refs/tags/prod-11']);

    expect(await w.git.ensureTag(spec)).toBe('existed');
    expect(w.inOrigin(['rev-parse', 'refs/tags/prod-11'])).toBe(tagObject);

    const err = await rejectsWith(w.git.ensureTag({ ...spec, commit: commitOf('prod-9') }), InvalidStateError);
    expect(err.message).toContain('prod-11');
    expect(w.inOrigin(['rev-parse', 'refs/tags/prod-11'])).toBe(tagObject);
  });

  it('treats an existing tag made by someone else the same way: fine at the commit, refused elsewhere', async () => {
    // A lightweight tag (no tag object) at master, and an annotated one the mirror has not seen yet.
    w.origin.git(['tag', 'prod-12', 'master']);
    w.origin.git(['push', '--quiet', 'origin', 'refs/tags/prod-12']);
    expect(await w.git.ensureTag({ repo: w.repo, name: 'prod-12', commit: commitOf('master'), message: 'x' })).toBe('existed');
    await rejectsWith(w.git.ensureTag({ repo: w.repo, name: 'prod-12', commit: commitOf('prod-3'), message: 'x' }), InvalidStateError);
    await rejectsWith(w.git.ensureTag({ repo: w.repo, name: 'prod-10', commit: commitOf('prod-9'), message: 'x' }), InvalidStateError);
  });

  it('redoes a tag that was made in the mirror but never reached the origin', async () => {
    await w.git.tags(w.repo);
    // A crash between `git tag` and `git push` left a local tag on the wrong commit.
    w.origin.git(['tag', '-a', '-m', 'half done', 'prod-11', commitOf('prod-3')], w.mirrorDir());

    const commit = commitOf('master');
    expect(await w.git.ensureTag({ repo: w.repo, name: 'prod-11', commit, message: 'Production deploy #11' })).toBe('created');
    expect(commitOf('prod-11')).toBe(commit);
  });
});

describe('the release tag (publish with a release template)', () => {
  it('tags the next patch version after the newest release tag', async () => {
    const commit = w.origin.commit('master', { 'fix.js': '1\n' }, 'Hotfix');
    const name = await releaseTag(commit, 'Release 1.4.3 (HF-2026-11-001)', 'HF-2026-11-001');

    expect(name).toBe('v1.4.3');
    expect(commitOf('v1.4.3')).toBe(commit);
    expect(w.origin.tagMessage('v1.4.3')).toContain('HF-2026-11-001');
  });

  it('returns the same tag when called again for the same commit and marker, without a second tag', async () => {
    const commit = w.origin.commit('master', { 'fix.js': '1\n' }, 'Hotfix');
    const first = await releaseTag(commit, 'Release for HF-2026-11-001', 'HF-2026-11-001');
    const again = await releaseTag(commit, 'Release for HF-2026-11-001', 'HF-2026-11-001');

    expect(again).toBe(first);
    expect(originTags().filter((t) => t.startsWith('v'))).toEqual(['v1.4.1', 'v1.4.2', 'v1.4.3']);
  });

  it('does not mistake an older release tag at the same commit (no marker) for its own', async () => {
    // v1.4.2 sits on prod-10 already; a hotfix released from that very commit still gets v1.4.3.
    const name = await releaseTag(commitOf('prod-10'), 'Release for HF-2026-11-002', 'HF-2026-11-002');
    expect(name).toBe('v1.4.3');
  });

  it('gives concurrent releases of different hotfixes different versions', async () => {
    const a = w.origin.commit('master', { 'a.js': '1\n' }, 'Hotfix A');
    const b = w.origin.commit('master', { 'b.js': '1\n' }, 'Hotfix B');
    const names = await Promise.all([
      releaseTag(a, 'Release for HF-2026-11-001', 'HF-2026-11-001'),
      releaseTag(b, 'Release for HF-2026-11-002', 'HF-2026-11-002'),
    ]);
    expect([...names].sort()).toEqual(['v1.4.3', 'v1.4.4']);
    expect(commitOf(names[0])).toBe(a);
    expect(commitOf(names[1])).toBe(b);
  });
});

describe('mergeIntoBranch', () => {
  it('creates a --no-ff merge commit with the message and pushes it', async () => {
    const master = commitOf('master');
    const fix = branchWith('hotfix/HF-2026-11-001-x', 'prod-10', { 'fix.js': '1\n' }, 'Fix');

    const res = await w.git.mergeIntoBranch(w.repo, 'master', fix, 'Merge hotfix HF-2026-11-001 into master');

    expect(res.already).toBe(false);
    expect(w.origin.remoteRev('refs/heads/master')).toBe(res.mergeCommit);
    // master could have fast-forwarded; --no-ff keeps the hotfix visible as a merge.
    expect(parentsOf(res.mergeCommit)).toEqual([master, fix]);
    expect(w.inOrigin(['log', '-1', '--format=%s', res.mergeCommit])).toBe('Merge hotfix HF-2026-11-001 into master');
    expect(w.inOrigin(['log', '-1', '--format=%cn', res.mergeCommit])).toBe('Hotfix Bot');
  });

  it('is a no-op when the branch already contains the commit', async () => {
    const fix = branchWith('hotfix/HF-2026-11-001-x', 'prod-10', { 'fix.js': '1\n' }, 'Fix');
    const first = await w.git.mergeIntoBranch(w.repo, 'master', fix, 'Merge');

    const again = await w.git.mergeIntoBranch(w.repo, 'master', fix, 'Merge');

    expect(again).toEqual({ mergeCommit: first.mergeCommit, already: true });
    expect(w.origin.remoteRev('refs/heads/master')).toBe(first.mergeCommit);
    // An ancestor is "already merged" too.
    expect((await w.git.mergeIntoBranch(w.repo, 'master', commitOf('prod-9'), 'Merge')).already).toBe(true);
  });

  it('merges onto the origin’s current head when master moved before the call (stale mirror)', async () => {
    const fix = branchWith('hotfix/HF-2026-11-001-x', 'prod-10', { 'fix.js': '1\n' }, 'Fix');
    await w.git.tags(w.repo);
    const moved = w.origin.commit('master', { 'other.js': '1\n' }, 'Someone else on master');

    const res = await w.git.mergeIntoBranch(w.repo, 'master', fix, 'Merge');

    expect(parentsOf(res.mergeCommit)).toEqual([moved, fix]);
    expect(w.origin.remoteRev('refs/heads/master')).toBe(res.mergeCommit);
  });

  it('retries when master moves between its fetch and its push, and never forces', async () => {
    const fix = branchWith('hotfix/HF-2026-11-001-x', 'prod-10', { 'fix.js': '1\n' }, 'Fix');
    const racer = branchWith('racer', 'origin/master', { 'racer.js': '1\n' }, 'Pushed meanwhile');
    const armed = raceNextPush('master', racer);

    const res = await w.git.mergeIntoBranch(w.repo, 'master', fix, 'Merge hotfix');

    expect(existsSync(armed)).toBe(false); // the first push did lose the race
    expect(res.already).toBe(false);
    expect(w.origin.remoteRev('refs/heads/master')).toBe(res.mergeCommit);
    expect(parentsOf(res.mergeCommit)).toEqual([racer, fix]);
  });

  it('raises ConflictError naming the files and pushes nothing', async () => {
    w.origin.commit('master', { 'app.js': 'export const rate = 2.0;\nexport const rounding = "half-up";\n' }, 'Rate 2.0 on master');
    const before = w.originHeads();
    const fix = branchWith('hotfix/HF-2026-11-001-x', 'prod-10', { 'app.js': 'export const rate = 3.0;\nexport const rounding = "half-up";\n', 'ok.js': '1\n' }, 'Rate 3.0');

    const err = await rejectsWith(w.git.mergeIntoBranch(w.repo, 'master', fix, 'Merge'), ConflictError);

    expect(err.files).toEqual(['app.js']);
    expect(w.originHeads()).toEqual({ ...before, 'hotfix/HF-2026-11-001-x': fix });
    expect(readdirSync(join(w.dataDir, 'scratch'))).toEqual([]);
  });

  it('refuses a branch that does not exist', async () => {
    await rejectsWith(w.git.mergeIntoBranch(w.repo, 'release/none', commitOf('master'), 'Merge'), InvalidStateError);
  });
});

describe('mergeTagIntoBranch', () => {
  const BRANCH = 'hotfix/HF-2026-11-003-stale';

  it('merges a newer production tag into a branch cut before it, once', async () => {
    const head = branchWith(BRANCH, 'prod-9', { 'fix.js': '1\n' }, 'Fix on old base');

    const res = await w.git.mergeTagIntoBranch(w.repo, BRANCH, 'prod-10', 'Merge prod-10 into the hotfix');

    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBe(res.head);
    expect(parentsOf(res.head)).toEqual([head, commitOf('prod-10')]);
    expect(await w.git.mergeTagIntoBranch(w.repo, BRANCH, 'prod-10', 'Merge again')).toEqual({ head: res.head });
  });

  it('reports a conflict with the files and leaves the branch alone', async () => {
    const head = branchWith(BRANCH, 'prod-9', { 'fees.js': 'export const fee = 7;\n' }, 'Fee 7');
    const err = await rejectsWith(w.git.mergeTagIntoBranch(w.repo, BRANCH, 'prod-10', 'Merge'), ConflictError);
    expect(err.files).toEqual(['fees.js']);
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBe(head);
  });

  it('fails transiently, without forcing, when the branch moves during the merge', async () => {
    branchWith(BRANCH, 'prod-9', { 'fix.js': '1\n' }, 'Fix on old base');
    const racer = branchWith('racer', `origin/${BRANCH}`, { 'more.js': '1\n' }, 'Developer pushed meanwhile');
    raceNextPush(BRANCH, racer);

    await externalFailure(w.git.mergeTagIntoBranch(w.repo, BRANCH, 'prod-10', 'Merge'), true);
    expect(w.origin.remoteRev(`refs/heads/${BRANCH}`)).toBe(racer);
  });
});

describe('previewMerge', () => {
  it('returns no conflicts for a clean merge and writes nothing to the origin', async () => {
    branchWith('backmerge/HF-2026-11-001', 'prod-10', { 'app.js': 'export const rate = 1.0;\nexport const rounding = "half-even";\n' }, 'Fix rounding');
    const before = w.originHeads();

    expect(await w.git.previewMerge(w.repo, 'develop', 'backmerge/HF-2026-11-001')).toEqual({ conflicts: [] });
    expect(w.originHeads()).toEqual(before);
  });

  it('lists each conflicting file once', async () => {
    w.origin.commit('develop', { 'app.js': 'export const rate = 2.0;\nexport const rounding = "half-up";\n', 'fees.js': 'export const fee = 5;\n' }, 'Develop work');
    branchWith('backmerge/HF-2026-11-001', 'prod-10', { 'app.js': 'export const rate = 3.0;\nexport const rounding = "half-up";\n', 'fees.js': 'export const fee = 6;\n', 'new.js': '1\n' }, 'Hotfix');

    const { conflicts } = await w.git.previewMerge(w.repo, 'develop', 'backmerge/HF-2026-11-001');
    expect([...conflicts].sort()).toEqual(['app.js', 'fees.js']);
  });

  it('throws for a ref that does not exist instead of reporting it as a conflict', async () => {
    const err = await rejectionOf(w.git.previewMerge(w.repo, 'develop', 'backmerge/none'));
    expect(err).toBeInstanceOf(ExternalServiceError);
    expect(err).not.toBeInstanceOf(ConflictError);
  });
});

describe('checkBase, branchContains, ensureBranch, tagCommit, tags', () => {
  it('checkBase says whether a commit contains the newest production tag', async () => {
    const onNewest = branchWith('hotfix/a', 'prod-10', { 'a.js': '1\n' }, 'On prod-10');
    const onOlder = branchWith('hotfix/b', 'prod-9', { 'b.js': '1\n' }, 'On prod-9');

    expect(await w.git.checkBase(w.repo, PROD, onNewest, commitOf('prod-10'))).toEqual({ newestTag: 'prod-10', newestCommit: commitOf('prod-10'), contains: true, baseInProduction: true });
    expect(await w.git.checkBase(w.repo, PROD, onOlder, commitOf('prod-9'))).toEqual({ newestTag: 'prod-10', newestCommit: commitOf('prod-10'), contains: false, baseInProduction: true });
    expect(await w.git.checkBase(w.repo, 'release-{build}', onOlder, commitOf('prod-9'))).toEqual({ newestTag: null, newestCommit: null, contains: true, baseInProduction: true });
    // Asked while the tags are listed (the base is nearly always the newest tag): a "no" counts too.
    expect(await w.git.checkBase(w.repo, PROD, onOlder, commitOf('prod-10'))).toEqual({ newestTag: 'prod-10', newestCommit: commitOf('prod-10'), contains: false, baseInProduction: true });
  });

  it('checkBase sees production rolled back past where a branch was cut (issue 10.6)', async () => {
    const onNewest = branchWith('hotfix/c', 'prod-10', { 'c.js': '1\n' }, 'On prod-10, before the rollback');
    // Production went back to prod-9's commit, tagged with the rollback deploy's number.
    w.origin.git(['tag', '-a', '-m', 'rollback', 'prod-13', commitOf('prod-9')]);
    w.origin.git(['push', '--quiet', 'origin', 'refs/tags/prod-13']);
    const check = await w.git.checkBase(w.repo, PROD, onNewest, commitOf('prod-10'));
    expect(check).toEqual({ newestTag: 'prod-13', newestCommit: commitOf('prod-9'), contains: true, baseInProduction: false });
  });

  it('branchContains answers from the origin’s current branch', async () => {
    const developOnly = commitOf('develop');
    expect(await w.git.branchContains(w.repo, 'master', commitOf('prod-9'))).toBe(true);
    expect(await w.git.branchContains(w.repo, 'master', developOnly)).toBe(false);
    expect(await w.git.branchContains(w.repo, 'no-such-branch', developOnly)).toBe(false);

    w.origin.git(['push', '--quiet', 'origin', `${developOnly}:refs/heads/master`]);
    expect(await w.git.branchContains(w.repo, 'master', developOnly)).toBe(true);
  });

  it('ensureBranch creates a branch once and never moves an existing one', async () => {
    expect(await w.git.ensureBranch(w.repo, 'backmerge/HF-2026-11-001', commitOf('prod-10'))).toBe('created');
    expect(w.origin.remoteRev('refs/heads/backmerge/HF-2026-11-001')).toBe(commitOf('prod-10'));
    expect(await w.git.ensureBranch(w.repo, 'backmerge/HF-2026-11-001', commitOf('prod-9'))).toBe('existed');
    expect(w.origin.remoteRev('refs/heads/backmerge/HF-2026-11-001')).toBe(commitOf('prod-10'));
  });

  it('tagCommit peels a tag to its commit, or null; tags lists the origin’s tags', async () => {
    expect(await w.git.tagCommit(w.repo, 'prod-10')).toBe(commitOf('prod-10'));
    expect(await w.git.tagCommit(w.repo, 'prod-404')).toBeNull();
    expect([...(await w.git.tags(w.repo))].sort()).toEqual(['prod-10', 'prod-3', 'prod-9', 'v1.4.1', 'v1.4.2']);
  });
});

// The release steps ask the origin (ls-remote) and fetch only when it names a commit the mirror
// lacks: each case below first warms the mirror, then changes the origin behind its back.
describe('a mirror behind the origin', () => {
  const fetchedBefore = async () => {
    await w.git.tags(w.repo);
    expect(w.mirrors.clones).toBe(1);
  };

  it('checkBase sees a production tag pushed since the last fetch, on a commit the mirror has never seen', async () => {
    const branch = branchWith('hotfix/d', 'prod-10', { 'd.js': '1\n' }, 'On prod-10');
    await fetchedBefore();
    const elsewhere = w.origin.commit('master', { 'other.js': '1\n' }, 'Another hotfix, deployed');
    w.origin.tag('prod-12', elsewhere);

    expect(await w.git.checkBase(w.repo, PROD, branch, commitOf('prod-10'))).toEqual({ newestTag: 'prod-12', newestCommit: elsewhere, contains: false, baseInProduction: true });
    expect(w.mirrors.clones).toBe(1);
  });

  it('checkBase of a build the mirror has never seen, cut from the newest tag, fetches and answers', async () => {
    await fetchedBefore();
    const rebuilt = branchWith('hotfix/e', 'prod-10', { 'e.js': '1\n' }, 'Pushed to the branch since the last fetch');

    expect(await w.git.checkBase(w.repo, PROD, rebuilt, commitOf('prod-10'))).toEqual({ newestTag: 'prod-10', newestCommit: commitOf('prod-10'), contains: true, baseInProduction: true });
    expect(w.mirrors.clones).toBe(1);
  });

  it('the release tag numbers after a release tag the mirror has not fetched, and finds its own earlier tag there', async () => {
    await fetchedBefore();
    const other = w.origin.commit('master', { 'other.js': '1\n' }, 'Another hotfix');
    w.origin.tag('v1.4.7', other);
    const ours = w.origin.commit('master', { 'ours.js': '1\n' }, 'This hotfix');

    expect(await releaseTag(ours, 'Hotfix HF-2026-11-009: ours', 'Hotfix HF-2026-11-009:')).toBe('v1.4.8');

    // An earlier attempt's tag made by another worker (another mirror): found by its message.
    const again = w.origin.commit('master', { 'again.js': '1\n' }, 'A third hotfix');
    w.origin.git(['tag', '-a', '-m', 'Hotfix HF-2026-11-010: third', 'v1.4.9', again]);
    w.origin.git(['push', '--quiet', 'origin', 'refs/tags/v1.4.9']);
    expect(await releaseTag(again, 'Hotfix HF-2026-11-010: third', 'Hotfix HF-2026-11-010:')).toBe('v1.4.9');
    expect(originTags().filter((t) => t.startsWith('v1.4.'))).toEqual(['v1.4.1', 'v1.4.2', 'v1.4.7', 'v1.4.8', 'v1.4.9']);
  });

  it('previewMerge and ensureBranch use the origin’s current heads', async () => {
    await fetchedBefore();
    w.origin.commit('develop', { 'app.js': 'export const rate = 2.0;\nexport const rounding = "half-up";\n' }, 'Develop moved on');
    const fix = branchWith('backmerge/HF-2026-11-003', 'prod-10', { 'app.js': 'export const rate = 3.0;\nexport const rounding = "half-up";\n' }, 'Hotfix');

    expect(await w.git.previewMerge(w.repo, 'develop', 'backmerge/HF-2026-11-003')).toEqual({ conflicts: ['app.js'] });
    expect(await w.git.ensureBranch(w.repo, 'backmerge/HF-2026-11-004', fix)).toBe('created');
    expect(w.origin.remoteRev('refs/heads/backmerge/HF-2026-11-004')).toBe(fix);
    expect(w.mirrors.clones).toBe(1);
  });
});
