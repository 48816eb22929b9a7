// The stack a benchmark runs against: a private Redis (or REDIS_URL), a real git origin, the
// local Jenkins/Slack/GitHub/SMTP servers in this process, and the service itself as a child
// process running the compiled build — so load generator and service do not share a CPU loop.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { keysFor } from '../src/adapters/redis/keys.js';
import { WORKER_NODE_FLAGS } from '../src/node-flags.js';
import { contractPipeline, startGitHubSim, startJenkinsSim, startSlackSim, startSmtpCatcher, type GitHubSim, type JenkinsSim, type SlackSim, type SmtpCatcher } from '../src/sandbox/index.js';
import { createOrigin, type Origin } from '../test/helpers/git-fixture.js';
import { defineContractJobs, freePort, JOBS, SECRETS } from '../test/helpers/harness.js';

export interface Stack {
  url: string;
  /** The Redis key prefix the service uses. */
  prefix: string;
  origin: Origin;
  jenkins: JenkinsSim;
  slack: SlackSim;
  github: GitHubSim;
  smtp: SmtpCatcher;
  service: ChildProcess;
  /** With `apiOnly`: start worker processes (`--role worker`) against the same Redis. */
  startWorkers(count: number): ChildProcess[];
  api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startStack(opts: { pollIntervalSeconds?: number; repoUrl?: string; deployStartsAt?: number; verification?: Record<string, unknown>; apiOnly?: boolean; concurrency?: number; activeWorkersPerHost?: number } = {}): Promise<Stack> {
  const origin = createOrigin();
  const dataDir = mkdtempSync(join(tmpdir(), 'hotfix-bench-'));
  const jenkins = await startJenkinsSim({ user: 'hotfix-bot', apiToken: SECRETS.jenkinsToken, callbackSecret: SECRETS.callbackSecret });
  defineContractJobs(jenkins);
  if (opts.deployStartsAt) jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5 }), { nextBuildNumber: opts.deployStartsAt });
  const slack = await startSlackSim({ tokens: [{ token: SECRETS.slackToken, scopes: ['chat:write', 'channels:history'] }], channels: ['#payments-dev'] });
  const github = await startGitHubSim({ token: SECRETS.githubToken });
  const smtp = await startSmtpCatcher({});
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = `bench${Date.now().toString(36)}`;
  const config = {
    server: { port, publicUrl: url, rateLimits: { api: 0, actions: 0 } },
    redis: { url: process.env.REDIS_URL, prefix },
    secrets: { linkSigningKey: SECRETS.linkSigningKey, callbackSecret: SECRETS.callbackSecret, apiTokens: [SECRETS.apiToken] },
    jenkins: { url: jenkins.url, user: 'hotfix-bot', apiToken: SECRETS.jenkinsToken, pollIntervalSeconds: opts.pollIntervalSeconds ?? 30 },
    smtp: { url: smtp.url, from: 'Hotfix Bot <hotfix@example.com>' },
    slack: { token: SECRETS.slackToken, apiUrl: slack.url },
    git: { dataDir, author: { name: 'Hotfix Bot', email: 'hotfix-bot@example.com' }, backmergeCheckSeconds: 3600 },
    queue: { ...(opts.concurrency ? { concurrency: opts.concurrency } : {}), ...(opts.activeWorkersPerHost === undefined ? {} : { activeWorkersPerHost: opts.activeWorkersPerHost }) },
    services: [
      {
        name: 'payments',
        repo: opts.repoUrl ?? origin.url,
        branches: { production: 'master', development: 'develop' },
        tags: { production: 'prod-{build}', release: 'v{version}' },
        jobs: JOBS,
        qa: { provider: 'jenkins', ttlHours: 24, recipients: ['qa-team@example.com'] },
        approvals: { required: 1, approvers: ['*@example.com'] },
        slack: { channel: '#payments-dev' },
        pullRequests: { provider: 'github', apiUrl: github.url, repository: 'acme/payments', token: SECRETS.githubToken },
        ...(opts.verification ? { verification: opts.verification } : {}),
      },
    ],
  };
  const configPath = join(dataDir, 'hotfix.yaml');
  writeFileSync(configPath, stringify(config));
  // Started as docker-compose.yml starts each role.
  const run = (role: string[]) =>
    spawn(process.execPath, [...(role.includes('worker') ? WORKER_NODE_FLAGS : []), 'dist/main.js', ...role], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, HOTFIX_CONFIG: configPath, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  const service = run(opts.apiOnly ? ['--role', 'api'] : []);
  const workers: ChildProcess[] = [];
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('the service did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const api: Stack['api'] = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${SECRETS.apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    url,
    prefix,
    origin,
    jenkins,
    slack,
    github,
    smtp,
    service,
    api,
    startWorkers(count) {
      const started = Array.from({ length: count }, () => run(['--role', 'worker']));
      workers.push(...started);
      return started;
    },
    async close() {
      for (const p of [service, ...workers]) p.kill('SIGTERM');
      await Promise.all([service, ...workers].map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : null)));
      await Promise.all([jenkins.close(), slack.close(), github.close(), smtp.close()]);
      origin.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `fn` until it has a value. Every 2 ms where the moment found is the measure; `everyMs`
 * longer where it is not: a poll every 2 ms is a GET and a Redis read the service pays for,
 * on a 2-core machine beside the git work being waited for.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 2): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** For waits that are not measured. */
export const IDLE_POLL_MS = 20;

/**
 * Until the record has what the build changes. Once Jenkins has a hotfix's qa-up, the QA
 * email's head start looks that up (git): a bench that times transitions one after another
 * waits for it, so the next is timed alone, as the BullMQ floor is.
 */
export async function qaEmailPrepared(records: Redis, stack: Pick<Stack, 'prefix'>, id: string): Promise<void> {
  await waitFor('the QA email prepared', async () => {
    const raw = await records.hget(keysFor(stack.prefix).hotfix(id), 'd');
    return raw !== null && (JSON.parse(raw) as { qa?: { changeList?: unknown } | null }).qa?.changeList != null ? true : undefined;
  }, 10_000, IDLE_POLL_MS);
}
