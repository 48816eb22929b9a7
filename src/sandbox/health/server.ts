/**
 * startHealthSim: production as its health checks see it — `/health` and `/version` — turned
 * unhealthy (or unreachable) on cue by a test.
 */
import { FaultInjector, type FaultSpec } from '../shared/faults.js';
import { sendJson, startHttpServer, type RequestRecord } from '../shared/http.js';
import { RecordLog } from '../shared/record-log.js';

export interface HealthSim {
  readonly url: string;
  readonly requests: readonly RequestRecord[];
  /**
   * What `/health` answers from now on: one status, or statuses answered in turn, one per
   * request, round and round (a flapping service whose pattern a test fixes by request, not time).
   */
  setHealth(status: number | readonly number[]): void;
  setVersion(version: string): void;
  failNext(fault: FaultSpec): void;
  close(): Promise<void>;
}

export async function startHealthSim(opts: { port?: number; version?: string } = {}): Promise<HealthSim> {
  let health: readonly number[] = [200];
  let answered = 0;
  const nextHealth = (): number => health[answered++ % health.length] ?? 200;
  let version = opts.version ?? '1.0.0';
  const requests = new RecordLog<RequestRecord>();
  const faults = new FaultInjector();
  const http = await startHttpServer({
    port: opts.port,
    faults,
    requests,
    handler: (_req, res, url) => {
      if (url.pathname === '/health') {
        const status = nextHealth();
        return sendJson(res, status, { status: status < 400 ? 'ok' : 'failing' });
      }
      if (url.pathname === '/version') return sendJson(res, 200, { version });
      sendJson(res, 404, { error: 'not found' });
    },
  });
  return {
    url: http.url,
    get requests() {
      return requests.items;
    },
    setHealth: (status) => {
      health = typeof status === 'number' ? [status] : [...status];
      answered = 0;
    },
    setVersion: (v) => void (version = v),
    failNext: (fault) => faults.add(fault),
    close: () => http.close(),
  };
}
