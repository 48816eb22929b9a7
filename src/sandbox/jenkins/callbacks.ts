/**
 * The pipeline's side of the callback contract (CONTRACT.md section 5): POST JSON to
 * CALLBACK_URL with `X-Hotfix-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 */
import { createHmac } from 'node:crypto';
import type { RecordLog } from '../shared/record-log.js';
import type { CallbackOptions, CallbackRecord, CallbackSigning } from './types.js';

export const SIGNATURE_HEADER = 'x-hotfix-signature';

export function signBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export interface SendCallbackInput {
  url: string;
  rawBody: string;
  secret: string;
  signing: CallbackSigning;
  timeoutMs: number;
  /** Aborts the POST when the simulator closes. */
  signal: AbortSignal;
}

/** Sends one callback; resolves with the receiver's HTTP status, rejects when nothing answered. */
export async function sendCallback(input: SendCallbackInput): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (input.signing !== 'none') {
    // A forged callback: well-formed, but signed by someone who does not know the secret.
    const secret = input.signing === 'valid' ? input.secret : `not-${input.secret}`;
    headers[SIGNATURE_HEADER] = signBody(secret, input.rawBody);
  }
  const res = await fetch(input.url, {
    method: 'POST',
    headers,
    body: input.rawBody,
    signal: AbortSignal.any([input.signal, AbortSignal.timeout(input.timeoutMs)]),
  });
  // Drain the answer so the connection can be reused or closed cleanly.
  await res.arrayBuffer();
  return res.status;
}

/** What a build's `callback()` needs from the simulator. */
export interface CallbackContext {
  secret: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** The simulator's current default signing. */
  signing: () => CallbackSigning;
  log: RecordLog<CallbackRecord>;
}

interface CallingBuild {
  job: { name: string };
  number: number;
  params: Record<string, string>;
}

/** The `callback()` of a SimBuild: sign, send and record one callback. */
export async function postBuildCallback(ctx: CallbackContext, build: CallingBuild, body: object, opts: CallbackOptions = {}): Promise<number> {
  const url = build.params.CALLBACK_URL;
  if (!url) throw new Error(`${build.job.name} #${build.number} has no CALLBACK_URL parameter`);
  const rawBody = JSON.stringify(body);
  const signing = opts.signing ?? ctx.signing();
  const status = 'status' in body && typeof body.status === 'string' ? body.status : undefined;
  const record = { job: build.job.name, number: build.number, status, signing, body: rawBody };
  try {
    const httpStatus = await sendCallback({ url, rawBody, signing, secret: ctx.secret, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    ctx.log.push({ ...record, httpStatus, at: performance.now() });
    return httpStatus;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    ctx.log.push({ ...record, error, at: performance.now() });
    throw new Error(`callback to ${url} failed: ${error}`, { cause: err });
  }
}
