// GitRepo.publish against a real bare origin: the tags, the merge into master and the back-merge
// branch of a released hotfix in one push that lands all or nothing, and found (not pushed
// again) when an attempt is repeated.

import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, ExternalServiceError, InvalidStateError } from '../../../src/domain/errors.js';
import type { PublishPlan } from '../../../src/ports/git-repo.js';
import { RELEASE, type GitWorld, useGitWorld } from './git-support.js';
import { rejectsWith } from './support.js';

let w: GitWorld;
useGitWorld((world) => (w = world));

const commitOf = (rev: string) => w.inOrigin(['rev-parse', `${rev}^{commit}`]);
const parentsOf = (sha: string) => w.inOrigin(['rev-list', '--parents', '-n', '1', sha]).split(' ').slice(1);
const originTags = () => w.inOrigin(['tag', '--list']).split('\n').filter(Boolean);
const bare = () => join(w.origin.dir, 'origin.git');

/** Every push the origin receives, one line of "ref ref …" each, in `pushes.log`. */
function recordPushes(declineMaster = false): () => string[][] {
  const log = join(bare(), 'pushes.log');
  writeFileSync(log, '');
  writeFileSync(
    join(bare(), 'hooks', 'pre-receive'),
    ['#!/bin/sh', 'refs=""', 'while read -r old new ref; do refs="$refs $ref"; done', `echo "$refs" >> "${log}"`, declineMaster ? 'case "$refs" in *refs/heads/master*) echo "master is protected" >&2; exit 1;; esac' : '', 'exit 0', ''].join('\n'),
  );
  chmodSync(join(bare(), 'hooks', 'pre-receive'), 0o755);
  return () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.trim().split(' '));
}

/** A hotfix commit on its own branch, cut from prod-10, as a deploy would have left it. */
function hotfix(files: Record<string, string> = { 'fix.js': '1\n' }): string {
  return w.origin.commit('hotfix/HF-2026-12-001-x', files, 'Fix', 'prod-10');
}

const plan = (overrides: Partial<PublishPlan> = {}): PublishPlan => ({
  tags: [
    { name: 'prod-11', message: 'Hotfix HF-2026-12-001: fix\n\nDeploy: #11' },
    { template: RELEASE, marker: 'Hotfix HF-2026-12-001:', message: 'Hotfix HF-2026-12-001: fix' },
  ],
  merge: { branch: 'master', message: 'Merge hotfix HF-2026-12-001', alsoBranch: 'backmerge/HF-2026-12-001', previewInto: 'develop' },
  ...overrides,
});

describe('publish', () => {
  it('tags, merges into master and opens the back-merge branch in one push', async () => {
    const fix = hotfix();
    const master = commitOf('master');
    const pushes = recordPushes();

    const res = await w.git.publish(w.repo, fix, plan());

    expect(res.tags).toEqual([{ name: 'prod-11', created: true }, { name: 'v1.4.3', created: true }]);
    if (!res.merge || 'failed' in res.merge) throw new Error('expected a merge');
    expect(res.merge).toMatchObject({ already: false, alsoBranch: 'created', preview: { conflicts: [] } });
    expect(parentsOf(res.merge.mergeCommit)).toEqual([master, fix]);
    expect(w.origin.remoteRev('refs/heads/master')).toBe(res.merge.mergeCommit);
    expect(w.origin.remoteRev('refs/heads/backmerge/HF-2026-12-001')).toBe(res.merge.mergeCommit);
    expect(commitOf('prod-11')).toBe(fix);
    expect(commitOf('v1.4.3')).toBe(fix);
    expect(w.origin.tagMessage('prod-11')).toContain('Deploy: #11');
    expect(pushes()).toEqual([expect.arrayContaining(['refs/tags/prod-11', 'refs/tags/v1.4.3', 'refs/heads/master', 'refs/heads/backmerge/HF-2026-12-001'])]);
  });

  it('repeated (a crash before the result was recorded), finds everything on the origin and pushes nothing', async () => {
    const fix = hotfix();
    const first = await w.git.publish(w.repo, fix, plan());
    const pushes = recordPushes();

    const again = await w.git.publish(w.repo, fix, plan());

    expect(again.tags).toEqual([{ name: 'prod-11', created: false }, { name: 'v1.4.3', created: false }]);
    expect(again.merge).toEqual({ mergeCommit: first.merge && 'mergeCommit' in first.merge ? first.merge.mergeCommit : '', already: true, alsoBranch: 'existed', preview: { conflicts: [] } });
    expect(pushes()).toEqual([]);
    expect(originTags().filter((t) => t.startsWith('v1.4.'))).toEqual(['v1.4.1', 'v1.4.2', 'v1.4.3']);
  });

  it('lands nothing when the origin refuses part of the push', async () => {
    const fix = hotfix();
    const before = w.originHeads();
    const tagsBefore = originTags();
    const pushes = recordPushes(true);

    await rejectsWith(w.git.publish(w.repo, fix, plan()), ExternalServiceError);

    expect(pushes().length).toBeGreaterThan(0);
    expect(originTags()).toEqual(tagsBefore);
    expect(w.originHeads()).toEqual(before);
  });

  it('publishes the tags and reports the conflict when the merge into master conflicts', async () => {
    w.origin.commit('master', { 'app.js': 'export const rate = 2.0;\nexport const rounding = "half-up";\n' }, 'Rate 2.0 on master');
    const fix = hotfix({ 'app.js': 'export const rate = 3.0;\nexport const rounding = "half-up";\n' });
    const master = commitOf('master');

    const res = await w.git.publish(w.repo, fix, plan());

    expect(res.tags.map((t) => t.name)).toEqual(['prod-11', 'v1.4.3']);
    expect(commitOf('v1.4.3')).toBe(fix);
    expect(res.merge && 'failed' in res.merge ? res.merge.failed : null).toBeInstanceOf(ConflictError);
    expect(w.origin.remoteRev('refs/heads/master')).toBe(master);
    expect(w.origin.remoteRev('refs/heads/backmerge/HF-2026-12-001')).toBeNull();
  });

  it('pushes nothing when a tag of that name is elsewhere (tags never move)', async () => {
    const fix = hotfix();
    w.origin.tag('prod-11', 'prod-10');
    const before = w.originHeads();

    await rejectsWith(w.git.publish(w.repo, fix, plan()), InvalidStateError);

    expect(w.originHeads()).toEqual(before);
    expect(originTags()).not.toContain('v1.4.3');
  });

  it('merges onto a master that moved between its look and its push, with the tags in the same push', async () => {
    const fix = hotfix();
    const racer = w.origin.commit('racer', { 'racer.js': '1\n' }, 'Pushed meanwhile', 'origin/master');
    const armed = join(bare(), 'race-armed');
    writeFileSync(
      join(bare(), 'hooks', 'pre-receive'),
      ['#!/bin/sh', 'while read -r old new ref; do', `  if [ "$ref" = "refs/heads/master" ] && [ -f "${armed}" ]; then`, `    rm -f "${armed}"`, '    env -u GIT_QUARANTINE_PATH -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES \\', `      git update-ref refs/heads/master "${racer}"`, '  fi', 'done', 'exit 0', ''].join('\n'),
    );
    chmodSync(join(bare(), 'hooks', 'pre-receive'), 0o755);
    writeFileSync(armed, '');

    const res = await w.git.publish(w.repo, fix, plan());

    expect(existsSync(armed)).toBe(false);
    if (!res.merge || 'failed' in res.merge) throw new Error('expected a merge');
    expect(parentsOf(res.merge.mergeCommit)).toEqual([racer, fix]);
    expect(w.origin.remoteRev('refs/heads/master')).toBe(res.merge.mergeCommit);
    expect(commitOf('v1.4.3')).toBe(fix);
  });

  it('still publishes to a host that does not take atomic pushes', async () => {
    const fix = hotfix();
    w.inOrigin(['config', 'receive.advertiseAtomic', 'false']);
    const pushes = recordPushes();

    const res = await w.git.publish(w.repo, fix, plan());

    expect(res.merge && 'mergeCommit' in res.merge ? res.merge.alsoBranch : null).toBe('created');
    expect(commitOf('prod-11')).toBe(fix);
    // One ref at a time, the back-merge branch last (never at a merge master refused).
    expect(pushes().map((refs) => refs.join(' '))).toEqual(['refs/tags/prod-11', 'refs/tags/v1.4.3', 'refs/heads/master', 'refs/heads/backmerge/HF-2026-12-001']);
  });

  it('previews the back-merge into develop from the same look at the origin, develop as it is there now', async () => {
    const fix = hotfix({ 'app.js': 'export const rate = 3.0;\nexport const rounding = "half-up";\n' });
    await w.git.tags(w.repo); // the mirror is warm, then develop moves behind its back
    w.origin.commit('develop', { 'app.js': 'export const rate = 2.0;\nexport const rounding = "half-up";\n' }, 'Develop changes the rate');

    const pushes = recordPushes();

    const res = await w.git.publish(w.repo, fix, plan());

    expect(res.merge && 'mergeCommit' in res.merge ? res.merge.preview : null).toEqual({ conflicts: ['app.js'] });
    // The preview runs beside the push and fetches the new develop afterwards, on its own: the
    // release is reported as this call made it, in one push, not as found by a second look.
    expect(res.tags).toEqual([{ name: 'prod-11', created: true }, { name: 'v1.4.3', created: true }]);
    expect(res.merge).toMatchObject({ already: false, alsoBranch: 'created' });
    expect(pushes()).toHaveLength(1);
    // Only a preview: develop itself is untouched.
    expect(w.inOrigin(['log', '-1', '--format=%s', 'develop'])).toBe('Develop changes the rate');
  });
});
