// The GitLab merge-request simulator, driven with fetch as the adapter will.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitLabSim, type GitLabSim } from '../../src/sandbox/gitlab/index.js';

const TOKEN = 'glpat-sandbox';
const PROJECT = encodeURIComponent('acme/payments');

let sim: GitLabSim;

async function api(path: string, init: { method?: string; body?: object; headers?: Record<string, string> } = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}/api/v4${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.headers ?? { 'private-token': TOKEN }) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

const backmerge = { source_branch: 'backmerge/HF-2026-11-001', target_branch: 'develop', title: 'Back-merge HF-2026-11-001', description: 'no conflicts' };

beforeAll(async () => {
  sim = await startGitLabSim({ token: TOKEN, projects: ['acme/payments'] });
});
afterAll(async () => {
  await sim.close();
});

describe('GitLab simulator', () => {
  it('opens a merge request by project path and refuses a duplicate with 409', async () => {
    const created = await api(`/projects/${PROJECT}/merge_requests`, { method: 'POST', body: backmerge });
    expect(created).toMatchObject({
      status: 201,
      body: { iid: 1, state: 'opened', title: backmerge.title, description: 'no conflicts', source_branch: backmerge.source_branch, target_branch: 'develop', web_url: `${sim.url}/acme/payments/-/merge_requests/1` },
    });
    const duplicate = await api(`/projects/${sim.projectId('acme/payments')}/merge_requests`, {
      method: 'POST', body: backmerge, headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(duplicate).toEqual({ status: 409, body: { message: ['Another open merge request already exists for this source branch: !1'] } });
  });

  it('lists merge requests by branches and state', async () => {
    const query = `source_branch=${encodeURIComponent(backmerge.source_branch)}&target_branch=develop`;
    expect((await api(`/projects/${PROJECT}/merge_requests?${query}&state=opened`)).body).toEqual([expect.objectContaining({ iid: 1 })]);
    sim.setMergeRequestState('acme/payments', 1, 'merged', 'sam');
    expect((await api(`/projects/${PROJECT}/merge_requests?${query}&state=opened`)).body).toEqual([]);
    // merge_user since GitLab 14.7, merged_by (deprecated) beside it; closed_at only when closed.
    expect((await api(`/projects/${PROJECT}/merge_requests/1`)).body).toMatchObject({ merge_user: { username: 'sam' }, merged_by: { username: 'sam' }, merged_at: expect.any(String), closed_at: null });
    expect((await api(`/projects/1/merge_requests?${query}`)).body).toEqual([expect.objectContaining({ iid: 1, state: 'merged' })]);
  });

  it('answers 400 for missing fields, 404 for unknown projects and 401 for a bad token', async () => {
    expect(await api(`/projects/${PROJECT}/merge_requests`, { method: 'POST', body: { title: 'x' } }))
      .toEqual({ status: 400, body: { error: 'source_branch is missing, target_branch is missing' } });
    expect((await api(`/projects/${encodeURIComponent('acme/other')}/merge_requests`)).status).toBe(404);
    expect(await api(`/projects/${PROJECT}/merge_requests`, { headers: { 'private-token': 'wrong' } })).toEqual({ status: 401, body: { message: '401 Unauthorized' } });
  });

  it('fails on demand with 5xx and records it', async () => {
    sim.failNext({ mode: 503 });
    expect((await api(`/projects/${PROJECT}/merge_requests`)).status).toBe(503);
    expect((await api(`/projects/${PROJECT}/merge_requests`)).status).toBe(200);
    expect(sim.requests.filter((r) => r.fault === 503)).toHaveLength(1);
  });
});
