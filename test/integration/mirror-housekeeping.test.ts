// The worker tidies its mirrors on its own clock (git.housekeepingHours): wired through the
// service as main.ts starts it, seen from outside as an operator would — /metrics and the mirror.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  // About every 2 s, so the first round comes soon after start.
  h = await startHarness({ config: (raw) => void (raw.git = { ...(raw.git as Record<string, unknown>), housekeepingHours: 0.0006 }) });
});
afterAll(async () => {
  await h?.close();
});

const housekeepingRuns = async (): Promise<number> => {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('hotfix_git_operation_duration_seconds_count{operation="housekeep",outcome="ok"}'));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('mirror housekeeping in a worker', () => {
  it("tidies the mirror a hotfix used, on the worker's clock, and times it in /metrics", async () => {
    const hf = await h.waitForState((await h.createHotfix({ title: 'Fix that leaves loose refs' })).id, 'awaiting_approval');
    const mirrors = join(h.config.git.dataDir, 'mirrors');
    const mirror = join(mirrors, readdirSync(mirrors).find((n) => n.endsWith('.git')) ?? 'none');
    const seen = await housekeepingRuns();

    await vi.waitFor(async () => expect(await housekeepingRuns()).toBeGreaterThan(seen), { timeout: 15_000, interval: 100 });

    // Its branch, a loose ref when the service pushed it, now sits in packed-refs.
    expect(existsSync(join(mirror, 'refs', 'heads', hf.branch))).toBe(false);
    expect(readFileSync(join(mirror, 'packed-refs'), 'utf8')).toContain(`refs/heads/${hf.branch}\n`);
    expect(await h.api('GET', `/api/v1/hotfixes/${hf.id}`)).toMatchObject({ status: 200 });
  });
});
