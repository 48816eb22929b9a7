// Structured logs (pino) with secrets kept out: credential-bearing fields are redacted by
// path, URLs lose their user:password, and action-link tokens are cut from request paths.

import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hotfix-signature"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.apiToken',
  '*.password',
  '*.pass',
  '*.secret',
  '*.linkSigningKey',
  '*.callbackSecret',
  '*.apiTokens',
];

export function redactText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@')
    .replace(/\/actions\/[A-Za-z0-9._-]+/g, '/actions/***')
    .replace(/\bxox[abprs]-[A-Za-z0-9-]+/g, 'xox?-***');
}

function errorSerializer(err: unknown): unknown {
  if (err instanceof Error) return { type: err.name, message: redactText(err.message), ...(err.stack ? { stack: redactText(err.stack) } : {}) };
  return typeof err === 'string' ? redactText(err) : err;
}

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): PinoLogger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: 'hotfix-orchestrator' },
    redact: { paths: REDACT, censor: '***' },
    serializers: { err: errorSerializer },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      // Messages are fixed strings by habit; this catches the odd interpolated one.
      logMethod(args, method) {
        const redacted = args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>;
        method.apply(this, redacted);
      },
    },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}
