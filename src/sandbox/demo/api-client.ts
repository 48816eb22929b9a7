/**
 * The demo talks to the service the way a script would: over its HTTP API with a bearer
 * token. The inbox page and the progress lines read hotfixes through it, so they show
 * exactly what the API says.
 */
import type { ApiHotfix } from '../../domain/approvals.js';
import type { HotfixSummary } from '../../domain/hotfix.js';

export interface CreateHotfixBody {
  service: string;
  title: string;
  requestedBy?: string;
  commits?: string[];
}

export interface DemoApi {
  listHotfixes(limit?: number): Promise<ApiHotfix[]>;
  getHotfix(id: string): Promise<ApiHotfix>;
  createHotfix(body: CreateHotfixBody): Promise<ApiHotfix>;
}

export function createDemoApi(baseUrl: string, token: string): DemoApi {
  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }
  return {
    // The list answers summaries; the inbox shows each hotfix whole, so it reads each one.
    async listHotfixes(limit = 20) {
      const { items } = await call<{ items: HotfixSummary[] }>('GET', `/hotfixes?limit=${limit}`);
      return Promise.all(items.map((h) => call<ApiHotfix>('GET', `/hotfixes/${encodeURIComponent(h.id)}`)));
    },
    getHotfix: (id) => call<ApiHotfix>('GET', `/hotfixes/${encodeURIComponent(id)}`),
    createHotfix: (body) => call<ApiHotfix>('POST', '/hotfixes', body),
  };
}
