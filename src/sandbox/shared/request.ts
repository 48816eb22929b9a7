/**
 * Reading what a client sent: bodies (JSON or form-encoded) and credentials.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const MAX_BODY_BYTES = 1_000_000;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type Fields = Record<string, unknown>;

export type ParsedBody = { ok: true; fields: Fields } | { ok: false; problem: string };

/**
 * The body as a flat object: JSON objects as they are, form fields as strings (a repeated
 * field keeps its last value). An empty body is `{}`.
 */
export async function readFields(req: IncomingMessage): Promise<ParsedBody> {
  const text = await readBody(req);
  if (text.trim() === '') return { ok: true, fields: {} };
  const type = contentType(req);
  if (type === 'application/json') {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { ok: true, fields: value as Fields };
      return { ok: false, problem: 'the JSON body must be an object' };
    } catch {
      return { ok: false, problem: 'the body is not valid JSON' };
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { ok: true, fields: Object.fromEntries(new URLSearchParams(text)) };
  }
  return { ok: false, problem: `unsupported content-type ${type || '(none)'}` };
}

export function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A field as a non-empty string, or undefined. */
export function stringField(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

export function basicAuth(req: IncomingMessage): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The token of `Authorization: <scheme> <token>` for one of the given schemes (case-insensitive). */
export function authorizationToken(req: IncomingMessage, schemes: readonly string[] = ['Bearer']): string | undefined {
  const [scheme, token, ...rest] = (req.headers.authorization ?? '').trim().split(/\s+/);
  if (!scheme || !token || rest.length > 0) return undefined;
  return schemes.some((s) => s.toLowerCase() === scheme.toLowerCase()) ? token : undefined;
}

/** Constant-time comparison, so the stand-ins do not model a timing leak we would not accept for real. */
export function safeEqual(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
