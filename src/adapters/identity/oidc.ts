// Single sign-on: a bearer JWT from the organisation's identity provider, verified against its
// JWKS with jose — issuer, audience, expiry and not-before with a small clock tolerance, and
// an allow-list of asymmetric algorithms (never `none`, never an HMAC keyed by a public key).
// jose caches the key set and fetches it again, at most every cooldown, when a token names a
// key id it does not know (the provider rotated its keys).

import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Authenticator, Principal, Role } from '../../ports/identity.js';
import { ROLES } from '../../ports/identity.js';

export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  principalClaim: string;
  rolesClaim: string;
  clockToleranceSeconds: number;
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function rolesOf(payload: JWTPayload, claim: string): Role[] {
  const raw = payload[claim];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
  return list.filter((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r));
}

export function createOidcAuthenticator(settings: OidcSettings, onRefused: (why: string) => void = () => undefined): Authenticator {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5_000 });
  return {
    async authenticate(bearer) {
      if (!JWT.test(bearer)) return null;
      try {
        const { payload } = await jwtVerify(bearer, keys, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: ALGORITHMS,
          clockTolerance: settings.clockToleranceSeconds,
          requiredClaims: ['exp'],
        });
        const name = payload[settings.principalClaim];
        if (typeof name !== 'string' || name.trim() === '') {
          onRefused(`the token has no ${settings.principalClaim} claim`);
          return null;
        }
        return { name: name.trim().toLowerCase(), roles: rolesOf(payload, settings.rolesClaim), via: 'sso', ...(payload.exp ? { expiresAt: new Date(payload.exp * 1000) } : {}) } satisfies Principal;
      } catch (err) {
        // Expired, wrong audience or issuer, unknown key, bad signature, `alg: none`: not a principal.
        onRefused(err instanceof errors.JOSEError ? err.code : 'unreadable token');
        return null;
      }
    },
  };
}
