// Static API tokens, each bound to a principal and roles. Only hashes are kept in memory; the
// presented token is hashed and compared with every configured hash in constant time (no early
// exit). Several tokens may name one principal: rotate by adding the new one, moving clients,
// then removing the old one.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Authenticator, Principal, Role } from '../../ports/identity.js';

export interface TokenEntry {
  principal: string;
  roles: readonly Role[];
  /** The token itself (from the environment) … */
  token?: string | undefined;
  /** … or its sha256, hex, as stored in the config. */
  tokenSha256?: string | undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function createTokenAuthenticator(entries: readonly TokenEntry[]): Authenticator {
  const known = entries.map((e) => ({
    hash: e.tokenSha256 ? Buffer.from(e.tokenSha256, 'hex') : sha256(e.token ?? ''),
    principal: { name: e.principal, roles: e.roles, via: 'token' } satisfies Principal,
  }));
  return {
    async authenticate(bearer) {
      const presented = sha256(bearer);
      let found: Principal | null = null;
      for (const k of known) {
        if (timingSafeEqual(presented, k.hash) && found === null) found = k.principal;
      }
      return found;
    },
    stillValid(credentialSha256, principal) {
      const presented = Buffer.from(credentialSha256, 'hex');
      if (presented.length !== 32) return false;
      let ok = false;
      for (const k of known) ok = (timingSafeEqual(presented, k.hash) && k.principal.name === principal) || ok;
      return ok;
    },
  };
}
