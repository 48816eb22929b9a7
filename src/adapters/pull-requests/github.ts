// Back-merge pull requests on GitHub (or GitHub Enterprise under <host>/api/v3).

import { z } from 'zod';
import { ExternalServiceError } from '../../domain/errors.js';
import type { PullRequestHost } from '../../ports/pull-request-host.js';
import { refused, requestJson } from './http.js';

const pull = z.object({ number: z.number(), html_url: z.string() });
// merged_by is the account that merged it, also when the commits reached the base by a push.
const mergedPull = z.object({ merged: z.boolean(), merged_by: z.object({ login: z.string() }).nullish(), merged_at: z.string().nullish() });

export function createGitHubHost(settings: { apiUrl: string; repository: string; token: string; timeoutMs?: number }): PullRequestHost {
  const base = `${settings.apiUrl.replace(/\/+$/, '')}/repos/${settings.repository}/pulls`;
  const owner = settings.repository.split('/')[0] ?? '';
  const headers = { authorization: `Bearer ${settings.token}`, 'x-github-api-version': '2022-11-28' };
  const timeoutMs = settings.timeoutMs ?? 15_000;

  async function find(head: string, baseBranch: string) {
    // Any state: a back-merge someone already merged (or closed) is not opened a second time.
    const query = new URLSearchParams({ head: `${owner}:${head}`, base: baseBranch, state: 'all' });
    const res = await requestJson('github', `${base}?${query}`, { method: 'GET', headers, timeoutMs });
    if (res.status !== 200) throw refused('github', 'list pull requests', res.status);
    const list = z.array(pull).safeParse(res.body);
    return list.success ? (list.data[0] ?? null) : null;
  }

  return {
    async open(spec) {
      const existing = await find(spec.head, spec.base);
      if (existing) return { number: existing.number, url: existing.html_url, existing: true };
      const res = await requestJson('github', base, { method: 'POST', headers, timeoutMs, body: { title: spec.title, head: spec.head, base: spec.base, body: spec.body } });
      if (res.status === 422) {
        // Opened meanwhile (by a retry or a person): use that one.
        const again = await find(spec.head, spec.base);
        if (again) return { number: again.number, url: again.html_url, existing: true };
      }
      if (res.status !== 201) throw refused('github', 'open pull request', res.status);
      const created = pull.parse(res.body);
      return { number: created.number, url: created.html_url, existing: false };
    },

    async merged(number) {
      const res = await requestJson('github', `${base}/${number}`, { method: 'GET', headers, timeoutMs });
      if (res.status !== 200) throw refused('github', `read pull request #${number}`, res.status);
      const parsed = mergedPull.safeParse(res.body);
      if (!parsed.success) throw new ExternalServiceError('github', `read pull request #${number}: the answer does not say whether it is merged`, false);
      const pr = parsed.data;
      return pr.merged ? { by: pr.merged_by?.login ?? null, at: pr.merged_at ?? null } : null;
    },
  };
}
