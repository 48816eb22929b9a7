/**
 * The plumbing every HTTP stand-in shares: listen on 127.0.0.1, record each request, apply
 * injected faults before the real handler runs, and close without leaking sockets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultInjector, FaultMode, FaultSpec } from './faults.js';
import type { RecordLog } from './record-log.js';

export interface RequestRecord {
  method: string;
  /** Path without the query string, still percent-encoded as sent. */
  path: string;
  /** The raw query string including `?`, or `''`. */
  query: string;
  /** `performance.now()` when the request arrived. */
  at: number;
  /** Set when an injected fault answered this request instead of the simulator. */
  fault?: FaultMode;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export interface HttpServerOptions {
  port?: number;
  handler: RouteHandler;
  faults: FaultInjector;
  requests: RecordLog<RequestRecord>;
  /** The body a status fault answers with, in the shape the real system uses for errors. */
  faultBody?: (status: number) => unknown;
}

export interface RunningHttpServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer((req, res) => {
    void serve(req, res, opts);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => {
      // Idempotent, and it also ends keep-alive and deliberately hung connections.
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, opts: HttpServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  const fault = opts.faults.take(method, url.pathname);
  opts.requests.push({
    method,
    path: url.pathname,
    query: url.search,
    at: performance.now(),
    ...(fault ? { fault: fault.mode } : {}),
  });
  if (fault && fault.mode !== 'late') {
    applyFault(req, res, { ...fault, mode: fault.mode }, opts.faultBody);
    return;
  }
  // 'late': the request takes effect now and its answer leaves later, as from a server that
  // queued the work and then stalled (a client may act again before it hears back).
  if (fault) holdAnswer(res, fault.lateMs ?? 1000);
  try {
    await opts.handler(req, res, url);
  } catch (err) {
    // A bug in a simulator must surface as a loud 500, never as a hung test.
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { message: `simulator error: ${err instanceof Error ? err.message : String(err)}` });
  }
}

function holdAnswer(res: ServerResponse, ms: number): void {
  // Headers and body leave with end(): deferring it defers the whole answer.
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    setTimeout(() => {
      if (!res.destroyed) end(...args);
    }, ms).unref();
    return res;
  }) as ServerResponse['end'];
}

function applyFault(req: IncomingMessage, res: ServerResponse, fault: FaultSpec<Exclude<FaultMode, 'late'>>, faultBody?: (status: number) => unknown): void {
  if (fault.mode === 'refuse') {
    req.socket.destroy();
    return;
  }
  // 'hang': leave the request unanswered; close() destroys the socket.
  if (fault.mode === 'hang') return;
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  sendJson(res, fault.mode, faultBody?.(fault.mode) ?? { message: `injected fault ${fault.mode}` }, headers);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': '0', ...headers });
  res.end();
}
