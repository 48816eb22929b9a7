// Bearer tokens for /api/v1, compared in constant time against every configured token.

import type { RequestHandler } from 'express';
import { safeEqual } from '../adapters/signing/hmac.js';
import { sendError } from './errors.js';

export function requireBearer(tokens: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    let ok = false;
    if (match?.[1]) for (const token of tokens) ok = safeEqual(match[1], token) || ok;
    if (!ok) {
      res.set('WWW-Authenticate', 'Bearer realm="hotfix"');
      return sendError(res, 401, 'unauthorized', match ? 'the bearer token is not valid' : 'an Authorization: Bearer <token> header is required');
    }
    next();
  };
}
