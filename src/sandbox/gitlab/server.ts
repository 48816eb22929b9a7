/**
 * startGitLabSim: the merge-request slice of the GitLab REST API v4, with GitLab's status codes
 * and error bodies. Projects are addressed by numeric id or URL-encoded path (`acme%2Fpayments`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, type FaultSpec } from '../shared/faults.js';
import { sendJson, startHttpServer, type RequestRecord } from '../shared/http.js';
import { RecordLog } from '../shared/record-log.js';
import { authorizationToken, readFields, safeEqual, stringField } from '../shared/request.js';

export interface GitLabSimOptions {
  port?: number;
  /** Accepted as `PRIVATE-TOKEN: <token>` or `Authorization: Bearer <token>`. */
  token: string;
  /** Project paths, given ids 1, 2, … in this order; others answer 404. Without it any path exists. */
  projects?: string[];
}

export type MergeRequestState = 'opened' | 'closed' | 'merged';

export interface MergeRequestRecord {
  id: number;
  iid: number;
  projectId: number;
  project: string;
  title: string;
  description: string | null;
  sourceBranch: string;
  targetBranch: string;
  state: MergeRequestState;
  createdAt: string;
  /** Closed or merged: when. */
  closedAt: string | null;
  /** Merged: the user name that merged it. */
  mergedBy: string | null;
  at: number;
}

export interface GitLabSim {
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RequestRecord[];
  readonly mergeRequests: readonly MergeRequestRecord[];
  /** The numeric id of a project path. */
  projectId(path: string): number;
  /** Closes or merges a merge request, as a person (`by`, a user name) would on GitLab. */
  setMergeRequestState(project: string, iid: number, state: Exclude<MergeRequestState, 'opened'>, by?: string): void;
  failNext(fault: FaultSpec<500 | 502 | 503 | 'refuse' | 'hang'>): void;
  close(): Promise<void>;
}

export async function startGitLabSim(opts: GitLabSimOptions): Promise<GitLabSim> {
  const projects = new Map<string, number>((opts.projects ?? []).map((path, i) => [path, i + 1]));
  const mergeRequests = new RecordLog<MergeRequestRecord>();
  const faults = new FaultInjector();
  const requests = new RecordLog<RequestRecord>();
  const site = { url: '' };

  /** A project by id or path; unconfigured simulators create a project on first mention of its path. */
  function resolveProject(ref: string): { id: number; path: string } | undefined {
    if (/^\d+$/.test(ref)) {
      const entry = [...projects].find(([, id]) => id === Number(ref));
      return entry && { path: entry[0], id: entry[1] };
    }
    if (!projects.has(ref) && !opts.projects && ref.includes('/')) projects.set(ref, projects.size + 1);
    const id = projects.get(ref);
    return id === undefined ? undefined : { id, path: ref };
  }

  const render = (mr: MergeRequestRecord): object => ({
    id: mr.id,
    iid: mr.iid,
    project_id: mr.projectId,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    source_branch: mr.sourceBranch,
    target_branch: mr.targetBranch,
    web_url: `${site.url}/${mr.project}/-/merge_requests/${mr.iid}`,
    created_at: mr.createdAt,
    // merge_user since 14.7; merged_by is deprecated and still sent.
    merge_user: mr.mergedBy === null ? null : { username: mr.mergedBy, name: mr.mergedBy },
    merged_by: mr.mergedBy === null ? null : { username: mr.mergedBy, name: mr.mergedBy },
    merged_at: mr.state === 'merged' ? mr.closedAt : null,
    closed_at: mr.state === 'closed' ? mr.closedAt : null,
  });

  async function create(req: IncomingMessage, res: ServerResponse, project: { id: number; path: string }): Promise<void> {
    const parsed = await readFields(req);
    if (!parsed.ok) return sendJson(res, 400, { error: parsed.problem });
    const required = {
      source_branch: stringField(parsed.fields, 'source_branch'),
      target_branch: stringField(parsed.fields, 'target_branch'),
      title: stringField(parsed.fields, 'title'),
    };
    const { source_branch: sourceBranch, target_branch: targetBranch, title } = required;
    if (!sourceBranch || !targetBranch || !title) {
      const missing = Object.entries(required).filter(([, v]) => v === undefined).map(([f]) => `${f} is missing`);
      return sendJson(res, 400, { error: missing.join(', ') });
    }
    const open = mergeRequests.items.find(
      (m) => m.projectId === project.id && m.sourceBranch === sourceBranch && m.targetBranch === targetBranch && m.state === 'opened',
    );
    if (open) return sendJson(res, 409, { message: [`Another open merge request already exists for this source branch: !${open.iid}`] });
    const mr: MergeRequestRecord = {
      id: mergeRequests.items.length + 1,
      iid: mergeRequests.items.filter((m) => m.projectId === project.id).length + 1,
      projectId: project.id,
      project: project.path,
      title,
      description: typeof parsed.fields.description === 'string' ? parsed.fields.description : null,
      sourceBranch,
      targetBranch,
      state: 'opened',
      createdAt: new Date().toISOString(),
      closedAt: null,
      mergedBy: null,
      at: performance.now(),
    };
    mergeRequests.push(mr);
    sendJson(res, 201, render(mr));
  }

  function list(res: ServerResponse, projectId: number, query: URLSearchParams): void {
    const state = query.get('state') ?? 'all';
    const source = query.get('source_branch');
    const target = query.get('target_branch');
    const found = mergeRequests.items
      .filter((m) => m.projectId === projectId && (state === 'all' || m.state === state))
      .filter((m) => (!source || m.sourceBranch === source) && (!target || m.targetBranch === target))
      .sort((a, b) => b.iid - a.iid);
    sendJson(res, 200, found.map(render));
  }

  const http = await startHttpServer({
    port: opts.port,
    faults,
    requests,
    faultBody: (status) => ({ message: `${status} Internal Server Error` }),
    handler: async (req, res, url) => {
      const header = req.headers['private-token'];
      const token = (typeof header === 'string' ? header : undefined) ?? authorizationToken(req);
      if (!token || !safeEqual(token, opts.token)) return sendJson(res, 401, { message: '401 Unauthorized' });
      // Split before decoding: the project path travels as one segment with %2F inside.
      const match = /^\/api\/v4\/projects\/([^/]+)\/merge_requests(?:\/(\d+))?$/.exec(url.pathname);
      const project = match ? resolveProject(decodeURIComponent(match[1] ?? '')) : undefined;
      if (!match) return sendJson(res, 404, { error: '404 Not Found' });
      if (!project) return sendJson(res, 404, { message: '404 Project Not Found' });
      if (match[2] !== undefined && req.method === 'GET') {
        const mr = mergeRequests.items.find((m) => m.projectId === project.id && m.iid === Number(match[2]));
        return mr ? sendJson(res, 200, render(mr)) : sendJson(res, 404, { message: '404 Not found' });
      }
      if (match[2] === undefined && req.method === 'POST') return create(req, res, project);
      if (match[2] === undefined && req.method === 'GET') return list(res, project.id, url.searchParams);
      sendJson(res, 405, { error: '405 Method Not Allowed' });
    },
  });
  site.url = http.url;

  return {
    url: http.url,
    port: http.port,
    get requests() {
      return requests.items;
    },
    get mergeRequests() {
      return mergeRequests.items;
    },
    projectId(path) {
      const project = resolveProject(path);
      if (!project) throw new Error(`project ${path} is not configured`);
      return project.id;
    },
    setMergeRequestState(project, iid, state, by = 'root') {
      const id = resolveProject(project)?.id;
      const mr = mergeRequests.items.find((m) => m.projectId === id && m.iid === iid);
      if (!mr) throw new Error(`no merge request ${project}!${iid}`);
      mr.state = state;
      mr.closedAt = new Date().toISOString();
      mr.mergedBy = state === 'merged' ? by : null;
    },
    failNext(fault) {
      faults.add(fault);
    },
    close: () => http.close(),
  };
}
