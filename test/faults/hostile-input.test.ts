// Abuse from the outside: floods on the API and the email links get a clear 429; error
// answers never carry internals or secrets; a link never acts for anyone but its recipient.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ rateLimits: { api: 30, actions: 5 }, jenkins: (sim) => sim.failNext({ mode: 401, count: 1 }) });
});
afterAll(async () => {
  await h?.close();
});

describe('what errors say', () => {
  it('an outside system refusing our credentials is reported, without them', async () => {
    // Jenkins answers the first trigger with 401 (see beforeAll).
    const hf = await h.createHotfix({ title: 'Jenkins refuses our token' });
    const stuck = await h.waitForState(hf.id, 'needs_attention');
    expect(stuck.attention?.reason).toContain('HTTP 401 (check jenkins.user and jenkins.apiToken)');
    const everything = JSON.stringify(stuck) + h.logs.join('');
    for (const secret of Object.values(SECRETS)) expect(everything.includes(secret), secret.slice(0, 5)).toBe(false);
  });
});

describe('floods', () => {
  it('the email links answer 429 in words after the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${h.url}/actions/v1.not-a-real-link.x`)).status);
    expect(statuses.slice(0, 5).every((s) => s === 400 || s === 404)).toBe(true);
    const limited = await fetch(`${h.url}/actions/v1.not-a-real-link.x`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy') ?? limited.headers.get('retry-after')).toBeTruthy();
    expect(await limited.text()).toMatch(/Too many requests/);
  });

  it('the API answers 429 with the contract error shape after the limit', async () => {
    let last = 0;
    let body: unknown;
    for (let i = 0; i < 32; i++) {
      const res = await h.api('GET', '/api/v1/hotfixes?limit=1');
      last = res.status;
      body = res.body;
    }
    expect(last).toBe(429);
    expect(body).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('too many requests') } });
  });
});
