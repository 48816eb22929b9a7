/**
 * "Production": one fixed address that never changes, in front of whichever app instance
 * the last deploy started. A deploy starts the new version beside the old one, waits until
 * it answers, then swaps this proxy over and stops the old one (a blue/green swap), so the
 * production URL a person keeps open just shows the new version on the next reload.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppInstance } from './instances.js';

export interface ProductionDeploy {
  instance: AppInstance;
  /** Jenkins deploy build number (prod-N names it). */
  deploy: number;
  commit: string;
  at: Date;
}

export interface ProductionProxy {
  readonly url: string;
  readonly port: number;
  readonly current: ProductionDeploy | undefined;
  /** Points production at `next` and stops what ran before. */
  swap(next: ProductionDeploy): Promise<void>;
  close(): Promise<void>;
}

export async function startProductionProxy(port = 0): Promise<ProductionProxy> {
  let current: ProductionDeploy | undefined;
  const server = createServer((req, res) => forward(req, res, current?.instance));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    get current() {
      return current;
    },
    async swap(next) {
      const previous = current;
      current = next;
      if (previous && previous.instance !== next.instance) await previous.instance.stop();
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

function forward(req: IncomingMessage, res: ServerResponse, target: AppInstance | undefined): void {
  if (!target) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('Production has nothing deployed yet.\n');
    return;
  }
  const upstream = request(
    { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end(`Production instance did not answer: ${err.message}\n`);
  });
  req.pipe(upstream);
}
