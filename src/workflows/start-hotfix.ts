// POST /hotfixes: allocate an ID, record the hotfix, cut its branch from the newest production
// tag (cherry-picking any commits), and start the first build — or, on a conflict, leave
// nothing behind and say which files.

import { createHash } from 'node:crypto';
import { branchConflict, hasBranch, nameRelease, newHotfix, recordBranch } from '../domain/create.js';
import { baseRelease, highestHotfixNumber, releaseFixedAtRequest, renderTag } from '../domain/tags.js';
import { requestBuild } from '../domain/build.js';
import { ConflictError, HotfixError, InvalidStateError, ValidationError } from '../domain/errors.js';
import type { Hotfix } from '../domain/hotfix.js';
import { formatHotfixId, sequenceKey } from '../domain/ids.js';
import { addEffect, completeEffect, note } from '../domain/record.js';
import type { BranchResult } from '../ports/git-repo.js';
import { change, context, load, serviceOf } from './change.js';
import type { Deps, ServiceSetup } from './deps.js';
import { skip, type Step } from './step.js';

export interface HotfixRequest {
  service: string;
  title: string;
  requestedBy: string;
  /** The admin who filed it for `requestedBy`, if not themselves. */
  createdBy?: string | null;
  baseRef?: string;
  commits: string[];
}

function fingerprint(req: HotfixRequest): string {
  return createHash('sha256').update(JSON.stringify([req.service, req.title, req.requestedBy, req.baseRef ?? null, req.commits])).digest('hex');
}

async function replay(deps: Deps, hotfixId: string, print: string, expected: string): Promise<Hotfix> {
  if (print !== expected) throw new ValidationError('Idempotency-Key', 'was already used for a different request');
  const h = await load(deps, hotfixId);
  if (!hasBranch(h) && h.state === 'open') {
    throw new InvalidStateError(`the request with this Idempotency-Key is still being processed (${h.id}); retry shortly`, h.state);
  }
  return h;
}

async function cutBranch(deps: Deps, h: Hotfix): Promise<BranchResult> {
  const service = serviceOf(deps, h);
  return deps.git.createHotfixBranch({
    repo: service.repo,
    branch: h.branch,
    productionTagTemplate: service.tags.production,
    commits: h.commits,
    ...(h.baseRef === null ? {} : { baseRef: h.baseRef }),
  });
}

/**
 * With a release template of {base} and {n}, the hotfix's release name is fixed now: {base} is
 * the newest plain release its base commit contains, {n} the next number on that base (above
 * what tags already use; a counter keeps two hotfixes from taking the same one).
 */
async function releaseName(deps: Deps, service: ServiceSetup, baseCommit: string, id: string): Promise<{ base: string; n: number; name: string } | null> {
  const template = service.tags.release;
  if (!releaseFixedAtRequest(template)) return null;
  const base = baseRelease(template, await deps.git.mergedTags(service.repo, baseCommit)) ?? '0.0.0';
  const highest = highestHotfixNumber(template, base, await deps.git.tags(service.repo));
  const n = await deps.store.nextHotfixNumber(`${service.name}@${base}`, highest);
  return { base, n, name: renderTag(template, { base, n, id }) };
}

async function recordAndBuild(deps: Deps, id: string, result: BranchResult, actor: string): Promise<Hotfix> {
  const current = await load(deps, id);
  const release = hasBranch(current) || current.release ? null : await releaseName(deps, serviceOf(deps, current), result.baseCommit, id);
  const done = await change(deps, id, (d) => {
    completeEffect(d, 'create-branch');
    if (hasBranch(d)) return;
    const ctx = context(deps, actor);
    recordBranch(d, result, ctx);
    if (release) nameRelease(d, release, ctx);
    // The head just pushed: asking the origin for it again cost a round trip.
    requestBuild(d, serviceOf(deps, d), ctx, 'first build of the new branch', result.head);
  }, current);
  return done.hotfix;
}

export async function startHotfix(deps: Deps, req: HotfixRequest, idempotencyKey?: string): Promise<{ hotfix: Hotfix; replayed: boolean }> {
  const service = deps.services.get(req.service);
  if (!service) {
    throw new ValidationError('service', `unknown service '${req.service}' (configured: ${deps.services.names().join(', ')})`);
  }
  const print = fingerprint(req);
  if (idempotencyKey) {
    const seen = await deps.store.findIdempotent(idempotencyKey);
    if (seen) return { hotfix: await replay(deps, seen.hotfixId, print, seen.fingerprint), replayed: true };
  }
  const now = deps.clock.now();
  const id = formatHotfixId(now, await deps.store.nextSequence(sequenceKey(now)));
  const h = newHotfix({ ...req, id }, now);
  // If this request dies before recording the branch, this delayed job finishes it.
  addEffect(h, 'create-branch', {}, now, new Date(now.getTime() + deps.settings.branchRecoveryMs));
  const created = await deps.store.create(h, idempotencyKey ? { key: idempotencyKey, fingerprint: print } : undefined);
  if (!created.created) {
    return { hotfix: await replay(deps, created.existing.hotfixId, print, created.existing.fingerprint), replayed: true };
  }
  await deps.scheduler.schedule(id, h.outbox).catch((err: unknown) => deps.log.warn({ hotfixId: id, err }, 'recovery job not scheduled'));
  let result: BranchResult;
  try {
    result = await cutBranch(deps, h);
  } catch (err) {
    if (err instanceof ConflictError || err instanceof ValidationError || err instanceof InvalidStateError) {
      // Nothing was pushed: forget the hotfix entirely, so a corrected request starts clean.
      await deps.store.discard(id, idempotencyKey);
      throw err;
    }
    const reason = err instanceof HotfixError ? err.message : 'unexpected error';
    await change(deps, id, (d) => note(d, 'git', context(deps, 'system'), `branch not created yet (${reason}); retrying in the background`));
    deps.log.warn({ hotfixId: id, err }, 'branch creation failed; the recovery job will retry');
    return { hotfix: await load(deps, id), replayed: false };
  }
  return { hotfix: await recordAndBuild(deps, id, result, req.requestedBy), replayed: false };
}

/** The create-branch job: finish a creation whose request did not live to finish it. */
export const createBranchStep: Step = async (deps, { hotfix, effect }) => {
  if (hasBranch(hotfix)) return skip(deps, { hotfix, effect, resumed: true, log: deps.log });
  let result: BranchResult;
  try {
    result = await cutBranch(deps, hotfix);
  } catch (err) {
    if (err instanceof ConflictError) {
      await change(deps, hotfix.id, (d) => {
        completeEffect(d, effect.id);
        branchConflict(d, context(deps, 'system'), err.message, err.files);
      });
      return;
    }
    throw err;
  }
  await recordAndBuild(deps, hotfix.id, result, 'system');
};
