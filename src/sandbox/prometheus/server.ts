/**
 * startPrometheusSim: the part of Prometheus' HTTP API a health check uses — the instant query
 * `GET /api/v1/query?query=…&time=…` — with its real answers: a `vector` (one sample per series,
 * `[<unix>, "<number as string>"]`; empty means "no data", not zero), a `scalar`, and errors
 * as `{"status":"error","errorType","error"}` with HTTP 400/422/503. A test sets what each
 * query answers.
 */
import { FaultInjector, type FaultSpec } from '../shared/faults.js';
import { sendJson, startHttpServer, type RequestRecord } from '../shared/http.js';
import { RecordLog } from '../shared/record-log.js';

export type PrometheusAnswer =
  | { kind: 'vector'; values: number[] }
  | { kind: 'scalar'; value: number }
  | { kind: 'error'; status: 400 | 422 | 503; errorType: string; error: string };

export interface PrometheusSim {
  readonly url: string;
  readonly requests: readonly RequestRecord[];
  /** What `query` answers from now on (unknown queries answer bad_data, as a parse error would). */
  answer(query: string, answer: PrometheusAnswer): void;
  failNext(fault: FaultSpec): void;
  close(): Promise<void>;
}

export async function startPrometheusSim(opts: { port?: number } = {}): Promise<PrometheusSim> {
  const answers = new Map<string, PrometheusAnswer>();
  const requests = new RecordLog<RequestRecord>();
  const faults = new FaultInjector();
  const http = await startHttpServer({
    port: opts.port,
    faults,
    requests,
    faultBody: (status) => ({ status: 'error', errorType: status === 503 ? 'unavailable' : 'internal', error: 'injected fault' }),
    handler: (req, res, url) => {
      if (url.pathname !== '/api/v1/query' || (req.method !== 'GET' && req.method !== 'POST')) return sendJson(res, 404, { status: 'error', errorType: 'not_found', error: 'not found' });
      const query = url.searchParams.get('query') ?? '';
      const time = Number(url.searchParams.get('time') ?? Date.now() / 1000);
      const a = answers.get(query);
      if (!a) return sendJson(res, 400, { status: 'error', errorType: 'bad_data', error: `invalid parameter "query": unknown query ${JSON.stringify(query)}` });
      if (a.kind === 'error') return sendJson(res, a.status, { status: 'error', errorType: a.errorType, error: a.error });
      if (a.kind === 'scalar') return sendJson(res, 200, { status: 'success', data: { resultType: 'scalar', result: [time, String(a.value)] } });
      sendJson(res, 200, { status: 'success', data: { resultType: 'vector', result: a.values.map((v, i) => ({ metric: { instance: `app-${i}` }, value: [time, String(v)] })) } });
    },
  });
  return {
    url: http.url,
    get requests() {
      return requests.items;
    },
    answer: (query, answer) => void answers.set(query, answer),
    failNext: (fault) => faults.add(fault),
    close: () => http.close(),
  };
}
