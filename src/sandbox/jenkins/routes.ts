/**
 * The Jenkins REST surface the `jenkins` npm client and our adapter use, mapped onto the model.
 * Status codes follow Jenkins: 201 + Location for a trigger, 302 for stop and cancel, 404 for
 * unknown jobs, builds and forgotten queue items, 405 for a GET on an action.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendEmpty, sendJson, sendText, type RouteHandler } from '../shared/http.js';
import { basicAuth, contentType, readBody, safeEqual } from '../shared/request.js';
import type { JenkinsModel } from './model.js';
import type { BuildState, JobState } from './state.js';
import { renderBuild, renderFolder, renderJob, renderQueueItem } from './render.js';

export interface RouteOptions {
  baseUrl: string;
  user: string;
  apiToken: string;
  crumb: string;
  requireCrumb: boolean;
}

/** Query parameters Jenkins reads itself rather than passing to the build. */
const CONTROL_PARAMS = new Set(['delay', 'token', 'cause']);

export function createJenkinsRoutes(model: JenkinsModel, opts: RouteOptions): RouteHandler {
  return async (req, res, url) => {
    const creds = basicAuth(req);
    if (!creds || !safeEqual(creds.user, opts.user) || !safeEqual(creds.password, opts.apiToken)) {
      sendText(res, 401, creds ? `Invalid password/token for user: ${creds.user}` : 'Authentication required', {
        'www-authenticate': 'Basic realm="Jenkins"',
      });
      return;
    }
    if (req.method === 'POST' && opts.requireCrumb && req.headers['jenkins-crumb'] !== opts.crumb) {
      sendText(res, 403, 'No valid crumb was included in the request');
      return;
    }
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      sendText(res, 400, 'Malformed URL');
      return;
    }
    const route = segments.join('/');
    const isRead = req.method === 'GET' || req.method === 'HEAD';

    if (route === 'crumbIssuer/api/json' && isRead) {
      sendJson(res, 200, { _class: 'hudson.security.csrf.DefaultCrumbIssuer', crumb: opts.crumb, crumbRequestField: 'Jenkins-Crumb' });
    } else if (route === 'api/json' && isRead) {
      sendJson(res, 200, renderFolder(opts.baseUrl, [], model.jobs.values()));
    } else if (route === 'queue/api/json' && isRead) {
      const waiting = [...model.queue.values()].filter((i) => !i.build && !i.cancelled);
      sendJson(res, 200, { _class: 'hudson.model.Queue', items: waiting.map((i) => renderQueueItem(i, opts.user)) });
    } else if (segments[0] === 'queue' && segments[1] === 'item') {
      queueItemRoute(model, opts, req, res, segments.slice(2));
    } else if (segments[0] === 'job') {
      await jobRoute(model, opts, req, res, url, segments);
    } else {
      sendText(res, 404, 'Not Found');
    }
  };
}

function queueItemRoute(model: JenkinsModel, opts: RouteOptions, req: IncomingMessage, res: ServerResponse, rest: string[]): void {
  const item = model.queue.get(Number(rest[0]));
  const action = rest.slice(1).join('/');
  if (!item) {
    sendText(res, 404, 'Not Found');
  } else if (action === 'api/json' && req.method !== 'POST') {
    sendJson(res, 200, renderQueueItem(item, opts.user));
  } else if (action === 'cancelQueue') {
    if (req.method !== 'POST') return sendText(res, 405, 'Method Not Allowed');
    model.cancelQueueItem(item);
    sendEmpty(res, 302, { location: `${opts.baseUrl}/queue/` });
  } else {
    sendText(res, 404, 'Not Found');
  }
}

async function jobRoute(
  model: JenkinsModel, opts: RouteOptions, req: IncomingMessage, res: ServerResponse, url: URL, segments: string[],
): Promise<void> {
  // /job/a/job/b/rest... → job "a/b", then what follows it.
  const names: string[] = [];
  let i = 0;
  while (segments[i] === 'job' && segments[i + 1] !== undefined) {
    names.push(segments[i + 1] as string);
    i += 2;
  }
  const rest = segments.slice(i);
  const job = model.jobs.get(names.join('/'));
  const isRead = req.method === 'GET' || req.method === 'HEAD';
  if (!job) {
    const isFolder = [...model.jobs.keys()].some((name) => name.startsWith(`${names.join('/')}/`));
    if (isFolder && rest.join('/') === 'api/json' && isRead) sendJson(res, 200, renderFolder(opts.baseUrl, names, model.jobs.values()));
    else sendText(res, 404, 'Not Found');
    return;
  }
  const [first, ...after] = rest;
  if (rest.join('/') === 'api/json' && isRead) {
    const queued = [...model.queue.values()].find((q) => q.job === job && !q.build && !q.cancelled);
    sendJson(res, 200, renderJob(job, queued));
  } else if (rest.length === 1 && (first === 'build' || first === 'buildWithParameters')) {
    if (req.method !== 'POST') sendText(res, 405, 'Method Not Allowed');
    else await triggerRoute(model, opts, job, req, res, url);
  } else {
    const build = findBuild(job, first);
    if (!build) sendText(res, 404, 'Not Found');
    else buildRoute(model, opts, build, req, res, after);
  }
}

async function triggerRoute(
  model: JenkinsModel, opts: RouteOptions, job: JobState, req: IncomingMessage, res: ServerResponse, url: URL,
): Promise<void> {
  const body = await readBody(req);
  const type = contentType(req);
  if (body !== '' && type !== 'application/x-www-form-urlencoded') {
    sendText(res, 415, `Unsupported content-type ${type || '(none)'}`);
    return;
  }
  // Jenkins takes parameters from the query string and the form alike.
  const params: Record<string, string> = {};
  for (const [name, value] of [...url.searchParams, ...new URLSearchParams(body)]) {
    if (!CONTROL_PARAMS.has(name)) params[name] = value;
  }
  const delaySeconds = /^(\d+)(?:sec)?$/.exec(url.searchParams.get('delay') ?? '')?.[1];
  const item = model.trigger(job, params, delaySeconds ? Number(delaySeconds) * 1000 : 0);
  sendEmpty(res, 201, { location: `${opts.baseUrl}/queue/item/${item.id}/` });
}

function buildRoute(
  model: JenkinsModel, opts: RouteOptions, build: BuildState, req: IncomingMessage, res: ServerResponse, rest: string[],
): void {
  const action = rest.join('/');
  const isRead = req.method === 'GET' || req.method === 'HEAD';
  if (action === 'api/json' && isRead) {
    sendJson(res, 200, renderBuild(build, opts.user));
  } else if (action === 'consoleText' && isRead) {
    sendText(res, 200, build.log.map((line) => `${line}\n`).join(''));
  } else if (rest[0] === 'artifact' && isRead) {
    const relativePath = rest.slice(1).join('/');
    const content = build.artifacts.get(relativePath);
    if (content === undefined) sendText(res, 404, 'Not Found');
    else sendText(res, 200, content, { 'content-type': mimeType(relativePath) });
  } else if (action === 'stop' && req.method === 'POST') {
    model.stop(build);
    sendEmpty(res, 302, { location: build.url });
  } else {
    sendText(res, 404, 'Not Found');
  }
}

function findBuild(job: JobState, ref: string | undefined): BuildState | undefined {
  const builds = [...job.builds.values()].sort((a, b) => b.number - a.number);
  if (ref === 'lastBuild') return builds[0];
  if (ref === 'lastCompletedBuild') return builds.find((b) => !b.building);
  if (ref === 'lastSuccessfulBuild') return builds.find((b) => b.result === 'SUCCESS');
  return ref !== undefined && /^\d+$/.test(ref) ? job.builds.get(Number(ref)) : undefined;
}

function mimeType(path: string): string {
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.txt') || path.endsWith('.log')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
