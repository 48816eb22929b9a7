// The service as real processes (one API, N workers) on a real Redis, with N services each
// having its own git origin, and the local Jenkins/Slack/GitHub/SMTP servers in the test
// process. Processes can be started with chaos points (HOTFIX_CHAOS), killed, and are
// restarted like a supervisor would after a crash.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { WORKER_NODE_FLAGS } from '../../src/node-flags.js';
import {
  contractPipeline,
  startGitHubSim,
  startJenkinsSim,
  startSlackSim,
  startSmtpCatcher,
  type GitHubSim,
  type JenkinsSim,
  type SlackSim,
  type SmtpCatcher,
} from '../../src/sandbox/index.js';
import { createOrigin, type Origin } from '../helpers/git-fixture.js';
import { freePort, SECRETS } from '../helpers/harness.js';
import { waitForHotfix } from '../helpers/wait-for-hotfix.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface ServiceUnderTest {
  name: string;
  origin: Origin;
  jobs: { build: string; qaUp: string; qaDown: string; deploy: string };
}

export interface ProcessHandle {
  role: 'api' | 'worker';
  child: ChildProcess;
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface Cluster {
  url: string;
  /** The Redis key prefix the processes use. */
  prefix: string;
  services: ServiceUnderTest[];
  jenkins: JenkinsSim;
  slack: SlackSim;
  github: GitHubSim;
  smtp: SmtpCatcher;
  api: ProcessHandle;
  workers: ProcessHandle[];
  /** Every line any process logged (to look for secrets). */
  logs(): string;
  /** Crashes seen (SIGKILL exits), by role. */
  crashes: { api: number; worker: number };
  /**
   * Stop and start a process, optionally with chaos points. With `times` > 1 the supervisor
   * starts it again with the same points after each of its first times-1 crashes: a step that
   * crashes at the same point on its restart too. A list arms each start with the next entry:
   * a crash at the first point, then (restarted) at the second, and so on.
   */
  restart(handle: ProcessHandle, chaos?: string | readonly string[], times?: number): Promise<ProcessHandle>;
  call(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  get(id: string): Promise<HotfixView>;
  waitFor(id: string, predicate: (h: HotfixView) => boolean, what: string, timeoutMs?: number): Promise<HotfixView>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  services?: number;
  workers?: number;
  apiChaos?: string;
  workerChaos?: string;
  graceMs?: number;
  /** Adjust the Jenkins jobs after the defaults are defined. */
  jenkins?: (sim: JenkinsSim, services: ServiceUnderTest[]) => void;
  /** Added to the queue settings (short leases for the tests by default). */
  queue?: Record<string, unknown>;
  /** Change each service's config before the file is written. */
  service?: (config: Record<string, unknown>) => void;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hotfix-cluster-'));
  const count = opts.services ?? 1;
  const services: ServiceUnderTest[] = Array.from({ length: count }, (_, i) => {
    const name = i === 0 ? 'payments' : `svc${i}`;
    return { name, origin: createOrigin(), jobs: { build: `${name}/build`, qaUp: `${name}/qa-up`, qaDown: `${name}/qa-down`, deploy: `${name}/deploy` } };
  });
  const jenkins = await startJenkinsSim({ user: 'hotfix-bot', apiToken: SECRETS.jenkinsToken, callbackSecret: SECRETS.callbackSecret });
  for (const s of services) {
    for (const job of [s.jobs.build, s.jobs.qaUp, s.jobs.qaDown]) jenkins.defineJob(job, contractPipeline({ durationMs: 5 }));
    jenkins.defineJob(s.jobs.deploy, contractPipeline({ durationMs: 30 }), { nextBuildNumber: 11 });
  }
  opts.jenkins?.(jenkins, services);
  const slack = await startSlackSim({ tokens: [{ token: SECRETS.slackToken, scopes: ['chat:write', 'channels:history'] }], channels: services.map((s) => `#${s.name}-dev`) });
  const github = await startGitHubSim({ token: SECRETS.githubToken });
  const smtp = await startSmtpCatcher({});
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = `c${randomBytes(5).toString('hex')}`;
  const config = {
    server: { port, publicUrl: url, rateLimits: { api: 0, actions: 0 } },
    redis: { url: process.env.REDIS_URL, prefix },
    secrets: { linkSigningKey: SECRETS.linkSigningKey, callbackSecret: SECRETS.callbackSecret, apiTokens: [SECRETS.apiToken] },
    jenkins: { url: jenkins.url, user: 'hotfix-bot', apiToken: SECRETS.jenkinsToken, pollIntervalSeconds: 1, requestTimeoutSeconds: 5 },
    smtp: { url: smtp.url, from: 'Hotfix Bot <hotfix@example.com>' },
    slack: { token: SECRETS.slackToken, apiUrl: slack.url },
    git: { dataDir: join(dir, 'data'), author: { name: 'Hotfix Bot', email: 'hotfix-bot@example.com' }, backmergeCheckSeconds: 1, branchRecoverySeconds: 2 },
    queue: { lockSeconds: 3, stalledCheckSeconds: 1, reconcileSeconds: 1, ...opts.queue },
    services: services.map((s) => ({
      name: s.name,
      repo: s.origin.url,
      branches: { production: 'master', development: 'develop' },
      tags: { production: 'prod-{build}', release: 'v{version}' },
      jobs: s.jobs,
      qa: { provider: 'jenkins', ttlHours: 24, recipients: ['qa@example.com'] },
      approvals: { required: 1, approvers: ['*@example.com'] },
      slack: { channel: `#${s.name}-dev` },
      pullRequests: { provider: 'github', apiUrl: github.url, repository: `acme/${s.name}`, token: SECRETS.githubToken },
    })),
  };
  for (const s of config.services) opts.service?.(s);
  const configPath = join(dir, 'hotfix.yaml');
  writeFileSync(configPath, stringify(config));
  const allLogs: string[][] = [];
  const crashes = { api: 0, worker: 0 };
  let closing = false;

  /** `plan[0]` arms this process; after a crash the supervisor starts the next with the rest. */
  function start(role: 'api' | 'worker', plan: readonly string[] = []): ProcessHandle {
    const chaos = plan[0];
    // Node started as docker-compose.yml starts each role.
    const child = spawn(process.execPath, [...(role === 'worker' ? WORKER_NODE_FLAGS : []), '--import', 'tsx', 'test/faults/chaos-main.ts', '--role', role], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOTFIX_CONFIG: configPath, LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: String(opts.graceMs ?? 3000), ...(chaos ? { HOTFIX_CHAOS: chaos } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    allLogs.push(logs);
    child.stdout?.on('data', (c: Buffer) => logs.push(c.toString()));
    child.stderr?.on('data', (c: Buffer) => logs.push(c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const handle: ProcessHandle = { role, child, logs, exited };
    // A supervisor: a process that crashed is started again, without chaos once its crashes are used up.
    void exited.then(({ signal }) => {
      if (closing || signal !== 'SIGKILL' || handle.child.killed) return;
      crashes[role] += 1;
      setTimeout(() => {
        if (closing) return;
        const next = start(role, plan.slice(1));
        if (role === 'api') cluster.api = next;
        else cluster.workers = cluster.workers.map((w) => (w === handle ? next : w));
      }, 200);
    });
    return handle;
  }

  async function ready(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the API did not become ready');
  }

  async function stop(handle: ProcessHandle): Promise<void> {
    if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
    handle.child.kill('SIGTERM');
    await handle.exited;
  }

  const call: Cluster['call'] = async (method, path, body, headers = {}) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: { authorization: `Bearer ${SECRETS.apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
      } catch (err) {
        // The API may be restarting after a crash: a client retries.
        if (attempt > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const get = async (id: string) => {
    const res = await call('GET', `/api/v1/hotfixes/${id}`);
    if (res.status !== 200) throw new Error(`GET ${id}: ${res.status}`);
    return res.body as HotfixView;
  };

  const cluster: Cluster = {
    url,
    prefix,
    services,
    jenkins,
    slack,
    github,
    smtp,
    api: start('api', opts.apiChaos ? [opts.apiChaos] : []),
    workers: Array.from({ length: opts.workers ?? 1 }, () => start('worker', opts.workerChaos ? [opts.workerChaos] : [])),
    logs: () => allLogs.map((l) => l.join('')).join(''),
    crashes,
    async restart(handle, chaos, times = 1) {
      await stop(handle);
      const next = start(handle.role, typeof chaos === 'string' ? Array<string>(times).fill(chaos) : (chaos ?? []));
      if (handle.role === 'api') {
        cluster.api = next;
        await ready();
      } else {
        cluster.workers = cluster.workers.map((w) => (w === handle ? next : w));
      }
      return next;
    },
    call,
    get,
    waitFor: (id, predicate, what, timeoutMs = 60_000) => waitForHotfix(get, id, predicate, what, timeoutMs, 50),
    async close() {
      closing = true;
      await Promise.all([stop(cluster.api), ...cluster.workers.map(stop)]);
      await Promise.all([jenkins.close(), slack.close(), github.close(), smtp.close()]);
      for (const s of services) s.origin.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await ready();
  return cluster;
}
