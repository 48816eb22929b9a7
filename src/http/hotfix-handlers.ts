// /api/v1 handlers: parse the request, check who may do it, call the use case, answer with the
// contract's objects. The actor of every call is the caller's principal (auth.ts); errors go to
// the error middleware.

import type { Request, RequestHandler, Response } from 'express';
import { policyView } from '../domain/approvals.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { toPublicView, type Hotfix } from '../domain/hotfix.js';
import { isHotfixId } from '../domain/ids.js';
import { hmacHex } from '../adapters/signing/hmac.js';
import { renderEvidenceMarkdown } from '../notify/evidence-markdown.js';
import type { Principal } from '../ports/identity.js';
import type { Deps } from '../workflows/deps.js';
import { evidenceFor } from '../workflows/evidence.js';
import { startHotfix } from '../workflows/start-hotfix.js';
import { skipChecks } from '../workflows/verify-step.js';
import { statsFor } from '../workflows/stats.js';
import { actingAs, principalOf, requireRole } from './auth.js';
import { askBuild, askCancel, askDecision, askRetry, askRollback } from './commands.js';
import { buildBody, cancelBody, createHotfixBody, freezesQuery, listQuery, promoteBody, rejectBody, retryBody, rollbackBody, skipVerificationBody, statsQuery } from './schemas.js';

type Handler = (deps: Deps) => RequestHandler;

function hotfixId(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!isHotfixId(id)) throw new NotFoundError(`no hotfix ${id.slice(0, 40)}`);
  return id;
}

function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw new ValidationError('Idempotency-Key', 'must be 1–200 visible ASCII characters');
  return key;
}

/** The hotfix as the API shows it: the record, plus where its approval policy and freezes stand. */
function view(deps: Deps, h: Hotfix): object {
  const service = deps.services.get(h.service);
  return { ...toPublicView(h), ...(service ? { policy: policyView(h, service, deps.clock.now()) } : {}) };
}

const channel = (p: Principal): 'sso' | 'api' => (p.via === 'sso' ? 'sso' : 'api');

export const createHotfix: Handler = (deps) => async (req, res) => {
  const p = principalOf(res);
  requireRole(p, 'request hotfixes', 'requester');
  const body = createHotfixBody.parse(req.body ?? {});
  const who = actingAs(p, body.requestedBy, 'requestedBy');
  const { hotfix, replayed } = await startHotfix(deps, { ...body, requestedBy: who.onBehalfOf ?? who.actor, createdBy: who.onBehalfOf ? who.actor : null }, idempotencyKey(req));
  if (replayed) res.set('Idempotent-Replayed', 'true');
  res.status(201).location(`/api/v1/hotfixes/${hotfix.id}`).json(view(deps, hotfix));
};

export const listHotfixes: Handler = (deps) => async (req, res) => {
  const q = listQuery.parse(req.query);
  const items = await deps.store.listSummaries({ limit: q.limit, ...(q.service ? { service: q.service } : {}), ...(q.state ? { state: q.state } : {}), ...(q.before ? { before: q.before } : {}) });
  const next = items.length === q.limit ? items.at(-1)?.id : undefined;
  res.json({ items, ...(next ? { next: { before: next } } : {}) });
};

export const getHotfix: Handler = (deps) => async (req, res) => {
  const h = await deps.store.get(hotfixId(req));
  if (!h) throw new NotFoundError(`no hotfix ${String(req.params.id)}`);
  res.json(view(deps, h));
};

export const buildHotfix: Handler = (deps) => async (req, res) => {
  const p = principalOf(res);
  const id = hotfixId(req);
  const body = buildBody.parse(req.body ?? {});
  res.status(202).json(view(deps, await askBuild(deps, { principal: p, ...actingAs(p, body.actor) }, id)));
};

async function decision(deps: Deps, req: Request, res: Response, kind: 'promote' | 'reject'): Promise<void> {
  const p = principalOf(res);
  // The role first: someone who may not decide hears that, whatever the body says.
  requireRole(p, `${kind} hotfixes`, 'approver');
  const body = kind === 'promote' ? promoteBody.parse(req.body ?? {}) : rejectBody.parse(req.body ?? {});
  const who = { principal: p, ...actingAs(p, body.actor) };
  const comment = 'reason' in body ? body.reason : body.comment;
  const override = 'override' in body ? (body.override ?? null) : null;
  const confirmNoChange = 'confirmNoChange' in body && body.confirmNoChange === true;
  const { hotfix, outcome } = await askDecision(deps, who, hotfixId(req), { decision: kind, comment, via: channel(p), build: null, override, confirmNoChange });
  res.status(202).json({ ...view(deps, hotfix), decision: outcome });
}

export const promoteHotfix: Handler = (deps) => (req, res) => decision(deps, req, res, 'promote');
export const rejectHotfix: Handler = (deps) => (req, res) => decision(deps, req, res, 'reject');

export const rollbackHotfix: Handler = (deps) => async (req, res) => {
  const p = principalOf(res);
  requireRole(p, 'roll back production', 'operator');
  const body = rollbackBody.parse(req.body ?? {});
  res.status(202).json(view(deps, await askRollback(deps, { principal: p, ...actingAs(p, body.actor) }, hotfixId(req), body.reason)));
};

export const cancelHotfixHandler: Handler = (deps) => async (req, res) => {
  const p = principalOf(res);
  const id = hotfixId(req);
  const body = cancelBody.parse(req.body ?? {});
  res.status(202).json(view(deps, await askCancel(deps, { principal: p, ...actingAs(p, body.actor) }, id, body.reason)));
};

export const retryHotfixHandler: Handler = (deps) => async (req, res) => {
  const p = principalOf(res);
  requireRole(p, 'retry a stopped hotfix', 'operator');
  const body = retryBody.parse(req.body ?? {});
  res.status(202).json(view(deps, await askRetry(deps, { principal: p, ...actingAs(p, body.actor) }, hotfixId(req))));
};

export const skipVerificationHandler: Handler = (deps) => async (req, res) => {
  const p = principalOf(res);
  requireRole(p, 'skip a verification', 'operator');
  const body = skipVerificationBody.parse(req.body ?? {});
  const who = actingAs(p, body.actor);
  res.status(202).json(view(deps, await skipChecks(deps, hotfixId(req), who.onBehalfOf ?? who.actor, body.reason)));
};

export const stats: Handler = (deps) => async (req, res) => {
  const q = statsQuery.parse(req.query);
  res.json(await statsFor(deps, { days: q.days, ...(q.service ? { service: q.service } : {}) }));
};

/** GET /freezes?service=: the windows in force and the next of each, per service. */
export const freezes: Handler = (deps) => (req, res) => {
  const q = freezesQuery.parse(req.query);
  const names = q.service ? [q.service] : deps.services.names();
  const now = deps.clock.now();
  const iso = (o: { name: string; from: Date; until: Date }) => ({ name: o.name, from: o.from.toISOString(), until: o.until.toISOString() });
  const services = names.map((name) => {
    const s = deps.services.get(name);
    if (!s) throw new ValidationError('service', `unknown service '${name}' (configured: ${deps.services.names().join(', ')})`);
    const { active, next } = s.freezes.overview(now);
    return { service: name, active: active.map(iso), next: next.map(iso), override: s.freezeOverride?.group ?? null };
  });
  res.json({ at: now.toISOString(), services });
};

/**
 * GET …/evidence and …/evidence.md: the bundle, signed. `X-Hotfix-Evidence-Signature:
 * sha256=<hex HMAC-SHA256 of the exact body with the evidence key>` lets an auditor check it
 * was not edited (SECURITY.md shows how).
 */
export function evidence(deps: Deps, key: string): RequestHandler {
  return async (req, res) => {
    const body = JSON.stringify({ generatedAt: deps.clock.now().toISOString(), ...(await evidenceFor(deps, hotfixId(req))) }, null, 2);
    res.set('X-Hotfix-Evidence-Signature', `sha256=${hmacHex(key, body)}`).type('application/json').send(body);
  };
}

export function evidenceMarkdown(deps: Deps, key: string): RequestHandler {
  return async (req, res) => {
    const body = renderEvidenceMarkdown(await evidenceFor(deps, hotfixId(req)), deps.clock.now().toISOString());
    res.set('X-Hotfix-Evidence-Signature', `sha256=${hmacHex(key, body)}`).type('text/markdown; charset=utf-8').send(body);
  };
}
