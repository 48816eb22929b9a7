// HMAC-SHA256 signatures and constant-time comparisons. Verification accepts every
// configured secret (current first), so rotating one does not break what is in flight.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function hmacHex(secret: string, data: string | Buffer): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** Compare two secrets without leaking where they differ or how long they are. */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** `X-Hotfix-Signature: sha256=<hex>` over the raw body (CONTRACT.md §5). */
export function verifyBodySignature(body: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = header.slice('sha256='.length).toLowerCase();
  let ok = false;
  // Check every secret (no early exit) so timing does not reveal which one matched.
  for (const secret of secrets) ok = safeEqual(hmacHex(secret, body), given) || ok;
  return ok;
}

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${hmacHex(secret, body)}`;
}
