// Jenkins failures in the service's words. Restarts (5xx, refused, timeouts) are common and
// transient; 401/403/404 mean the config or the job is wrong and a person must act.

import { ExternalServiceError } from '../../domain/errors.js';

interface ClientError {
  statusCode?: number;
  notFound?: boolean;
  code?: string;
  isTimeout?: boolean;
  message?: string;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'UND_ERR_SOCKET']);

export function statusOf(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as ClientError;
  // The client turns a 404 into a plain Error flagged `notFound`, without a status code.
  if (e.notFound === true) return 404;
  return typeof e.statusCode === 'number' ? e.statusCode : undefined;
}

export function jenkinsError(what: string, err: unknown): ExternalServiceError {
  const e = (err ?? {}) as ClientError;
  const status = statusOf(err);
  // The client's messages carry no URLs or credentials, but keep ours short and fixed anyway.
  if (status !== undefined) {
    const hint =
      status === 401
        ? ' (check jenkins.user and jenkins.apiToken)'
        : status === 403
          ? ' (the Jenkins user lacks permission, or a CSRF crumb was refused)'
          : status === 404
            ? ' (no such job or build: check the job names in the config)'
            : '';
    return new ExternalServiceError('jenkins', `${what}: HTTP ${status}${hint}`, status >= 500 || status === 429, { cause: err });
  }
  if (e.isTimeout) return new ExternalServiceError('jenkins', `${what}: timed out`, true, { cause: err });
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && TRANSIENT_CODES.has(code)) {
    return new ExternalServiceError('jenkins', `${what}: ${code}`, true, { cause: err });
  }
  // Socket hang-ups and other network-level failures surface without a code.
  return new ExternalServiceError('jenkins', `${what}: ${code ?? 'network error'}`, true, { cause: err });
}
