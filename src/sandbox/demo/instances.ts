/**
 * Running copies of the sample app, one child process each: what a QA environment or the
 * production server is on this machine. Every process the demo starts for the app is
 * tracked here, so stopping the demo stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../redis.js';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('./exit-with-parent.mjs', import.meta.url))).href;

export interface AppInstance {
  /** `qa-hf-2026-05-001`, `production` … */
  readonly name: string;
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** The artifact version it runs. */
  readonly version: string;
  readonly dir: string;
  readonly startedAt: Date;
  stop(): Promise<void>;
}

export interface StartInstance {
  name: string;
  /** An unpacked artifact: holds `server.js` and `build-info.json`. */
  dir: string;
  version: string;
  /** `APP_ENV` of the app: it shows it on the page. */
  environment: 'qa' | 'production';
  signal?: AbortSignal;
}

const READY_TIMEOUT_MS = 15_000;

export class AppInstances {
  readonly #running = new Set<AppInstance>();

  get running(): readonly AppInstance[] {
    return [...this.#running];
  }

  #closed = false;

  async start(spec: StartInstance): Promise<AppInstance> {
    const port = await freePort();
    // A job still running while the demo stops must not leave a new process behind.
    if (this.#closed) throw new Error(`not starting ${spec.name}: the demo is stopping`);
    // Only what the app needs: the demo's own environment (tsx loaders, secrets) stays out.
    const env = { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', APP_ENV: spec.environment };
    // Its own process group: Ctrl-C reaches the demo only, which stops instances in order (the
    // stdin pipe still ends them should the demo die without doing so).
    const child = spawn(process.execPath, ['--import', PRELOAD, 'server.js'], { cwd: spec.dir, env, stdio: ['pipe', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    // Without a listener a failed spawn would crash the demo; the readiness check reports it instead.
    child.on('error', (err) => {
      stderr += `\n${err.message}`;
    });
    const url = `http://127.0.0.1:${port}`;
    const instance: AppInstance = {
      name: spec.name,
      url,
      port,
      pid: child.pid,
      version: spec.version,
      dir: spec.dir,
      startedAt: new Date(),
      stop: once(async () => {
        await terminate(child);
        this.#running.delete(instance);
      }),
    };
    this.#running.add(instance);
    try {
      await waitUntilReady(url, child, spec.signal);
    } catch (err) {
      await instance.stop();
      throw new Error(`${spec.name} did not start: ${err instanceof Error ? err.message : String(err)}${stderr ? `\n${stderr.trim()}` : ''}`, { cause: err });
    }
    return instance;
  }

  /** Stops every instance, and refuses to start more. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.running.map((i) => i.stop()));
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

function hasExited(child: ChildProcess): boolean {
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilReady(url: string, child: ChildProcess, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (hasExited(child)) throw new Error(`it exited (code ${child.exitCode ?? child.signalCode})`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no answer on ${url}/healthz within ${READY_TIMEOUT_MS / 1000} s`);
}

/** SIGTERM, then SIGKILL if it is still there after 3 s; resolves once it has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
