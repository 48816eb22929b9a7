/**
 * The inbox's routes: the page, each email's HTML as it was sent, the artifact downloads, and
 * the one thing a person does outside the service: merging the back-merge pull request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArtifactStore } from '../artifacts.js';
import { DEMO_SLACK_USERS } from '../config.js';
import { BRANCHES } from '../origin.js';
import type { Handler } from '../web-server.js';
import { LIVE_SCRIPT, stampOf } from './live.js';
import { renderInbox } from './render.js';
import { takeSnapshot, type InboxSources } from './snapshot.js';

/** While the rest starts: the artifact downloads already work (the first release needs them). */
export function startingRoutes(artifacts: ArtifactStore): Handler {
  return async (req, res, url) => {
    if (url.pathname.startsWith('/artifacts/') && (req.method === 'GET' || req.method === 'HEAD')) serveArtifact(artifacts, url.pathname, res);
    else text(res, 503, 'The demo is starting; reload in a moment.\n');
  };
}

export function inboxRoutes(sources: InboxSources, artifacts: ArtifactStore, say: (line: string) => void): Handler {
  // Reject modals already submitted: each is answered once, as in Slack.
  const submitted = new Set<string>();
  return async (req, res, url) => {
    const path = url.pathname;
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/' && get) {
      const merged = url.searchParams.get('merged');
      const notice = merged && /^\d+$/.test(merged) ? `Merged pull request #${merged} into ${BRANCHES.development}. The service checks develop every few seconds and completes the hotfix.` : undefined;
      html(res, 200, renderInbox(await takeSnapshot(sources), { paused: url.searchParams.has('pause'), ...(notice ? { notice } : {}) }));
    } else if (path === '/stamp' && get) {
      text(res, 200, stampOf(await takeSnapshot(sources)), { 'cache-control': 'no-store' });
    } else if (path === '/inbox.js' && get) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(LIVE_SCRIPT);
    } else if (path.startsWith('/mail/') && get) {
      const mail = sources.smtp.messages[Number(path.slice('/mail/'.length))];
      const body = mail && typeof mail.parsed.html === 'string' ? mail.parsed.html : undefined;
      if (body === undefined) return text(res, 404, 'no such email\n');
      // The email as sent; no scripts may run on the demo's origin whatever it contains.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:" });
      res.end(body);
    } else if (path.startsWith('/artifacts/') && get) {
      serveArtifact(artifacts, path, res);
    } else if (path === '/slack/click' && req.method === 'POST') {
      await clickInSlack(sources, submitted, req, res, say);
    } else if (/^\/pulls\/\d+\/merge$/.test(path) && req.method === 'POST') {
      await mergePull(sources, Number(path.split('/')[2]), req, res, say);
    } else if (path === '/healthz' && get) {
      text(res, 200, 'ok\n');
    } else {
      text(res, 404, 'not found\n');
    }
  };
}

/** Only the inbox's own forms may act, not another site the browser has open. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin === undefined || origin === 'null' || origin === `http://${req.headers.host ?? ''}`;
}

/**
 * A click on a Slack button, as the chosen person: the Slack simulator sends the service the
 * signed block_actions payload; for Reject it then submits the reason in the modal the service
 * opened, as the person would type it.
 */
async function clickInSlack(sources: InboxSources, submitted: Set<string>, req: IncomingMessage, res: ServerResponse, say: (line: string) => void): Promise<void> {
  if (!sameOrigin(req)) return text(res, 403, 'cross-site request refused\n');
  const form = await readForm(req);
  const user = DEMO_SLACK_USERS.find((u) => u.id === form.get('user'));
  const action = form.get('action');
  const message = sources.slack.messages.find((m) => m.channel === form.get('channel') && m.ts === form.get('ts'));
  if (!user || !message || (action !== 'hotfix_promote' && action !== 'hotfix_reject')) return text(res, 400, 'choose a person and a button of a message\n');
  const reason = (form.get('reason') ?? '').trim();
  if (action === 'hotfix_reject' && reason === '') return text(res, 400, 'Slack asks why in a dialog: type a reason next to the button\n');
  try {
    const click = await sources.slack.click(user.id, message, action);
    if (click.status !== 200) return text(res, 502, `the service answered the click with ${click.status}: ${click.body}\n`);
    if (action === 'hotfix_reject') {
      // No modal when the button is out of date: the service answers privately instead.
      const view = await sources.slack.waitForView((v) => v.user === user.id && !submitted.has(v.id), 3000).catch(() => null);
      if (view) {
        submitted.add(view.id);
        await sources.slack.submitView(view.id, { reason: { reason_input: reason } });
      }
    }
  } catch (err) {
    return text(res, 409, `${err instanceof Error ? err.message : String(err)}\n`);
  }
  say(`${user.name} clicked ${action === 'hotfix_promote' ? 'Promote' : 'Reject'} in Slack.`);
  res.writeHead(303, { location: '/#slack' }).end();
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    body += chunk.toString('utf8');
    if (body.length > 8192) break;
  }
  return new URLSearchParams(body);
}

/** What a person does on GitHub: merge the back-merge branch into develop and close the PR. */
async function mergePull(sources: InboxSources, number: number, req: IncomingMessage, res: ServerResponse, say: (line: string) => void): Promise<void> {
  req.resume();
  if (!sameOrigin(req)) return text(res, 403, 'cross-site request refused\n');
  const pr = sources.github.pulls.find((p) => p.repository === sources.repository && p.number === number);
  if (!pr) return text(res, 404, `no pull request #${number}\n`);
  if (pr.state === 'open') {
    try {
      await sources.origin.mergeIntoDevelop(pr.head, `Merge pull request #${number} from ${pr.head}\n\n${pr.title}`);
    } catch (err) {
      return text(res, 409, `merging ${pr.head} into ${pr.base} failed (resolve it by hand in a clone of the origin):\n${err instanceof Error ? err.message : String(err)}\n`);
    }
    // The demo's developer (dev@example.com commits there) is who merges it.
    sources.github.setPullState(sources.repository, number, 'merged', 'dev');
    say(`Pull request #${number} (${pr.head}) merged into ${pr.base}.`);
  }
  res.writeHead(303, { location: `/?merged=${number}` }).end();
}

function serveArtifact(artifacts: ArtifactStore, path: string, res: ServerResponse): void {
  if (!artifacts.serve(decodeURIComponent(path.slice('/artifacts/'.length)), res)) text(res, 404, 'no such artifact\n');
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; form-action 'self'" });
  res.end(body);
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
}
