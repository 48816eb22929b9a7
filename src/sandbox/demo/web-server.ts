/**
 * The demo's own HTTP server (the inbox page and the artifact downloads). It listens before
 * the rest starts, because the artifact URLs and the printed link need its address; until
 * the routes are attached it answers 503.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface WebServer {
  readonly url: string;
  readonly port: number;
  use(handler: Handler): void;
  close(): Promise<void>;
}

/** Listens on `port`, or on any free port when that one is taken and `fallback` allows it. */
export async function startWebServer(port: number, fallback: boolean): Promise<WebServer> {
  let handler: Handler | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!handler) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' }).end('The demo is starting; reload in a moment.\n');
      return;
    }
    handler(req, res, url).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`demo error: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  const listen = (p: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
  try {
    await listen(port);
  } catch (err) {
    if (!fallback || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await listen(0);
  }
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    use(h) {
      handler = h;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
