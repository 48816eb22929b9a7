// A small fetch wrapper for the pull-request hosts: JSON in and out, a time limit, and HTTP
// failures classified (5xx and network transient; 4xx needs a person).

import { ExternalServiceError } from '../../domain/errors.js';

export interface JsonResponse {
  status: number;
  body: unknown;
}

export async function requestJson(
  service: string,
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<JsonResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (err) {
    throw new ExternalServiceError(service, `${init.method} failed: ${err instanceof Error ? err.name : 'network error'}`, true, { cause: err });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (res.status >= 500 || res.status === 429) {
    throw new ExternalServiceError(service, `${init.method} answered HTTP ${res.status}`, true);
  }
  return { status: res.status, body };
}

export function refused(service: string, what: string, status: number): ExternalServiceError {
  const hint = status === 401 || status === 403 ? ' (check pullRequests.token and its permissions)' : status === 404 ? ' (check pullRequests.repository)' : '';
  return new ExternalServiceError(service, `${what}: HTTP ${status}${hint}`, false);
}
