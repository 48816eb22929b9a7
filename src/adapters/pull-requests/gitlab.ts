// Back-merge merge requests on GitLab (project by numeric id or group/name path).

import { z } from 'zod';
import { ExternalServiceError } from '../../domain/errors.js';
import type { PullRequestHost } from '../../ports/pull-request-host.js';
import { refused, requestJson } from './http.js';

const mergeRequest = z.object({ iid: z.number(), web_url: z.string() });
const user = z.object({ username: z.string() }).nullish();
// merge_user since GitLab 14.7; merged_by, deprecated, before it (and still sent).
const mergedRequest = z.object({ state: z.string(), merge_user: user, merged_by: user, merged_at: z.string().nullish() });

export function createGitLabHost(settings: { apiUrl: string; repository: string; token: string; timeoutMs?: number }): PullRequestHost {
  const root = settings.apiUrl.replace(/\/+$/, '');
  const api = /\/api\/v4$/.test(root) ? root : `${root}/api/v4`;
  const base = `${api}/projects/${encodeURIComponent(settings.repository)}/merge_requests`;
  const headers = { 'private-token': settings.token };
  const timeoutMs = settings.timeoutMs ?? 15_000;

  async function find(source: string, target: string) {
    const query = new URLSearchParams({ source_branch: source, target_branch: target, state: 'all' });
    const res = await requestJson('gitlab', `${base}?${query}`, { method: 'GET', headers, timeoutMs });
    if (res.status !== 200) throw refused('gitlab', 'list merge requests', res.status);
    const list = z.array(mergeRequest).safeParse(res.body);
    return list.success ? (list.data[0] ?? null) : null;
  }

  return {
    async open(spec) {
      const existing = await find(spec.head, spec.base);
      if (existing) return { number: existing.iid, url: existing.web_url, existing: true };
      const res = await requestJson('gitlab', base, {
        method: 'POST',
        headers,
        timeoutMs,
        body: { source_branch: spec.head, target_branch: spec.base, title: spec.title, description: spec.body, remove_source_branch: true },
      });
      if (res.status === 409) {
        const again = await find(spec.head, spec.base);
        if (again) return { number: again.iid, url: again.web_url, existing: true };
      }
      if (res.status !== 201) throw refused('gitlab', 'open merge request', res.status);
      const created = mergeRequest.parse(res.body);
      return { number: created.iid, url: created.web_url, existing: false };
    },

    async merged(iid) {
      const res = await requestJson('gitlab', `${base}/${iid}`, { method: 'GET', headers, timeoutMs });
      if (res.status !== 200) throw refused('gitlab', `read merge request !${iid}`, res.status);
      const parsed = mergedRequest.safeParse(res.body);
      if (!parsed.success) throw new ExternalServiceError('gitlab', `read merge request !${iid}: the answer has no state`, false);
      const mr = parsed.data;
      return mr.state === 'merged' ? { by: mr.merge_user?.username ?? mr.merged_by?.username ?? null, at: mr.merged_at ?? null } : null;
    },
  };
}
