/**
 * startGitHubSim: the pull-request slice of the GitHub REST API, at the root (api.github.com)
 * and under `/api/v3` (GitHub Enterprise), with GitHub's status codes and error bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, type FaultSpec } from '../shared/faults.js';
import { sendJson, startHttpServer, type RequestRecord } from '../shared/http.js';
import { RecordLog } from '../shared/record-log.js';
import { authorizationToken, readFields, safeEqual, stringField } from '../shared/request.js';

export interface GitHubSimOptions {
  port?: number;
  /** Accepted as `Authorization: Bearer <token>` or `token <token>`. */
  token: string;
  /** When given, creating a PR whose head or base does not exist answers 422, as GitHub does. */
  branchExists?: (ref: string) => Promise<boolean>;
  /** When given, other repositories answer 404; otherwise every `owner/repo` exists. */
  repositories?: string[];
}

export type PullState = 'open' | 'closed' | 'merged';

export interface PullRecord {
  repository: string;
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: PullState;
  createdAt: string;
  /** Closed or merged: when. */
  closedAt: string | null;
  /** Merged: the account that merged it. */
  mergedBy: string | null;
  at: number;
}

export interface GitHubSim {
  readonly url: string;
  readonly port: number;
  /** `<url>/api/v3`, the GitHub Enterprise form of the same API. */
  readonly enterpriseUrl: string;
  readonly requests: readonly RequestRecord[];
  readonly pulls: readonly PullRecord[];
  /** Closes or merges a pull request, as a person (`by`, a login) would on github.com. */
  setPullState(repository: string, number: number, state: Exclude<PullState, 'open'>, by?: string): void;
  failNext(fault: FaultSpec<500 | 502 | 503 | 'refuse' | 'hang'>): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest/pulls/pulls';

export async function startGitHubSim(opts: GitHubSimOptions): Promise<GitHubSim> {
  const pulls = new RecordLog<PullRecord>();
  const faults = new FaultInjector();
  const requests = new RecordLog<RequestRecord>();
  const site = { url: '' };

  const render = (pr: PullRecord): object => {
    const [owner] = pr.repository.split('/');
    return {
      url: `${site.url}/repos/${pr.repository}/pulls/${pr.number}`,
      html_url: `${site.url}/${pr.repository}/pull/${pr.number}`,
      number: pr.number,
      state: pr.state === 'open' ? 'open' : 'closed',
      merged: pr.state === 'merged',
      merged_by: pr.mergedBy === null ? null : { login: pr.mergedBy, type: 'User' },
      merged_at: pr.state === 'merged' ? pr.closedAt : null,
      closed_at: pr.closedAt,
      title: pr.title,
      body: pr.body,
      head: { ref: pr.head, label: `${owner}:${pr.head}` },
      base: { ref: pr.base, label: `${owner}:${pr.base}` },
      created_at: pr.createdAt,
    };
  };

  async function create(req: IncomingMessage, res: ServerResponse, repository: string): Promise<void> {
    const parsed = await readFields(req);
    if (!parsed.ok) return sendJson(res, 400, { message: 'Problems parsing JSON', documentation_url: DOCS });
    const required = { title: stringField(parsed.fields, 'title'), head: stringField(parsed.fields, 'head'), base: stringField(parsed.fields, 'base') };
    const { title, head: rawHead, base } = required;
    if (!title || !rawHead || !base) {
      const missing = Object.entries(required).filter(([, v]) => v === undefined).map(([f]) => f);
      return validationFailed(res, missing.map((f) => ({ resource: 'PullRequest', code: 'missing_field', field: f })));
    }
    // `head` may be "owner:branch" (cross-repository form) or just "branch".
    const head = rawHead.includes(':') ? rawHead.slice(rawHead.indexOf(':') + 1) : rawHead;
    if (opts.branchExists) {
      const invalid = [];
      if (!(await opts.branchExists(head))) invalid.push({ resource: 'PullRequest', code: 'invalid', field: 'head' });
      if (!(await opts.branchExists(base))) invalid.push({ resource: 'PullRequest', code: 'invalid', field: 'base' });
      if (invalid.length > 0) return validationFailed(res, invalid);
    }
    const owner = repository.split('/')[0];
    if (pulls.items.some((p) => p.repository === repository && p.head === head && p.base === base && p.state === 'open')) {
      return validationFailed(res, [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }]);
    }
    const number = pulls.items.filter((p) => p.repository === repository).length + 1;
    const body = typeof parsed.fields.body === 'string' ? parsed.fields.body : null;
    const pr: PullRecord = { repository, number, title, body, head, base, state: 'open', createdAt: new Date().toISOString(), closedAt: null, mergedBy: null, at: performance.now() };
    pulls.push(pr);
    sendJson(res, 201, render(pr), { location: `${site.url}/repos/${repository}/pulls/${number}` });
  }

  function list(res: ServerResponse, repository: string, query: URLSearchParams): void {
    const state = query.get('state') ?? 'open';
    const head = query.get('head');
    const base = query.get('base');
    const found = pulls.items
      .filter((p) => p.repository === repository)
      .filter((p) => state === 'all' || (state === 'open') === (p.state === 'open'))
      .filter((p) => !head || `${repository.split('/')[0]}:${p.head}` === head || (!head.includes(':') && p.head === head))
      .filter((p) => !base || p.base === base)
      .sort((a, b) => b.number - a.number);
    sendJson(res, 200, found.map(render));
  }

  const http = await startHttpServer({
    port: opts.port,
    faults,
    requests,
    faultBody: (status) => ({ message: status === 503 ? 'Service Unavailable' : 'Server Error' }),
    handler: async (req, res, url) => {
      const token = authorizationToken(req, ['Bearer', 'token']);
      if (!token || !safeEqual(token, opts.token)) return sendJson(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
      const match = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?$/.exec(path);
      const repository = match ? `${decodeURIComponent(match[1] ?? '')}/${decodeURIComponent(match[2] ?? '')}` : '';
      if (!match || (opts.repositories && !opts.repositories.includes(repository))) {
        return sendJson(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
      }
      if (match[3] !== undefined && req.method === 'GET') {
        const pr = pulls.items.find((p) => p.repository === repository && p.number === Number(match[3]));
        return pr ? sendJson(res, 200, render(pr)) : sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS });
      }
      if (match[3] === undefined && req.method === 'POST') return create(req, res, repository);
      if (match[3] === undefined && req.method === 'GET') return list(res, repository, url.searchParams);
      sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS });
    },
  });
  site.url = http.url;

  return {
    url: http.url,
    port: http.port,
    enterpriseUrl: `${http.url}/api/v3`,
    get requests() {
      return requests.items;
    },
    get pulls() {
      return pulls.items;
    },
    setPullState(repository, number, state, by = 'octocat') {
      const pr = pulls.items.find((p) => p.repository === repository && p.number === number);
      if (!pr) throw new Error(`no pull request ${repository}#${number}`);
      pr.state = state;
      pr.closedAt = new Date().toISOString();
      pr.mergedBy = state === 'merged' ? by : null;
    },
    failNext(fault) {
      faults.add(fault);
    },
    close: () => http.close(),
  };
}

function validationFailed(res: ServerResponse, errors: object[]): void {
  sendJson(res, 422, { message: 'Validation Failed', errors, documentation_url: DOCS });
}
