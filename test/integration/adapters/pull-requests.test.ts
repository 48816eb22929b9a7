// Back-merge pull requests on GitHub (and Enterprise under /api/v3) and merge requests on GitLab,
// against local servers speaking their REST APIs; `none` for completeness.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubHost } from '../../../src/adapters/pull-requests/github.js';
import { createGitLabHost } from '../../../src/adapters/pull-requests/gitlab.js';
import { createNoPullRequestHost } from '../../../src/adapters/pull-requests/none.js';
import type { PullRequestSpec } from '../../../src/ports/pull-request-host.js';
import { startGitHubSim, startGitLabSim, type GitHubSim, type GitLabSim } from '../../../src/sandbox/index.js';
import { closedPort, externalFailure } from './support.js';

const GITHUB_TOKEN = 'ghp_testtoken123456';
const GITLAB_TOKEN = 'glpat-testtoken123456';

let n = 0;
/** A back-merge of a hotfix nobody else in this file uses. */
function spec(): PullRequestSpec {
  n += 1;
  const id = `HF-2026-11-${String(n).padStart(3, '0')}`;
  return { head: `backmerge/${id}`, base: 'develop', title: `Back-merge ${id} into develop`, body: `Hotfix ${id} is in production.\n\nConflicts: none` };
}

describe('GitHub', () => {
  let sim: GitHubSim;
  const host = (overrides: Partial<{ apiUrl: string; token: string; timeoutMs: number; repository: string }> = {}) =>
    createGitHubHost({ apiUrl: sim.url, repository: 'acme/payments', token: GITHUB_TOKEN, timeoutMs: 2_000, ...overrides });

  beforeAll(async () => {
    sim = await startGitHubSim({ token: GITHUB_TOKEN, repositories: ['acme/payments'] });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('opens a pull request once; asked again, returns the open one (existing: true)', async () => {
    const s = spec();
    const first = await host().open(s);

    const pr = sim.pulls.find((p) => p.head === s.head);
    expect(pr).toMatchObject({ repository: 'acme/payments', head: s.head, base: 'develop', title: s.title, body: s.body, state: 'open' });
    expect(first).toEqual({ number: pr?.number, url: `${sim.url}/acme/payments/pull/${pr?.number}`, existing: false });

    const again = await host().open(s);
    expect(again).toEqual({ ...first, existing: true });
    expect(sim.pulls.filter((p) => p.head === s.head)).toHaveLength(1);
  });

  it('two attempts racing end with one pull request: the loser gets 422 and adopts the winner', async () => {
    const s = spec();
    const results = await Promise.all([host().open(s), host().open(s)]);

    expect(sim.pulls.filter((p) => p.head === s.head)).toHaveLength(1);
    expect(results[0].number).toBe(results[1].number);
    expect(results.map((r) => r.existing).sort()).toEqual([false, true]);
  });

  // A retried open-backmerge step (crash after the POST, a person merged the PR meanwhile)
  // must find the merged PR, not open another (on GitHub: a 422 "No commits between").
  it('a back-merge pull request that was already merged is found, not opened again', async () => {
    const s = spec();
    const first = await host().open(s);
    sim.setPullState('acme/payments', first.number ?? -1, 'merged');

    const again = await host().open(s);

    expect(again).toEqual({ ...first, existing: true });
    expect(sim.pulls.filter((p) => p.head === s.head)).toHaveLength(1);
  });

  it('says who merged a pull request and when; an open or closed one is not merged', async () => {
    const open = await host().open(spec());
    const closed = await host().open(spec());
    const merged = await host().open(spec());
    sim.setPullState('acme/payments', closed.number ?? -1, 'closed');
    sim.setPullState('acme/payments', merged.number ?? -1, 'merged', 'dana');

    expect(await host().merged(open.number ?? -1)).toBeNull();
    expect(await host().merged(closed.number ?? -1)).toBeNull();
    const said = await host().merged(merged.number ?? -1);
    expect(said?.by).toBe('dana');
    expect(Date.parse(said?.at ?? '')).not.toBeNaN();
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', path: `/repos/acme/payments/pulls/${merged.number}` });
    expect((await externalFailure(host().merged(9999), false)).message).toContain('404');
    sim.failNext({ mode: 503 });
    await externalFailure(host().merged(merged.number ?? -1), true);
  });

  it('works against GitHub Enterprise under <host>/api/v3', async () => {
    const s = spec();
    const before = sim.requests.length;
    const res = await host({ apiUrl: `${sim.enterpriseUrl}/` }).open(s);

    expect(res.existing).toBe(false);
    expect(sim.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v3/repos/acme/payments/pulls',
      'POST /api/v3/repos/acme/payments/pulls',
    ]);
    expect(await host({ apiUrl: sim.enterpriseUrl }).open(s)).toEqual({ ...res, existing: true });
  });

  it('5xx and network failures are transient', async () => {
    sim.failNext({ mode: 503 });
    await externalFailure(host().open(spec()), true);
    sim.failNext({ mode: 502, match: (method) => method === 'POST' });
    await externalFailure(host().open(spec()), true);
    sim.failNext({ mode: 'hang' });
    await externalFailure(host({ timeoutMs: 300 }).open(spec()), true);
    await externalFailure(host({ apiUrl: `http://127.0.0.1:${await closedPort()}` }).open(spec()), true);
  });

  it('401 (bad token) and 404 (unknown repository) are permanent', async () => {
    const unauthorised = await externalFailure(host({ token: 'ghp_wrong' }).open(spec()), false);
    expect(unauthorised.message).toContain('401');
    const missing = await externalFailure(host({ repository: 'acme/nope' }).open(spec()), false);
    expect(missing.message).toContain('404');
  });
});

describe('GitLab', () => {
  let sim: GitLabSim;
  const host = (overrides: Partial<{ apiUrl: string; token: string; timeoutMs: number; repository: string }> = {}) =>
    createGitLabHost({ apiUrl: `${sim.url}/api/v4`, repository: 'acme/payments', token: GITLAB_TOKEN, timeoutMs: 2_000, ...overrides });

  beforeAll(async () => {
    sim = await startGitLabSim({ token: GITLAB_TOKEN, projects: ['acme/payments'] });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('opens a merge request once; asked again, returns the open one (existing: true)', async () => {
    const s = spec();
    const first = await host().open(s);

    const mr = sim.mergeRequests.find((m) => m.sourceBranch === s.head);
    expect(mr).toMatchObject({ project: 'acme/payments', targetBranch: 'develop', title: s.title, description: s.body, state: 'opened' });
    expect(first).toEqual({ number: mr?.iid, url: `${sim.url}/acme/payments/-/merge_requests/${mr?.iid}`, existing: false });

    expect(await host().open(s)).toEqual({ ...first, existing: true });
    expect(sim.mergeRequests.filter((m) => m.sourceBranch === s.head)).toHaveLength(1);
    // The project path travels URL-encoded as one segment.
    expect(sim.requests.some((r) => r.path === '/api/v4/projects/acme%2Fpayments/merge_requests')).toBe(true);
  });

  it('two attempts racing end with one merge request: the loser gets 409 and adopts the winner', async () => {
    const s = spec();
    const results = await Promise.all([host().open(s), host().open(s)]);

    expect(sim.mergeRequests.filter((m) => m.sourceBranch === s.head)).toHaveLength(1);
    expect(results[0].number).toBe(results[1].number);
    expect(results.map((r) => r.existing).sort()).toEqual([false, true]);
  });

  it('accepts the instance URL with or without /api/v4, and a numeric project id', async () => {
    const a = await host({ apiUrl: `${sim.url}/` }).open(spec());
    expect(a.existing).toBe(false);
    const b = await host({ repository: String(sim.projectId('acme/payments')) }).open(spec());
    expect(b.existing).toBe(false);
  });

  it('says who merged a merge request (merge_user) and when; an open or closed one is not merged', async () => {
    const open = await host().open(spec());
    const closed = await host().open(spec());
    const merged = await host().open(spec());
    sim.setMergeRequestState('acme/payments', closed.number ?? -1, 'closed');
    sim.setMergeRequestState('acme/payments', merged.number ?? -1, 'merged', 'sam');

    expect(await host().merged(open.number ?? -1)).toBeNull();
    expect(await host().merged(closed.number ?? -1)).toBeNull();
    const said = await host().merged(merged.number ?? -1);
    expect(said?.by).toBe('sam');
    expect(Date.parse(said?.at ?? '')).not.toBeNaN();
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', path: `/api/v4/projects/acme%2Fpayments/merge_requests/${merged.number}` });
    expect((await externalFailure(host().merged(9999), false)).message).toContain('404');
  });

  it('5xx and network failures are transient', async () => {
    sim.failNext({ mode: 500 });
    await externalFailure(host().open(spec()), true);
    sim.failNext({ mode: 'refuse' });
    await externalFailure(host().open(spec()), true);
    sim.failNext({ mode: 'hang' });
    await externalFailure(host({ timeoutMs: 300 }).open(spec()), true);
  });

  it('401 (bad token) and 404 (unknown project) are permanent', async () => {
    expect((await externalFailure(host({ token: 'glpat-wrong' }).open(spec()), false)).message).toContain('401');
    expect((await externalFailure(host({ repository: 'acme/nope' }).open(spec()), false)).message).toContain('404');
  });
});

describe('none', () => {
  it('opens nothing and says so', async () => {
    expect(await createNoPullRequestHost().open(spec())).toEqual({ number: null, url: null, existing: false });
    expect(await createNoPullRequestHost().merged(1)).toBeNull();
  });
});
