// Slack's request signing (v0): `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<ts>:<raw body>">`
// with the app's signing secret, and `X-Slack-Request-Timestamp` no more than five minutes off,
// so a captured request cannot be replayed later. Checked over the raw bytes, before parsing.

import { hmacHex, safeEqual } from '../adapters/signing/hmac.js';

const MAX_AGE_SECONDS = 5 * 60;

export type SlackSignatureCheck = { ok: true } | { ok: false; why: string };

export function verifySlackSignature(
  secrets: readonly string[],
  raw: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  now: Date,
): SlackSignatureCheck {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, why: 'X-Slack-Request-Timestamp is missing or not a number' };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_AGE_SECONDS) return { ok: false, why: 'X-Slack-Request-Timestamp is more than 5 minutes from the service clock' };
  if (!signature?.startsWith('v0=')) return { ok: false, why: 'X-Slack-Signature is missing or not v0' };
  const base = Buffer.concat([Buffer.from(`v0:${timestamp}:`), raw]);
  const given = signature.slice(3).toLowerCase();
  let ok = false;
  // Every secret is tried (no early exit): timing does not tell which one matched.
  for (const secret of secrets) ok = safeEqual(hmacHex(secret, base), given) || ok;
  return ok ? { ok: true } : { ok: false, why: 'X-Slack-Signature does not match the body' };
}

/** What Slack sends: for the sandbox and tests, which must sign exactly as Slack does. */
export function slackSignatureHeaders(secret: string, raw: string, timestampSeconds: number): Record<string, string> {
  const ts = String(timestampSeconds);
  return { 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': `v0=${hmacHex(secret, `v0:${ts}:${raw}`)}` };
}
