// Acme Coffee's web server: the order page on /, `ok` on /healthz (the process runs), the app's
// own checks on /health (it can take orders), the build info on /version.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import process from 'node:process';
import { URL } from 'node:url';
import { health } from './src/health.js';
import { renderPage } from './src/page.js';

// Written into the package by the build; absent when run straight from a checkout.
function readBuildInfo() {
  try {
    return JSON.parse(readFileSync(new URL('./build-info.json', import.meta.url), 'utf8'));
  } catch {
    return { version: 'dev' };
  }
}

const build = readBuildInfo();
const environment = process.env.APP_ENV ?? 'local';
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else if (path === '/health') {
    const h = health();
    res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(h)}\n`);
  } else if (path === '/version') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify({ ...build, environment })}\n`);
  } else if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(renderPage({ build, environment }));
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
});

server.listen(port, host);

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
