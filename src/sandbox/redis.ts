/**
 * A private, throw-away redis-server on a free port, configured the way the service requires
 * (no persistence, `maxmemory-policy noeviction`). The tests' global setup and the demo both
 * start theirs here, so there is one way to do it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The redis-server process id, so a caller can check it is gone after `stop()`. */
  readonly pid: number | undefined;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Prefix of the temp directory redis-server runs in; default `hotfix-redis-`. */
  dirPrefix?: string;
  /** How long to wait for the first PONG; default 10 s. */
  startTimeoutMs?: number;
  /**
   * Run it in its own process group, so a Ctrl-C in the terminal reaches only its parent,
   * which then stops it after everything that uses it. Default false (it gets the signal too).
   */
  detached?: boolean;
}

/** A port nobody listens on right now (the OS picks it; released before returning). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when a `redis-server` binary is on PATH. */
export function hasRedisServer(): boolean {
  return !spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).error;
}

/** One PING over a raw socket: needs no redis-cli, only the server itself. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`private redis-server on port ${port} exited with code ${child.exitCode}`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`private redis-server on port ${port} did not answer PING within ${Math.round(timeoutMs / 1000)} s`);
}

function exited(child: ChildProcess): Promise<void> {
  // No pid: it never started (the 'error' event said why), so no 'exit' will come.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), opts.dirPrefix ?? 'hotfix-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', dir, '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore', detached: opts.detached ?? false },
  );
  // A missing binary surfaces here as an 'error' event; without a listener it would crash the process.
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    await Promise.race([waitForPing(port, child, opts.startTimeoutMs ?? 10_000), spawnError]);
  } catch (err) {
    // Never leave a half-started server behind.
    await stop();
    throw err;
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, stop };
}
