// The disk under git.dataDir fills up: the service says so on the hotfix and keeps trying;
// once there is room again the hotfix carries on. Needs a tmpfs mount, so it runs where the
// test may mount one (root, as on the CI machine) and says why it is skipped elsewhere.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'hotfix-full-'));
const canMount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]).status === 0;
let h: Harness;

beforeAll(async () => {
  if (!canMount) return;
  h = await startHarness({ dataDir: mountPoint, pollIntervalSeconds: 1 });
  // A repository bigger than the disk the mirror goes on.
  h.origin.commit('master', { 'assets/blob.bin': randomBytes(3 * 1024 * 1024).toString('base64') }, 'Add a large asset');
  h.origin.tag('prod-12', 'master');
}, 60_000);
afterAll(async () => {
  await h?.close();
  if (canMount) spawnSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!canMount)('disk full under git.dataDir (needs permission to mount a tmpfs)', () => {
  it('reports the cause while it lasts, and carries on once there is room', async () => {
    const hf = await h.createHotfix({ title: 'No room for the mirror' });
    expect(hf.baseCommit).toBeNull();
    expect(hf.events.at(-1)?.message).toMatch(/No space left on device|clone failed/);
    const waiting = await h.waitFor(hf.id, (x) => x.waiting?.step === 'create-branch', 'show it waits', 20_000);
    expect(waiting.waiting?.reason).toMatch(/No space left on device|clone failed/);
    execFileSync('mount', ['-o', 'remount,size=64m', mountPoint]);
    const ready = await h.waitForState(hf.id, 'awaiting_approval', 60_000);
    expect(ready.baseTag).toBe('prod-12');
  }, 90_000);
});
