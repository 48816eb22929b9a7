// /api/v1/hotfixes handlers: parse the request, call the use case, answer with the contract's
// hotfix object. Errors go to the error middleware.

import type { Request, RequestHandler } from 'express';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { toPublicView } from '../domain/hotfix.js';
import { isHotfixId } from '../domain/ids.js';
import { cancelHotfix, requestBuildNow, retryHotfix } from '../workflows/commands.js';
import type { Deps } from '../workflows/deps.js';
import { decideOn } from '../workflows/promotion.js';
import { requestRollback } from '../workflows/rollback.js';
import { startHotfix } from '../workflows/start-hotfix.js';
import { statsFor } from '../workflows/stats.js';
import { buildBody, cancelBody, createHotfixBody, listQuery, promoteBody, rejectBody, retryBody, rollbackBody, statsQuery } from './schemas.js';

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

export const createHotfix: Handler = (deps) => async (req, res) => {
  const body = createHotfixBody.parse(req.body ?? {});
  const { hotfix, replayed } = await startHotfix(deps, body, idempotencyKey(req));
  if (replayed) res.set('Idempotent-Replayed', 'true');
  res.status(201).location(`/api/v1/hotfixes/${hotfix.id}`).json(toPublicView(hotfix));
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
  res.json(toPublicView(h));
};

export const buildHotfix: Handler = (deps) => async (req, res) => {
  const body = buildBody.parse(req.body ?? {});
  const h = await requestBuildNow(deps, hotfixId(req), body.actor ?? 'api');
  res.status(202).json(toPublicView(h));
};

export const promoteHotfix: Handler = (deps) => async (req, res) => {
  const body = promoteBody.parse(req.body ?? {});
  const { hotfix, outcome } = await decideOn(deps, hotfixId(req), { actor: body.actor, decision: 'promote', comment: body.comment, via: 'api', build: null, linkId: null });
  res.status(202).json({ ...toPublicView(hotfix), decision: outcome });
};

export const rejectHotfix: Handler = (deps) => async (req, res) => {
  const body = rejectBody.parse(req.body ?? {});
  const { hotfix, outcome } = await decideOn(deps, hotfixId(req), { actor: body.actor, decision: 'reject', comment: body.reason, via: 'api', build: null, linkId: null });
  res.status(202).json({ ...toPublicView(hotfix), decision: outcome });
};

export const rollbackHotfix: Handler = (deps) => async (req, res) => {
  const body = rollbackBody.parse(req.body ?? {});
  res.status(202).json(toPublicView(await requestRollback(deps, hotfixId(req), body.actor, body.reason)));
};

export const cancelHotfixHandler: Handler = (deps) => async (req, res) => {
  const body = cancelBody.parse(req.body ?? {});
  res.status(202).json(toPublicView(await cancelHotfix(deps, hotfixId(req), body.actor, body.reason)));
};

export const retryHotfixHandler: Handler = (deps) => async (req, res) => {
  const body = retryBody.parse(req.body ?? {});
  res.status(202).json(toPublicView(await retryHotfix(deps, hotfixId(req), body.actor)));
};

export const stats: Handler = (deps) => async (req, res) => {
  const q = statsQuery.parse(req.query);
  res.json(await statsFor(deps, { days: q.days, ...(q.service ? { service: q.service } : {}) }));
};
