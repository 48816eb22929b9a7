// Email action tokens: `v1.<claims>.<mac>`, base64url. Stateless: the claims say which
// hotfix, recipient, decision and build the link is for and when it expires; "works once"
// is enforced by the hotfix record, which remembers the link id of every decision.

import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { LinkCheck, LinkClaims, LinkSigner } from '../../ports/link-signer.js';
import { safeEqual } from './hmac.js';

const claimsSchema = z.object({
  h: z.string(),
  r: z.string(),
  d: z.enum(['promote', 'reject']),
  b: z.number().int(),
  n: z.string(),
  x: z.number().int(),
});

function mac(key: string, purpose: string, payload: string): string {
  return createHmac('sha256', key).update(`${purpose}\n${payload}`).digest('base64url');
}

export function createLinkSigner(keys: { current: string; previous: readonly string[] }): LinkSigner {
  const all = [keys.current, ...keys.previous];

  function keyFor(purpose: string, payload: string, signature: string): boolean {
    let ok = false;
    for (const key of all) ok = safeEqual(mac(key, purpose, payload), signature) || ok;
    return ok;
  }

  return {
    sign(claims) {
      const linkId = randomBytes(9).toString('base64url');
      const payload = Buffer.from(
        JSON.stringify({
          h: claims.hotfixId,
          r: claims.recipient,
          d: claims.decision,
          b: claims.build,
          n: linkId,
          x: Math.floor(claims.expiresAt.getTime() / 1000),
        }),
      ).toString('base64url');
      return { token: `v1.${payload}.${mac(keys.current, 'link', payload)}`, linkId };
    },

    verify(token, now): LinkCheck {
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== 'v1' || token.length > 1024) return { ok: false, reason: 'malformed' };
      const [, payload = '', signature = ''] = parts;
      if (!keyFor('link', payload, signature)) return { ok: false, reason: 'bad-signature' };
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      const parsed = claimsSchema.safeParse(decoded);
      if (!parsed.success) return { ok: false, reason: 'malformed' };
      const c = parsed.data;
      const claims: LinkClaims = {
        hotfixId: c.h,
        recipient: c.r,
        decision: c.d,
        build: c.b,
        linkId: c.n,
        expiresAt: new Date(c.x * 1000),
      };
      if (claims.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', claims };
      return { ok: true, claims };
    },

    formProof(token) {
      return mac(keys.current, 'form', token);
    },

    checkFormProof(token, proof) {
      return keyFor('form', token, proof);
    },
  };
}
