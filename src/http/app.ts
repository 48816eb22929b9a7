// The express app: security headers, body limits, the route table. Built from its
// dependencies so tests and main.ts get the same app.

import express, { type RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import type { Deps } from '../workflows/deps.js';
import { postAction, showAction, showStatus } from './actions.js';
import { favicon } from './favicon.js';
import type { Authenticator } from '../ports/identity.js';
import { requirePrincipal } from './auth.js';
import { errorHandler, sendError } from './errors.js';
import * as hotfixes from './hotfix-handlers.js';
import { jenkinsEvents } from './jenkins-events.js';
import { slackActions, type SlackActionsOptions } from './slack-actions.js';
import { consoleRouter, type ConsoleOptions } from './console/routes.js';

export interface AppOptions {
  /** Static tokens first, then SSO: the first that recognises the bearer names the principal. */
  authenticators: readonly Authenticator[];
  callbackSecrets: readonly string[];
  publicUrl: string;
  bodyLimit: string;
  trustProxy: boolean | number | string;
  rateLimits: { api: number; actions: number };
  /** Signs evidence bundles. */
  evidenceKey: string;
  /** Where the rate limits count (shared by every API process when it is Redis); in memory without it. */
  rateLimitStore?: (name: 'api' | 'actions' | 'console') => Store;
  /** Logs each request (pino-http); none when absent. */
  requestLog?: RequestHandler;
  ready(): Promise<boolean>;
  /** The web console (/console): sign-in with the same identities as the API. */
  console?: Omit<ConsoleOptions, 'authenticators' | 'publicUrl'>;
  /** Slack's interactivity endpoint (buttons), when the app's signing secret is configured. */
  slack?: SlackActionsOptions;
  /** Extra routes mounted before the 404 (metrics, ...). */
  extra?: (app: express.Express) => void;
}

function limiter(perMinute: number, json: boolean, store: Store | undefined): RequestHandler {
  if (perMinute === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    ...(store ? { store } : {}),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      if (json) return sendError(res, 429, 'rate_limited', 'too many requests; slow down and retry after the Retry-After delay');
      res.status(429).type('text').send('Too many requests. Wait a minute and try again.');
    },
  });
}

function health(app: express.Express, ready: () => Promise<boolean>): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ok = await ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'redis unavailable' });
  });
}

/** What a worker-only process serves: health and metrics. */
export function createOpsApp(options: Pick<AppOptions, 'ready' | 'extra'>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  health(app, options.ready);
  options.extra?.(app);
  return app;
}

export function createApp(deps: Deps, options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.use(helmet({ contentSecurityPolicy: { directives: { 'form-action': ["'self'"], 'script-src': ["'none'"] } } }));
  if (options.requestLog) app.use(options.requestLog);
  health(app, options.ready);
  app.get('/favicon.ico', favicon);

  // Callbacks: the raw body is what the signature covers. Not rate limited: signed, and Jenkins
  // must never be told to back off from reporting a result.
  app.post('/api/v1/jenkins/events', express.raw({ type: () => true, limit: options.bodyLimit }), jenkinsEvents(deps, options.callbackSecrets));

  // Slack signs the raw form body; not rate limited per client (every click comes from Slack).
  if (options.slack) app.post('/slack/actions', express.raw({ type: () => true, limit: '64kb' }), slackActions(deps, options.slack));

  const api = express.Router();
  api.use(limiter(options.rateLimits.api, true, options.rateLimitStore?.('api')), requirePrincipal(options.authenticators), express.json({ limit: options.bodyLimit }));
  api.post('/hotfixes', hotfixes.createHotfix(deps));
  api.get('/hotfixes', hotfixes.listHotfixes(deps));
  api.get('/hotfixes/:id', hotfixes.getHotfix(deps));
  api.post('/hotfixes/:id/builds', hotfixes.buildHotfix(deps));
  api.post('/hotfixes/:id/promote', hotfixes.promoteHotfix(deps));
  api.post('/hotfixes/:id/reject', hotfixes.rejectHotfix(deps));
  api.post('/hotfixes/:id/rollback', hotfixes.rollbackHotfix(deps));
  api.post('/hotfixes/:id/cancel', hotfixes.cancelHotfixHandler(deps));
  api.post('/hotfixes/:id/retry', hotfixes.retryHotfixHandler(deps));
  api.post('/hotfixes/:id/verification/skip', hotfixes.skipVerificationHandler(deps));
  api.get('/hotfixes/:id/evidence', hotfixes.evidence(deps, options.evidenceKey));
  api.get('/hotfixes/:id/evidence.md', hotfixes.evidenceMarkdown(deps, options.evidenceKey));
  api.get('/freezes', hotfixes.freezes(deps));
  api.get('/stats', hotfixes.stats(deps));
  app.use('/api/v1', api);

  const actions = express.Router();
  actions.use(limiter(options.rateLimits.actions, false, options.rateLimitStore?.('actions')));
  actions.get('/:token', showAction(deps));
  actions.get('/:token/status', showStatus(deps));
  actions.post('/:token', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }), postAction(deps, new URL(options.publicUrl).origin));
  app.use('/actions', actions);

  if (options.console) {
    // A console page asks for its fragment every 2 s: 30 a minute per open page, counted apart.
    const consoleLimits = limiter(options.rateLimits.actions === 0 ? 0 : Math.max(240, options.rateLimits.actions * 4), false, options.rateLimitStore?.('console'));
    app.use('/console', consoleLimits, consoleRouter(deps, { ...options.console, authenticators: options.authenticators, publicUrl: options.publicUrl }));
    app.get('/', (_req, res) => res.redirect(303, '/console'));
  }

  options.extra?.(app);
  app.use((_req, res) => sendError(res, 404, 'not_found', 'no such endpoint'));
  app.use(errorHandler(deps.log));
  return app;
}
