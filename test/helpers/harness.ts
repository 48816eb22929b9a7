// The whole service against real parts: a real Redis (own key prefix), a real git origin, a
// real SMTP server, and local Jenkins / Slack / GitHub / GitLab servers speaking their APIs.
// Each test file gets its own harness; nothing of the project is mocked.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { HotfixView } from '../../src/domain/hotfix.js';
import type { HotfixState } from '../../src/domain/states.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/sandbox/redis.js';
import { createService, type PortDecorators, type RunningService } from '../../src/service.js';
import {
  contractPipeline,
  startGitHubSim,
  startGitLabSim,
  startJenkinsSim,
  startSlackSim,
  startSmtpCatcher,
  type GitHubSim,
  type GitLabSim,
  type JenkinsSim,
  type SlackSim,
  type SmtpCatcher,
} from '../../src/sandbox/index.js';
import { createOrigin, type Origin } from './git-fixture.js';
import { waitForHotfix } from './wait-for-hotfix.js';

export const SECRETS = {
  linkSigningKey: 'link-signing-key-for-tests-0123456789abcdef',
  callbackSecret: 'callback-secret-for-tests-0123',
  apiToken: 'api-token-for-tests-0123456789',
  jenkinsToken: 'jenkins-api-token-1234',
  slackToken: 'xoxb-test-slack-token',
  githubToken: 'ghp_testtoken123456',
  gitlabToken: 'glpat-testtoken123456',
};

export const JOBS = {
  build: 'team/payments-hotfix-build',
  qaUp: 'team/payments-qa-up',
  qaDown: 'team/payments-qa-down',
  deploy: 'team/payments-deploy-production',
};

export interface HarnessOptions {
  pollIntervalSeconds?: number;
  approvals?: { required: number; approvers: string[] };
  qa?: { provider: 'jenkins' | 'command'; ttlHours?: number; recipients?: string[]; up?: string; down?: string; timeoutSeconds?: number };
  pullRequests?: 'github' | 'gitlab' | 'none';
  deployTimeoutMinutes?: number;
  backmergeCheckSeconds?: number;
  /** Requests per minute per client (default: off, so tests are not throttled). */
  rateLimits?: { api: number; actions: number };
  /** Where the git mirrors go (default: a fresh temp dir). */
  dataDir?: string;
  /** Another Redis than the tests' shared one (a test that restarts it). */
  redisUrl?: string;
  jenkinsTimeoutSeconds?: number;
  /** Start the workers (default true). */
  worker?: boolean;
  /** Adjust the Jenkins jobs after the defaults are defined. */
  jenkins?: (sim: JenkinsSim) => void;
  /**
   * Slack's Promote/Reject buttons: the app's signing secret (the sandbox Slack signs clicks with
   * it and sends them to the service), the token's scopes and the workspace's members.
   */
  slack?: { signingSecret: string; scopes?: string[]; users: Array<{ id: string; name: string; email: string }> };
  /** Change the config (as it would be written in the file) before it is validated. */
  config?: (raw: RawConfig) => void;
  /** Wrappers around the adapters, as the fault suite's (a test that holds an interleaving open). */
  decorate?: PortDecorators;
}

/** The config as the file holds it, before validation: what a test may change. */
export type RawConfig = Record<string, unknown> & { services: Array<Record<string, unknown>>; secrets: Record<string, unknown> };

export interface Harness {
  url: string;
  config: Config;
  origin: Origin;
  jenkins: JenkinsSim;
  slack: SlackSim;
  github: GitHubSim;
  gitlab: GitLabSim;
  smtp: SmtpCatcher;
  service: RunningService;
  logs: string[];
  api(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown; headers: Headers }>;
  createHotfix(body?: Partial<{ service: string; title: string; requestedBy: string; commits: string[]; baseRef: string }>): Promise<HotfixView>;
  get(id: string): Promise<HotfixView>;
  waitFor(id: string, predicate: (h: HotfixView) => boolean, what: string, timeoutMs?: number): Promise<HotfixView>;
  waitForState(id: string, state: HotfixState, timeoutMs?: number): Promise<HotfixView>;
  /** Until the outbox is empty: every scheduled step has run. */
  settle(id: string, timeoutMs?: number): Promise<HotfixView>;
  /** Settles every hotfix this harness created: a fault armed next cannot be taken by their late steps. */
  settleAll(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

// One implementation of 'a free port' for the tests, the benchmarks and the demo.
export { freePort };

export function defineContractJobs(sim: JenkinsSim): void {
  for (const job of Object.values(JOBS)) sim.defineJob(job, contractPipeline({ durationMs: 5 }));
  // The fixture's production tags (prod-3 … prod-10) name deploys 3 … 10: Jenkins is past them.
  sim.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5 }), { nextBuildNumber: 11 });
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const origin = createOrigin();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hotfix-data-'));
  const jenkins = await startJenkinsSim({ user: 'hotfix-bot', apiToken: SECRETS.jenkinsToken, callbackSecret: SECRETS.callbackSecret });
  defineContractJobs(jenkins);
  opts.jenkins?.(jenkins);
  const slack = await startSlackSim({
    tokens: [{ token: SECRETS.slackToken, scopes: opts.slack ? (opts.slack.scopes ?? ['chat:write', 'users:read', 'users:read.email']) : ['chat:write'] }],
    channels: ['#payments-dev'],
    users: opts.slack?.users ?? [],
  });
  const github = await startGitHubSim({ token: SECRETS.githubToken });
  const gitlab = await startGitLabSim({ token: SECRETS.gitlabToken, projects: ['acme/payments'] });
  const smtp = await startSmtpCatcher({});
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const provider = opts.pullRequests ?? 'github';
  const pullRequests =
    provider === 'github'
      ? { provider, apiUrl: github.url, repository: 'acme/payments', token: SECRETS.githubToken }
      : provider === 'gitlab'
        ? { provider, apiUrl: `${gitlab.url}/api/v4`, repository: 'acme/payments', token: SECRETS.gitlabToken }
        : { provider };
  const qa = opts.qa ?? { provider: 'jenkins' as const };
  const raw: RawConfig = {
    server: { port, publicUrl: url, rateLimits: opts.rateLimits ?? { api: 0, actions: 0 } },
    redis: { url: opts.redisUrl ?? process.env.REDIS_URL, prefix: `t${randomBytes(5).toString('hex')}` },
    secrets: { linkSigningKey: SECRETS.linkSigningKey, callbackSecret: SECRETS.callbackSecret, apiTokens: [SECRETS.apiToken] },
    jenkins: { url: jenkins.url, user: 'hotfix-bot', apiToken: SECRETS.jenkinsToken, pollIntervalSeconds: opts.pollIntervalSeconds ?? 30, deployTimeoutMinutes: opts.deployTimeoutMinutes ?? 60, requestTimeoutSeconds: opts.jenkinsTimeoutSeconds ?? 30 },
    smtp: { url: smtp.url, from: 'Hotfix Bot <hotfix@example.com>' },
    slack: { token: SECRETS.slackToken, apiUrl: slack.url, ...(opts.slack ? { signingSecret: opts.slack.signingSecret } : {}) },
    git: { dataDir, author: { name: 'Hotfix Bot', email: 'hotfix-bot@example.com' }, backmergeCheckSeconds: opts.backmergeCheckSeconds ?? 1, branchRecoverySeconds: 1 },
    queue: { reconcileSeconds: 1 },
    services: [
      {
        name: 'payments',
        repo: origin.url,
        branches: { production: 'master', development: 'develop' },
        tags: { production: 'prod-{build}', release: 'v{version}' },
        jobs: qa.provider === 'command' ? { ...JOBS, qaUp: qa.up ?? 'true', qaDown: qa.down ?? 'true' } : JOBS,
        qa: { provider: qa.provider, ttlHours: qa.ttlHours ?? 24, recipients: qa.recipients ?? ['qa-team@example.com'], timeoutSeconds: qa.timeoutSeconds ?? 30 },
        approvals: opts.approvals ?? { required: 1, approvers: ['*@example.com'] },
        slack: { channel: '#payments-dev' },
        pullRequests,
      },
    ],
  };
  opts.config?.(raw);
  const config = configSchema.parse(raw);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger({ level: 'debug', destination: sink });
  const service = createService(config, { log, env: process.env, ...(opts.decorate ? { decorate: opts.decorate } : {}) });
  await service.redis.connect();
  await service.listen(port, '127.0.0.1');
  if (opts.slack) slack.setInteractivity({ url: `${url}/slack/actions`, signingSecret: opts.slack.signingSecret });
  if (opts.worker !== false) await service.startWorker();

  const api: Harness['api'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${SECRETS.apiToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const get = async (id: string) => {
    const res = await api('GET', `/api/v1/hotfixes/${id}`);
    if (res.status !== 200) throw new Error(`GET ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as HotfixView;
  };
  const created = new Set<string>();
  const settle: Harness['settle'] = async (id, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const h = await service.deps.store.get(id);
      if (h && h.outbox.every((e) => e.runAt !== null && Date.parse(e.runAt) > Date.now() + 500)) return get(id);
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${id} did not settle`);
  };
  const waitFor: Harness['waitFor'] = (id, predicate, what, timeoutMs = 15_000) => waitForHotfix(get, id, predicate, what, timeoutMs);
  const harness: Harness = {
    url,
    config,
    origin,
    jenkins,
    slack,
    github,
    gitlab,
    smtp,
    service,
    logs,
    api,
    get,
    waitFor,
    waitForState: (id, state, timeoutMs) => waitFor(id, (h) => h.state === state, `reach ${state}`, timeoutMs),
    settle,
    async settleAll(timeoutMs = 20_000) {
      for (const id of created) await settle(id, timeoutMs);
    },
    async createHotfix(body = {}) {
      // A real fix to cherry-pick, unless the test says which (or none: `commits: []`): a build
      // without changes from production is promoted only with a confirmation.
      const title = body.title ?? 'Fix rounding of refunds';
      const commits = body.commits ?? [origin.fix(title)];
      const res = await api('POST', '/api/v1/hotfixes', { service: 'payments', title, requestedBy: 'dev@example.com', ...body, commits });
      if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
      const view = res.body as HotfixView;
      created.add(view.id);
      return view;
    },
    async close() {
      await service.close(2000);
      await Promise.all([jenkins.close(), slack.close(), github.close(), gitlab.close(), smtp.close()]);
      origin.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
