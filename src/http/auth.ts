// Who is calling /api/v1, and what they may do. Every call's actor is its principal; a body's
// `actor`/`requestedBy` that names someone else is refused (403 actor_mismatch) — only an
// admin may act for another, and that is recorded as onBehalfOf.

import type { RequestHandler, Response } from 'express';
import { ActorMismatchError, ForbiddenError } from '../domain/errors.js';
import type { Authenticator, Principal, Role } from '../ports/identity.js';
import { sendError } from './errors.js';

export function requirePrincipal(authenticators: readonly Authenticator[]): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    let principal: Principal | null = null;
    if (match?.[1]) {
      for (const a of authenticators) {
        principal = await a.authenticate(match[1]);
        if (principal) break;
      }
    }
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer realm="hotfix"');
      return sendError(res, 401, 'unauthorized', match ? 'the bearer token is not valid' : 'an Authorization: Bearer <token> header is required');
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new ForbiddenError('no authenticated principal');
  return p;
}

export function hasRole(p: Principal, ...roles: Role[]): boolean {
  return p.roles.includes('admin') || roles.some((r) => p.roles.includes(r));
}

/** Refuse unless the principal has one of `roles` (admin has all). */
export function requireRole(p: Principal, what: string, ...roles: Role[]): void {
  if (!hasRole(p, ...roles)) throw new ForbiddenError(`${p.name} may not ${what}: it needs the ${roles.join(' or ')} role`);
}

/**
 * Whom a call acts for: the caller, or — for an admin only — the person the body names.
 * Anyone else naming another person is refused.
 */
export function actingAs(p: Principal, named: string | undefined, field = 'actor'): { actor: string; onBehalfOf: string | null } {
  if (named === undefined || named.trim().toLowerCase() === p.name.toLowerCase()) return { actor: p.name, onBehalfOf: null };
  if (p.roles.includes('admin')) return { actor: p.name, onBehalfOf: named.trim().toLowerCase() };
  throw new ActorMismatchError(`${field} '${named}' is not you (${p.name}): the actor of a call is its credentials' principal`);
}
