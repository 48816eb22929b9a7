// One log line per API request (pino-http): method, path, status and time, with the request
// id for correlation. Paths go through the same redaction as every log line (an email link's
// token never reaches the log); headers are not logged at all. Health checks are not logged.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { redactText } from '../log.js';

const QUIET = new Set(['/healthz', '/readyz', '/metrics', '/favicon.ico']);

export function requestLog(logger: Logger): RequestHandler {
  const middleware = pinoHttp({
    logger,
    autoLogging: { ignore: (req: IncomingMessage) => QUIET.has((req.url ?? '').split('?')[0] ?? '') },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: () => 'request done',
    customErrorMessage: () => 'request failed',
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: redactText(req.url ?? '') }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  });
  return (req, res, next) => middleware(req, res, next);
}
