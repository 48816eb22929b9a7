// The GitHub pull-request simulator, driven with fetch as the adapter will.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubSim, type GitHubSim } from '../../src/sandbox/github/index.js';
import { rejectionOf } from './support.js';

const TOKEN = 'ghp_sandbox';
const BRANCHES = new Set(['master', 'develop', 'backmerge/HF-2026-11-001', 'backmerge/HF-2026-11-002']);

let sim: GitHubSim;

async function api(path: string, init: { method?: string; body?: object; token?: string; base?: string } = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${init.base ?? sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? TOKEN}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

const backmerge = (n: number): object => ({ title: `Back-merge HF-2026-11-00${n}`, head: `backmerge/HF-2026-11-00${n}`, base: 'develop', body: 'conflicts: none' });

beforeAll(async () => {
  sim = await startGitHubSim({ token: TOKEN, repositories: ['acme/payments'], branchExists: async (ref) => BRANCHES.has(ref) });
});
afterAll(async () => {
  await sim.close();
});

describe('GitHub simulator', () => {
  it('opens a pull request and refuses a second open one for the same head and base', async () => {
    const created = await api('/repos/acme/payments/pulls', { method: 'POST', body: backmerge(1) });
    expect(created).toEqual({
      status: 201,
      body: expect.objectContaining({
        number: 1, state: 'open', title: 'Back-merge HF-2026-11-001', body: 'conflicts: none',
        html_url: `${sim.url}/acme/payments/pull/1`, head: expect.objectContaining({ ref: 'backmerge/HF-2026-11-001' }), base: expect.objectContaining({ ref: 'develop' }),
      }),
    });
    const again = await api('/repos/acme/payments/pulls', { method: 'POST', body: backmerge(1) });
    expect(again).toEqual({
      status: 422,
      body: expect.objectContaining({ message: 'Validation Failed', errors: [expect.objectContaining({ message: 'A pull request already exists for acme:backmerge/HF-2026-11-001.' })] }),
    });
  });

  it('finds pull requests by owner:branch and base, by state', async () => {
    const found = await api('/repos/acme/payments/pulls?head=acme:backmerge/HF-2026-11-001&base=develop&state=all');
    expect(found.body).toEqual([expect.objectContaining({ number: 1, merged: false, merged_by: null, merged_at: null })]);
    sim.setPullState('acme/payments', 1, 'merged', 'dana');
    // As GitHub says it: merged_by is the account, merged_at and closed_at the same moment.
    const merged = (await api('/repos/acme/payments/pulls/1')).body as { merged_by: { login: string }; merged_at: string; closed_at: string };
    expect(merged.merged_by.login).toBe('dana');
    expect(merged.merged_at).toBe(merged.closed_at);
    expect((await api('/repos/acme/payments/pulls?head=acme:backmerge/HF-2026-11-001&base=develop')).body).toEqual([]);
    expect((await api('/repos/acme/payments/pulls?head=acme:backmerge/HF-2026-11-001&state=all')).body).toEqual([
      expect.objectContaining({ number: 1, state: 'closed', merged: true }),
    ]);
  });

  it('serves the same API under /api/v3 for GitHub Enterprise', async () => {
    const created = await api('/repos/acme/payments/pulls', { method: 'POST', body: backmerge(2), base: sim.enterpriseUrl });
    expect(created).toMatchObject({ status: 201, body: { number: 2 } });
    expect((await api('/repos/acme/payments/pulls/2', { base: sim.enterpriseUrl })).body).toMatchObject({ number: 2, state: 'open' });
  });

  it('answers 422 for a missing branch, 404 for another repository and 401 for a bad token', async () => {
    const missing = await api('/repos/acme/payments/pulls', { method: 'POST', body: { title: 't', head: 'nope', base: 'develop' } });
    expect(missing).toMatchObject({ status: 422, body: { errors: [{ field: 'head', code: 'invalid' }] } });
    expect((await api('/repos/acme/other/pulls')).status).toBe(404);
    expect(await api('/repos/acme/payments/pulls', { token: 'wrong' })).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
  });

  it('fails on demand with 5xx or a dropped connection, and counts the requests', async () => {
    const before = sim.requests.length;
    sim.failNext({ mode: 502, count: 2, match: (method) => method === 'POST' });
    expect((await api('/repos/acme/payments/pulls')).status).toBe(200);
    expect((await api('/repos/acme/payments/pulls', { method: 'POST', body: backmerge(3) })).status).toBe(502);
    expect((await api('/repos/acme/payments/pulls', { method: 'POST', body: backmerge(3) })).status).toBe(502);
    sim.failNext({ mode: 'refuse' });
    await expect(rejectionOf(api('/repos/acme/payments/pulls'))).resolves.toBeInstanceOf(TypeError);
    expect(sim.requests.slice(before).map((r) => r.fault)).toEqual([undefined, 502, 502, 'refuse']);
    expect(sim.pulls).toHaveLength(2);
  });
});
