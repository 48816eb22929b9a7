// Email action links (CONTRACT.md §6): a token names one hotfix, one recipient, one decision,
// one build, and expires.

import type { Decision } from '../domain/hotfix.js';

export interface LinkClaims {
  hotfixId: string;
  recipient: string;
  decision: Decision;
  build: number;
  /** Unique per link, so each link works once. */
  linkId: string;
  expiresAt: Date;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' }
  | { ok: false; reason: 'expired'; claims: LinkClaims };

export interface LinkSigner {
  sign(claims: Omit<LinkClaims, 'linkId'>): { token: string; linkId: string };
  verify(token: string, now: Date): LinkCheck;
  /** A value the GET page puts in its form, proving the POST came from that page. */
  formProof(token: string): string;
  checkFormProof(token: string, proof: string): boolean;
}
