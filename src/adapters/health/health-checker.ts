// Health checks over HTTP. An HTTP check passes on the expected status (and body text, if
// given); one that cannot connect or times out counts as unhealthy — production not answering
// is the failure it exists to see. A Prometheus check runs an instant query
// (`/api/v1/query`) and compares the single value with its threshold; a query Prometheus
// refuses, an empty result ("no data") or Prometheus being down is inconclusive, never healthy.

import { z } from 'zod';
import type { CheckAnswer } from '../../domain/verification.js';
import type { HealthCheck, HealthChecker } from '../../ports/health-checker.js';

const sample = z.tuple([z.number(), z.string()]);
const promAnswer = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ value: sample })) }),
      z.object({ resultType: z.literal('scalar'), result: sample }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

function reason(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof Error && cause.name === 'TimeoutError') return 'timed out';
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : cause instanceof Error ? cause.message : 'request failed';
}

async function httpCheck(c: Extract<HealthCheck, { kind: 'http' }>): Promise<CheckAnswer> {
  const name = `GET ${c.url}`;
  try {
    const res = await fetch(c.url, { signal: AbortSignal.timeout(c.timeoutMs), redirect: 'manual' });
    const body = c.bodyContains !== null ? await res.text() : (await res.body?.cancel(), '');
    if (res.status !== c.status) return { check: name, outcome: 'unhealthy', detail: `HTTP ${res.status} (expected ${c.status})` };
    if (c.bodyContains !== null && !body.includes(c.bodyContains)) return { check: name, outcome: 'unhealthy', detail: `HTTP ${res.status} without "${c.bodyContains}"` };
    return { check: name, outcome: 'healthy', detail: `HTTP ${res.status}` };
  } catch (err) {
    return { check: name, outcome: 'unhealthy', detail: reason(err) };
  }
}

async function prometheusCheck(c: Extract<HealthCheck, { kind: 'prometheus' }>, at: Date): Promise<CheckAnswer> {
  const name = `prometheus: ${c.query}`;
  const url = new URL('api/v1/query', c.url.endsWith('/') ? c.url : `${c.url}/`);
  url.searchParams.set('query', c.query);
  url.searchParams.set('time', String(at.getTime() / 1000));
  let json: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(c.timeoutMs) });
    json = await res.json();
  } catch (err) {
    return { check: name, outcome: 'inconclusive', detail: `Prometheus did not answer: ${reason(err)}` };
  }
  const parsed = promAnswer.safeParse(json);
  if (!parsed.success) return { check: name, outcome: 'inconclusive', detail: 'Prometheus answered something else than its query API' };
  if (parsed.data.status === 'error') return { check: name, outcome: 'inconclusive', detail: `query refused: ${parsed.data.errorType ?? 'error'}: ${parsed.data.error ?? ''}`.trim() };
  const data = parsed.data.data;
  const raw = data.resultType === 'scalar' ? data.result[1] : data.resultType === 'vector' ? (data.result.length === 1 ? data.result[0]?.value[1] : undefined) : undefined;
  if (data.resultType === 'vector' && data.result.length === 0) return { check: name, outcome: 'inconclusive', detail: 'no data' };
  const value = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) return { check: name, outcome: 'inconclusive', detail: `not one number (${data.resultType}${data.resultType === 'vector' ? ` of ${data.result.length}` : ''})` };
  if (c.max !== null && value > c.max) return { check: name, outcome: 'unhealthy', detail: `${value} > ${c.max}` };
  if (c.min !== null && value < c.min) return { check: name, outcome: 'unhealthy', detail: `${value} < ${c.min}` };
  return { check: name, outcome: 'healthy', detail: String(value) };
}

export function createHealthChecker(): HealthChecker {
  return {
    check: (c, at) => (c.kind === 'http' ? httpCheck(c) : prometheusCheck(c, at)),
  };
}
