// Several API processes on one Redis share one rate limit per client (the limiter counts in
// Redis), and /metrics can live on its own port, away from the public one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createService, type RunningService } from '../../src/service.js';
import { freePort, SECRETS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let second: RunningService;
let secondUrl: string;
let opsUrl: string;

beforeAll(async () => {
  h = await startHarness({ rateLimits: { api: 6, actions: 30 } });
  // A second API process on the same Redis and prefix, its metrics on a port of their own.
  const metricsPort = await freePort();
  second = createService({ ...h.config, server: { ...h.config.server, metricsPort } }, { log: createLogger({ level: 'silent' }), env: process.env });
  await second.redis.connect();
  const port = await freePort();
  await second.listen(port, '127.0.0.1');
  await second.listenOps(metricsPort, '127.0.0.1');
  secondUrl = `http://127.0.0.1:${port}`;
  opsUrl = `http://127.0.0.1:${metricsPort}`;
});
afterAll(async () => {
  await second?.close(1000);
  await h?.close();
});

const list = (base: string) => fetch(`${base}/api/v1/hotfixes`, { headers: { authorization: `Bearer ${SECRETS.apiToken}` } });

describe('two API processes', () => {
  it('count one limit per client between them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await list(h.url)).status, (await list(secondUrl)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await list(secondUrl)).status).toBe(429);
    expect((await list(h.url)).status).toBe(429);
  });
});

describe('/metrics on its own port', () => {
  it('is served there, and not on the public port', async () => {
    const ops = await fetch(`${opsUrl}/metrics`);
    expect(ops.status).toBe(200);
    expect(await ops.text()).toContain('hotfix_');
    expect((await fetch(`${secondUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${opsUrl}/readyz`)).status).toBe(200);
  });
});
