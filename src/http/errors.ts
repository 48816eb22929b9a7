// Errors leave the service as `{"error": {"code", "message"}}` (CONTRACT.md §4). Messages of
// our own errors are written for the caller; anything unexpected is logged and answered
// with a fixed message, so internals (and secrets in them) never reach a response.

import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { isRedisUnavailable } from '../adapters/redis/unavailable.js';
import { DecisionRefused } from '../domain/approvals.js';
import {
  ActorMismatchError,
  ConflictError,
  ExternalServiceError,
  ForbiddenError,
  FrozenError,
  InvalidStateError,
  NotFoundError,
  ValidationError,
} from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';

export interface ErrorBody {
  error: { code: string; message: string; files?: readonly string[]; freeze?: { name: string; until: string } };
}

export function sendError(res: Response, status: number, code: string, message: string, extra: Partial<ErrorBody['error']> = {}): void {
  res.status(status).json({ error: { code, message, ...extra } } satisfies ErrorBody);
}

export function zodMessage(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || 'body';
      const missing = i.code === 'invalid_type' && /received undefined/.test(i.message);
      if (i.code === 'unrecognized_keys') return `${path === 'body' ? '' : `${path}: `}unknown field(s) ${i.keys.join(', ')}`;
      return `${path}: ${missing ? 'required' : i.message}`;
    })
    .join('; ');
}

interface BodyParserError {
  type?: string;
  status?: number;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    const parser = err as BodyParserError;
    if (parser.type === 'entity.parse.failed') return sendError(res, 400, 'invalid_json', 'the request body is not valid JSON');
    if (parser.type === 'entity.too.large') return sendError(res, 413, 'too_large', 'the request body is too large');
    if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') return sendError(res, 415, 'unsupported', 'unsupported body encoding');
    if (err instanceof z.ZodError) return sendError(res, 400, 'invalid_request', zodMessage(err));
    if (err instanceof ValidationError) return sendError(res, 400, 'invalid_request', err.message);
    if (err instanceof NotFoundError) return sendError(res, 404, 'not_found', err.message);
    if (err instanceof ForbiddenError) return sendError(res, 403, err instanceof ActorMismatchError ? 'actor_mismatch' : 'forbidden', err.message);
    if (err instanceof FrozenError) return sendError(res, 409, 'frozen', err.message, { freeze: { name: err.freeze, until: err.until.toISOString() } });
    if (err instanceof ConflictError) return sendError(res, 409, 'conflict', err.message, { files: err.files });
    if (err instanceof DecisionRefused) return sendError(res, 409, err.reason === 'used' ? 'already_decided' : err.reason, err.message);
    if (err instanceof InvalidStateError) return sendError(res, 409, 'invalid_state', err.message);
    if (err instanceof ExternalServiceError && err.service === 'redis') {
      log.warn({ err: err.message }, 'request not confirmed on a replica');
      return sendError(res, 503, 'not_replicated', 'the change could not be confirmed on a Redis replica in time, so it may not have been made; retry (repeating it is safe)');
    }
    if (err instanceof ExternalServiceError) {
      log.warn({ err: err.message }, 'request failed on an outside system');
      return sendError(res, err.transient ? 503 : 502, 'upstream_unavailable', `${err.service} is not answering as expected; try again`);
    }
    if (isRedisUnavailable(err)) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'request failed: Redis unavailable');
      return sendError(res, 503, 'unavailable', 'the service cannot reach its store (Redis) right now; retry shortly');
    }
    log.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, 'unexpected error in a request');
    sendError(res, 500, 'internal', 'unexpected error; it has been logged');
  };
}
