// /console: the web console. A person signs in with the same credentials as the API; the
// session lives in Redis and in an HttpOnly, SameSite=Strict cookie. Every form carries a CSRF
// token tied to the session, every POST must come from the console's own origin, and the pages
// allow nothing but the service's own stylesheet and script. Actions call the same operations,
// with the same role checks, as the API.

import { createHash, createHmac } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { ForbiddenError, HotfixError, ValidationError } from '../../domain/errors.js';
import type { Hotfix } from '../../domain/hotfix.js';
import { isHotfixId } from '../../domain/ids.js';
import { TERMINAL } from '../../domain/states.js';
import type { Authenticator, Principal } from '../../ports/identity.js';
import type { Session, SessionStore } from '../../ports/sessions.js';
import { safeEqual } from '../../adapters/signing/hmac.js';
import type { Deps } from '../../workflows/deps.js';
import { askBuild, askCancel, askDecision, askRetry, askRollback } from '../commands.js';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import { confirmFragment, hotfixFragment, listFragment, messageFragment, page, signInPage, type Viewer } from './pages.js';
import { CONSOLE_ACTIONS, type ConsoleAction } from './waiting.js';

export const COOKIE = 'hotfix_console';
const SESSION_HOURS = 8;
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface ConsoleOptions {
  authenticators: readonly Authenticator[];
  sessions: SessionStore;
  publicUrl: string;
  /** Derives the CSRF tokens from session ids. */
  secret: string;
}

interface Signed {
  id: string;
  session: Session;
  viewer: Viewer;
}

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function send(res: Response, status: number, html: string): void {
  res.status(status).set({ 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' }).type('html').send(html);
}

/** A local path to return to after signing in; anything else goes to the list. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/console(\/[A-Za-z0-9/_-]*)?$/.test(value) ? value : '/console';
}

export function consoleRouter(deps: Deps, o: ConsoleOptions): Router {
  const router = express.Router();
  const origin = new URL(o.publicUrl).origin;
  const secure = o.publicUrl.startsWith('https://');
  const csrfOf = (id: string) => createHmac('sha256', o.secret).update(`console csrf\n${id}`).digest('base64url');
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 });

  /** The session of this request, if it is still good (and its credential still is). */
  async function signedIn(req: Request): Promise<Signed | null> {
    const id = cookieValue(req, COOKIE);
    if (!id) return null;
    const session = await o.sessions.get(id);
    if (!session) return null;
    const p = session.principal;
    if (p.via === 'token' && !o.authenticators.some((a) => a.stillValid?.(session.credential, p.name))) {
      await o.sessions.destroy(id);
      return null;
    }
    return { id, session, viewer: { principal: p, csrf: csrfOf(id) } };
  }

  /** Pages need a session; a fragment answers 401 (the script then goes to the sign-in page). */
  const need = (kind: 'page' | 'json', handle: (req: Request, res: Response, s: Signed) => Promise<void>): RequestHandler => async (req, res) => {
    const s = await signedIn(req);
    if (!s) {
      if (kind === 'json') return void res.status(401).json({ error: { code: 'unauthorized', message: 'sign in again' } });
      return res.redirect(303, `/console/sign-in?next=${encodeURIComponent(req.originalUrl.split('?')[0] ?? '/console')}`);
    }
    await handle(req, res, s);
  };

  /**
   * A state-changing POST: from the console's own origin (the pages' referrer policy,
   * same-origin, keeps browsers sending it; `null` is refused), with the session's CSRF token.
   */
  const guarded = (req: Request, s: Signed | null): boolean => {
    const from = req.get('origin');
    if (from !== undefined && from !== origin) return false;
    if (!s) return true;
    const given = typeof req.body?.csrf === 'string' ? (req.body.csrf as string) : '';
    return safeEqual(given, s.viewer.csrf);
  };

  router.get('/app.css', (_req, res) => void res.type('css').set('Cache-Control', 'no-cache').send(CONSOLE_CSS));
  router.get('/app.js', (_req, res) => void res.type('js').set('Cache-Control', 'no-cache').send(CONSOLE_JS));

  router.get('/sign-in', (req, res) => send(res, 200, signInPage(null, safeNext(req.query.next))));
  router.post('/sign-in', form, async (req, res) => {
    const next = safeNext(req.body?.next);
    if (!guarded(req, null)) return send(res, 403, signInPage('Refused: the form was not sent from this console.', next));
    const credential = typeof req.body?.credential === 'string' ? (req.body.credential as string).trim() : '';
    let principal: Principal | null = null;
    if (credential !== '' && credential.length <= 8192) {
      for (const a of o.authenticators) {
        principal = await a.authenticate(credential);
        if (principal) break;
      }
    }
    if (!principal) return send(res, 401, signInPage('That credential is not valid here. Use your API token or a current SSO token.', next));
    const now = deps.clock.now().getTime();
    const until = Math.min(now + SESSION_HOURS * 3_600_000, principal.expiresAt?.getTime() ?? Infinity);
    const id = await o.sessions.create({
      principal,
      credential: createHash('sha256').update(credential).digest('hex'),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(until).toISOString(),
    });
    res.cookie(COOKIE, id, { httpOnly: true, sameSite: 'strict', secure, path: '/console', maxAge: until - now });
    res.redirect(303, next);
  });
  router.post('/sign-out', form, async (req, res) => {
    const s = await signedIn(req);
    if (s && !guarded(req, s)) return send(res, 403, page('Refused', messageFragment('Refused', 'The form was not sent from this console.', '/console'), { viewer: s.viewer }));
    if (s) await o.sessions.destroy(s.id);
    res.clearCookie(COOKIE, { path: '/console' });
    res.redirect(303, '/console/sign-in');
  });

  const listView = async () => {
    const all = await deps.store.list({ limit: 200 });
    const now = deps.clock.now();
    const inFlight = all.filter((h) => !TERMINAL.includes(h.state));
    const ended = all.filter((h) => TERMINAL.includes(h.state)).slice(0, 10);
    const html = listFragment(inFlight, ended, (s) => deps.services.get(s), now, deps.settings.timeZone);
    const stamp = digest(all.map((h) => `${h.id}:${h.version}`).join(','));
    return { html, stamp };
  };
  const hotfixView = (h: Hotfix, viewer: Principal, notice: string | null) => ({
    html: hotfixFragment(h, viewer, deps.services.get(h.service), deps.clock.now(), deps.settings.timeZone, notice),
    stamp: digest(`${h.id}:${h.version}`),
  });

  router.get('/', need('page', async (_req, res, s) => {
    const v = await listView();
    send(res, 200, page('Hotfixes', v.html, { viewer: s.viewer, live: { url: '/console/live', stamp: v.stamp } }));
  }));
  router.get('/live', need('json', async (req, res, s) => {
    res.set('Cache-Control', 'no-store');
    const id = typeof req.query.hotfix === 'string' ? req.query.hotfix : null;
    if (id === null) return void res.json(await listView());
    const h = isHotfixId(id) ? await deps.store.get(id) : null;
    if (!h) return void res.status(404).json({ error: { code: 'not_found', message: `no hotfix ${id.slice(0, 40)}` } });
    res.json(hotfixView(h, s.viewer.principal, null));
  }));

  const loadHotfix = async (req: Request): Promise<Hotfix | null> => {
    const id = String(req.params.id ?? '');
    return isHotfixId(id) ? deps.store.get(id) : null;
  };
  const notFound = (res: Response, s: Signed) => send(res, 404, page('Not found', messageFragment('Unknown hotfix', 'No hotfix has that id.', '/console'), { viewer: s.viewer }));

  router.get('/hotfixes/:id', need('page', async (req, res, s) => {
    const h = await loadHotfix(req);
    if (!h) return notFound(res, s);
    const done = typeof req.query.done === 'string' && (CONSOLE_ACTIONS as readonly string[]).includes(req.query.done) ? `Done: ${req.query.done} asked by you.` : null;
    const v = hotfixView(h, s.viewer.principal, done);
    send(res, 200, page(h.id, v.html, { viewer: s.viewer, live: { url: `/console/live?hotfix=${encodeURIComponent(h.id)}`, stamp: v.stamp } }));
  }));

  const actionOf = (req: Request): ConsoleAction | null => {
    const a = String(req.params.action ?? '');
    return (CONSOLE_ACTIONS as readonly string[]).includes(a) ? (a as ConsoleAction) : null;
  };

  router.get('/hotfixes/:id/:action', need('page', async (req, res, s) => {
    const h = await loadHotfix(req);
    const action = actionOf(req);
    if (!h || !action) return notFound(res, s);
    send(res, 200, page(`${action} ${h.id}`, confirmFragment(h, action, s.viewer.csrf, deps.settings.timeZone, null), { viewer: s.viewer }));
  }));

  router.post('/hotfixes/:id/:action', form, need('page', async (req, res, s) => {
    const h = await loadHotfix(req);
    const action = actionOf(req);
    if (!h || !action) return notFound(res, s);
    if (!guarded(req, s)) return send(res, 403, page('Refused', messageFragment('Refused', 'The form was not sent from this console (or it is older than your session). Open the page again.', `/console/hotfixes/${h.id}`), { viewer: s.viewer }));
    const reason = typeof req.body?.reason === 'string' ? (req.body.reason as string).trim().slice(0, 2000) : '';
    try {
      await perform(deps, s.viewer.principal, h, action, reason, req.body?.confirmNoChange === 'yes');
    } catch (err) {
      if (!(err instanceof HotfixError)) throw err;
      const status = err instanceof ForbiddenError ? 403 : err instanceof ValidationError ? 400 : 409;
      const fresh = (await deps.store.get(h.id)) ?? h;
      return send(res, status, page(`${action} ${h.id}`, confirmFragment(fresh, action, s.viewer.csrf, deps.settings.timeZone, err.message), { viewer: s.viewer }));
    }
    res.redirect(303, `/console/hotfixes/${h.id}?done=${action}`);
  }));

  return router;
}

/** The action, through the same checks and operations as the API (http/commands.ts). */
async function perform(deps: Deps, p: Principal, h: Hotfix, action: ConsoleAction, reason: string, confirmNoChange: boolean): Promise<void> {
  const who = { principal: p, actor: p.name, onBehalfOf: null };
  if (action === 'promote' || action === 'reject') {
    await askDecision(deps, who, h.id, { decision: action, comment: reason, via: 'console', build: h.qa?.build ?? null, confirmNoChange });
  } else if (action === 'retry') await askRetry(deps, who, h.id);
  else if (action === 'build') await askBuild(deps, who, h.id);
  else if (action === 'cancel') await askCancel(deps, who, h.id, reason);
  else await askRollback(deps, who, h.id, reason);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
