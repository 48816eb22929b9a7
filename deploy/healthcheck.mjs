// Container health check for the hotfix image: `node deploy/healthcheck.mjs [api|worker|all]`.
//
//   api, all  GET /healthz on the port the service listens on (server.port, or PORT).
//   worker    the worker has no HTTP server: healthy while Redis answers PING, the same test
//             /readyz makes for the API.
//
// Without an argument the role is read from PID 1's command line (the image's ENTRYPOINT and
// CMD, `--role worker`), so the image's own HEALTHCHECK is right for both roles. The config is
// read the way the service reads it (HOTFIX_CONFIG, ${VAR}s, env overrides). Exit 0 healthy,
// 1 not; one line on stderr says why.

/* global fetch, AbortSignal */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const TIMEOUT_MS = 4000;

function roleFromPid1() {
  try {
    const args = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
    const i = args.indexOf('--role');
    if (i >= 0 && args[i + 1]) return args[i + 1];
    const inline = args.find((a) => a.startsWith('--role='));
    if (inline) return inline.slice('--role='.length);
  } catch {
    // not Linux, or no /proc: fall through to the default role
  }
  return 'all';
}

function unhealthy(why) {
  process.stderr.write(`unhealthy: ${why}\n`);
  process.exit(1);
}

async function checkHttp(port) {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (res.status !== 200) unhealthy(`GET /healthz answered ${res.status}`);
}

async function checkRedis(url) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  const where = `Redis at ${new URL(url).host}`; // no credentials in the message
  try {
    await redis.connect();
    const answer = await redis.ping();
    if (answer !== 'PONG') unhealthy(`${where} answered ${answer}`);
  } catch (err) {
    unhealthy(`${where} does not answer (${err instanceof Error ? err.message : String(err)})`);
  } finally {
    redis.disconnect();
  }
}

const role = process.argv[2] ?? roleFromPid1();
try {
  const { loadConfig } = await import('../dist/config/load.js');
  const config = loadConfig();
  if (role === 'worker') await checkRedis(config.redis.url);
  else await checkHttp(config.server.port);
  process.exit(0);
} catch (err) {
  const problems = err && typeof err === 'object' && Array.isArray(err.problems) ? err.problems.join('; ') : undefined;
  unhealthy(problems ?? (err instanceof Error ? err.message : String(err)));
}
