// Redis restarted in the middle of a hotfix (with its append-only file, as in production):
// /readyz says 503 meanwhile, requests get a clear 503, and once Redis is back the workers
// and the callbacks carry on where they were.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, JOBS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let redis: ChildProcess | undefined;
let port = 0;
const dir = mkdtempSync(join(tmpdir(), 'hotfix-aof-'));

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const ping = spawn('redis-cli', ['-p', String(port), 'ping']);
      let out = '';
      ping.stdout.on('data', (c: Buffer) => (out += c.toString()));
      ping.on('exit', () => resolve(out.trim() === 'PONG'));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis did not start');
}

async function stopRedis(): Promise<void> {
  const child = redis;
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  h = await startHarness({ redisUrl: `redis://127.0.0.1:${port}`, pollIntervalSeconds: 1, jenkins: (sim) => sim.defineJob(JOBS.build, 'manual') });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis restarted mid-flow', () => {
  it('is reported as not ready, then everything carries on', async () => {
    const hf = await h.createHotfix({ title: 'Survives a Redis restart' });
    const build = await h.jenkins.waitForBuildStart((b) => b.params.HOTFIX_ID === hf.id);
    await stopRedis();
    expect((await fetch(`${h.url}/readyz`)).status).toBe(503);
    const during = await h.api('GET', `/api/v1/hotfixes/${hf.id}`);
    expect(during.status).toBe(503);
    expect(JSON.stringify(during.body)).toContain('Redis');
    await startRedis();
    const deadline = Date.now() + 15_000;
    while ((await fetch(`${h.url}/readyz`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    await h.jenkins.finish(JOBS.build, build.number, 'SUCCESS');
    const ready = await h.waitForState(hf.id, 'awaiting_approval', 30_000);
    expect(ready.builds[0]?.status).toBe('SUCCESS');
    expect(h.jenkins.triggers.filter((t) => t.params.HOTFIX_ID === hf.id && t.job === JOBS.build)).toHaveLength(1);
  }, 60_000);
});
