// The real process: `node src/main.ts` (through tsx) with a config file and environment, as
// an operator would start it.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, EXAMPLE_ENV } from '../helpers/example-config.js';
import { freePort } from '../helpers/harness.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hotfix-startup-'));
const example = EXAMPLE_CONFIG;
const secrets = EXAMPLE_ENV;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(configText: string, env: Record<string, string>, args: string[] = []): Run {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, configText);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOTFIX_CONFIG: path, HOTFIX_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

describe('starting the service', () => {
  it('exits non-zero before listening, one line per config problem naming its path', async () => {
    const port = await freePort();
    const broken = example.replace('      deploy: payments-deploy-production\n', '').replace('ttlHours: 24', 'ttlHours: "soon"');
    const { HOTFIX_CALLBACK_SECRET: _missing, ...env } = secrets;
    const run = start(broken, { ...env, PORT: String(port) });
    expect(await run.exited).not.toBe(0);
    const lines = run.output().trim().split('\n');
    expect(lines).toContain('config: secrets.callbackSecret: environment variable HOTFIX_CALLBACK_SECRET is not set');
    expect(lines).toContain('config: services[0].jobs.deploy: required');
    expect(lines.some((l) => l.startsWith('config: services[0].qa.ttlHours:'))).toBe(true);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('stops with one line when a tag template makes a name git refuses', async () => {
    const port = await freePort();
    const bad = example.replace('release: "v{version}"', 'release: "v{version}."');
    expect(bad).not.toBe(example);
    const run = start(bad, { ...secrets, PORT: String(port) });
    expect(await run.exited).not.toBe(0);
    expect(run.output().trim().split('\n')).toEqual([`config: services[0].tags.release: 'v{version}.' makes 'v1.4.3.', which git refuses as a tag name`]);
  });

  it('says where it looked for Redis and how to start one when Redis does not answer', async () => {
    const dead = await freePort();
    const run = start(example, { ...secrets, REDIS_URL: `redis://:hunter2secret@127.0.0.1:${dead}`, PORT: String(await freePort()) });
    expect(await run.exited).not.toBe(0);
    const out = run.output().trim();
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toContain(`cannot reach Redis at redis://***@127.0.0.1:${dead}`);
    expect(out).toContain('redis-server');
    expect(out).not.toContain('hunter2secret');
  });

  it('serves /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const run = start(example, { ...secrets, REDIS_URL: process.env.REDIS_URL ?? '', PORT: String(port), SHUTDOWN_GRACE_MS: '2000' }, []);
    const health = await until(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.status === 200 ? res : undefined;
    });
    expect(health.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const unauth = await fetch(`http://127.0.0.1:${port}/api/v1/hotfixes`);
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('runs only the workers with --role worker (nothing listens)', async () => {
    const port = await freePort();
    const run = start(example, { ...secrets, REDIS_URL: process.env.REDIS_URL ?? '', PORT: String(port), LOG_LEVEL: 'info' }, ['--role', 'worker']);
    await until(async () => (run.output().includes('hotfix workers running') ? true : undefined));
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('warns loudly when Redis may evict keys', async () => {
    const port = await freePort();
    const redisPort = await freePort();
    const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const run = start(example, { ...secrets, REDIS_URL: `redis://127.0.0.1:${redisPort}`, PORT: String(port) });
      await until(async () => (run.output().includes('maxmemory-policy') ? true : undefined));
      expect(run.output()).toContain("WARNING: Redis maxmemory-policy is 'allkeys-lru', not 'noeviction'");
      run.child.kill('SIGTERM');
      await run.exited;
    } finally {
      redis.kill('SIGTERM');
    }
  });
});
