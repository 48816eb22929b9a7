// The composition root: config in, a running service out. The only place adapters are built
// and wired; main.ts (the process) and the integration tests both come through here.

import type { Server } from 'node:http';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { freezeSchedule } from './adapters/calendar/freeze-calendar.js';
import { createGitRepo } from './adapters/git/git-repo.js';
import { createHealthChecker } from './adapters/health/health-checker.js';
import { startHousekeeper, type Housekeeper } from './adapters/git/housekeeper.js';
import { createMirrors } from './adapters/git/mirror.js';
import { createSmtpMailer } from './adapters/email/smtp-mailer.js';
import { createJenkinsCiServer } from './adapters/jenkins/ci-server.js';
import { createGitHubHost } from './adapters/pull-requests/github.js';
import { createGitLabHost } from './adapters/pull-requests/gitlab.js';
import { createNoPullRequestHost } from './adapters/pull-requests/none.js';
import { createCommandQaProvider } from './adapters/qa/command-qa.js';
import { createJenkinsQaProvider } from './adapters/qa/jenkins-qa.js';
import { createChatActionQueue, createQueueScheduler, createStepQueue, RECONCILE_JOB } from './adapters/queue/bullmq-scheduler.js';
import { createRedisDeployRegistry } from './adapters/redis/deploy-registry.js';
import { createRedisLocker } from './adapters/redis/lock.js';
import { createWorkerSeats, type WorkerSeats } from './adapters/redis/worker-seats.js';
import { coreGroup } from './adapters/host/cores.js';
import { createRedisStore } from './adapters/redis/store.js';
import { createLinkSigner } from './adapters/signing/link-signer.js';
import { hmacHex } from './adapters/signing/hmac.js';
import { createTokenAuthenticator } from './adapters/identity/api-tokens.js';
import { createOidcAuthenticator } from './adapters/identity/oidc.js';
import { redisConnection } from './adapters/redis/connection.js';
import { createReplicatedWrites } from './adapters/redis/replicated-writes.js';
import { createRedisSessionStore } from './adapters/redis/sessions.js';
import { createSlackInteractions } from './adapters/slack/slack-interactions.js';
import { createSlackNotifier } from './adapters/slack/slack-notifier.js';
import type { Config, ServiceConfig } from './config/schema.js';
import { createApp, createOpsApp } from './http/app.js';
import { createMetrics, timed } from './adapters/metrics/prometheus.js';
import type { Express } from 'express';
import { startWorker } from './jobs/processor.js';
import type { Logger as PinoLogger } from 'pino';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { requestLog } from './http/request-log.js';
import type { PullRequestHost } from './ports/pull-request-host.js';
import type { QaProvider } from './ports/qa-provider.js';
import type { Scheduler } from './ports/scheduler.js';
import { systemClock, type Clock } from './ports/clock.js';
import type { Deps } from './workflows/deps.js';
import { reconcile } from './workflows/reconcile.js';

export type Role = 'all' | 'api' | 'worker';

/** The outside systems a decorator may wrap, by port name. */
/** How many hotfix writes may wait for their replica at once (redis.replicas.min > 0). */
const WRITER_CONNECTIONS = 8;

export type PortName = 'ci' | 'git' | 'mailer' | 'chat' | 'interactions' | 'qa' | 'pullRequests' | 'health';

/**
 * Wrappers around the adapters, applied before the service's own metrics: how the fault suite
 * kills a process right after a side effect (test/faults/chaos.ts). Nothing in production sets it.
 */
export interface PortDecorators {
  port<T extends object>(name: PortName, impl: T): T;
  scheduler(scheduler: Scheduler): Scheduler;
}

export interface ServiceOptions {
  /** pino: the request log (pino-http) needs the logger itself, not only the Logger port. */
  log: PinoLogger;
  /** Environment for child processes (git, QA commands). */
  env: Record<string, string | undefined>;
  clock?: Clock;
  decorate?: PortDecorators;
}

export interface RunningService {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  redis: Redis;
  listen(port: number, host?: string): Promise<Server>;
  /** Health and metrics only: a worker-only process, or an API whose metrics have their own port. */
  listenOps(port: number, host?: string): Promise<Server>;
  /** Runs the steps' jobs, or stands by while every worker seat on these cores is taken. */
  startWorker(): Promise<void>;
  close(graceMs?: number): Promise<void>;
}

function pullRequestHost(s: ServiceConfig): PullRequestHost {
  const pr = s.pullRequests;
  if (pr.provider === 'github') return createGitHubHost(pr);
  if (pr.provider === 'gitlab') return createGitLabHost(pr);
  return createNoPullRequestHost();
}

function perService<T>(config: Config, build: (s: ServiceConfig) => T): (name: string) => T {
  const made = new Map(config.services.map((s) => [s.name, build(s)] as const));
  return (name) => {
    const value = made.get(name);
    if (value === undefined) throw new Error(`service '${name}' is not configured`);
    return value;
  };
}

/**
 * Listens, keeping idle connections 65 s. Node closes them after 5 s: a client that picks one for
 * its next request at the same moment gets ECONNRESET, and a POST is not retried (seen once in
 * CI: one of 12 concurrent creates). Load balancers keep idle connections for 60 s (AWS ALB), so
 * the server must keep them longer than that, or the balancer answers 502 the same way.
 */
function serve(app: Express, port: number, host: string | undefined, servers: Server[]): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = app.listen(port, host ?? '0.0.0.0', () => resolve(s));
    s.keepAliveTimeout = 65_000;
    s.headersTimeout = 66_000;
    s.once('error', reject);
    servers.push(s);
  });
}

export function createService(config: Config, options: ServiceOptions): RunningService {
  const log = options.log;
  const redis = redisConnection(config.redis, { maxRetriesPerRequest: 3, connectTimeout: 5000, lazyConnect: true });
  // Before the first connection the start-up check speaks for itself; afterwards, say so.
  let connected = false;
  redis.on('ready', () => (connected = true));
  redis.on('error', (err: Error) => {
    if (connected) log.warn({ err: err.message }, 'redis connection problem');
  });
  // ioredis gives up on a connection only when told to; any other end leaves /readyz at 503 for
  // good, and the orchestrator watching it must know why (sentinel-connector.ts closes the hole we know).
  let closing = false;
  redis.on('end', () => {
    if (connected && !closing) log.error('redis connection ended and will not reconnect: restart the service');
  });
  const prefix = config.redis.prefix;
  // BullMQ needs a connection that never gives up on a command (its blocking reads).
  const queueConnection = redisConnection(config.redis, { maxRetriesPerRequest: null, lazyConnect: true });
  queueConnection.on('error', () => undefined);
  const queue = createStepQueue(queueConnection, prefix);
  // Without a listener an 'error' (Redis gone) would be thrown; it is the reconnect's business.
  queue.on('error', (err: Error) => {
    if (connected) log.warn({ err: err.message }, 'job queue connection problem');
  });
  // Locks are leases renewed while held; a crashed holder's lease runs out like a job's lock.
  const locker = createRedisLocker(redis, prefix, { leaseMs: config.queue.lockSeconds * 1000, onWait: (lock, seconds) => metrics.lockWait.observe({ lock }, seconds) });
  // With a replication guarantee, hotfix writes and their WAIT get connections of their own.
  const writers = config.redis.replicas.min > 0 ? Array.from({ length: WRITER_CONNECTIONS }, () => redisConnection(config.redis, { maxRetriesPerRequest: 3, connectTimeout: 5000 })) : [];
  for (const w of writers) w.on('error', () => undefined);
  const replicated = createReplicatedWrites(redis, { ...config.redis.replicas, writers });
  const store = createRedisStore(redis, prefix, replicated);
  const metrics = createMetrics({
    queueCounts: () => queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'),
    hotfixesByState: () => store.countByState(),
  });
  // Every call to an outside system is timed; git by kind of operation.
  const observe = (system: string) => (operation: string, outcome: 'ok' | 'error', seconds: number) =>
    metrics.callDuration.observe({ system, operation, outcome }, seconds);
  const observeGit = (operation: string, outcome: 'ok' | 'error', seconds: number) => metrics.gitDuration.observe({ operation, outcome }, seconds);
  const wrap = <T extends object>(name: PortName, impl: T): T => options.decorate?.port(name, impl) ?? impl;
  const ci = timed(wrap('ci', createJenkinsCiServer({
    url: config.jenkins.url,
    user: config.jenkins.user,
    apiToken: config.jenkins.apiToken,
    useCrumb: config.jenkins.useCrumb,
    timeoutMs: config.jenkins.requestTimeoutSeconds * 1000,
  })), observe('jenkins'));
  const mirrors = createMirrors({ dataDir: config.git.dataDir, author: config.git.author, timeoutMs: config.git.timeoutSeconds * 1000, env: options.env }, locker);
  const qa = perService<QaProvider>(config, (s) =>
    s.qa.provider === 'jenkins'
      ? createJenkinsQaProvider(ci, s.jobs)
      : timed(wrap('qa', createCommandQaProvider({ up: s.jobs.qaUp, down: s.jobs.qaDown, timeoutMs: s.qa.timeoutSeconds * 1000, env: options.env, passEnv: s.qa.passEnv })), observe('qa-command')),
  );
  const smtp = createSmtpMailer(config.smtp);
  const services = new Map(config.services.map((s) => [s.name, { ...s, freezes: freezeSchedule([...config.freezes, ...s.freezes]) }] as const));
  const deps: Deps = {
    store,
    scheduler: options.decorate?.scheduler(createQueueScheduler(queue)) ?? createQueueScheduler(queue),
    clock: options.clock ?? systemClock,
    ci,
    deployments: createRedisDeployRegistry(redis, prefix, replicated),
    git: timed(wrap('git', createGitRepo(mirrors)), observeGit),
    mailer: timed(wrap('mailer', smtp), observe('smtp')),
    chat: timed(wrap('chat', createSlackNotifier(config.slack, (channel, why) => log.warn({ channel, why }, 'cannot look for Slack messages already posted; a crash may repeat one (add channels:history / groups:history)'))), observe('slack')),
    interactions: timed(wrap('interactions', createSlackInteractions(config.slack)), observe('slack')),
    links: createLinkSigner({ current: config.secrets.linkSigningKey, previous: config.secrets.previousLinkSigningKeys }),
    locker,
    qa,
    pullRequests: perService(config, (s) => timed(wrap('pullRequests', pullRequestHost(s)), observe(s.pullRequests.provider))),
    services: { get: (name) => services.get(name), names: () => [...services.keys()] },
    settings: {
      publicUrl: config.server.publicUrl,
      pollIntervalMs: config.jenkins.pollIntervalSeconds * 1000,
      deployTimeoutMs: config.jenkins.deployTimeoutMinutes * 60_000,
      backmergeCheckMs: config.git.backmergeCheckSeconds * 1000,
      branchRecoveryMs: config.git.branchRecoverySeconds * 1000,
      timeZone: config.server.timeZone,
      slackButtons: config.slack.signingSecret !== undefined,
    },
    telemetry: metrics.telemetry,
    health: timed(wrap('health', createHealthChecker()), observe('health')),
    log,
  };
  const ready = async () => (await Promise.race([redis.ping(), new Promise<string>((r) => setTimeout(() => r('timeout'), 1000))])) === 'PONG';
  const serveMetrics = (app: Express) => {
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  };
  // The rate limits' own connection: their store loads its script as soon as it is made, before
  // the start-up check connects the main one.
  const limits = redisConnection(config.redis, { maxRetriesPerRequest: 3, connectTimeout: 5000 });
  limits.on('error', () => undefined);
  // With its own port, /metrics is served only there, not to whoever reaches the public one.
  const metricsOwnPort = config.server.metricsPort !== undefined;
  const app = createApp(deps, {
    authenticators: [
      // secrets.apiTokens, the older form, are each one admin principal named `api`.
      createTokenAuthenticator([...config.auth.tokens, ...config.secrets.apiTokens.map((token) => ({ principal: 'api', roles: ['admin'] as const, token }))]),
      ...(config.auth.oidc ? [createOidcAuthenticator(config.auth.oidc, (why) => log.info({ why }, 'an SSO token was refused'))] : []),
    ],
    evidenceKey: config.secrets.evidenceSigningKey ?? hmacHex(config.secrets.linkSigningKey, 'hotfix evidence signing key'),
    callbackSecrets: [config.secrets.callbackSecret, ...config.secrets.previousCallbackSecrets],
    publicUrl: config.server.publicUrl,
    bodyLimit: config.server.bodyLimit,
    trustProxy: config.server.trustProxy,
    rateLimits: config.server.rateLimits,
    // Counted in Redis, so several API processes share one limit per client.
    rateLimitStore: (name) => new RedisStore({ prefix: `${prefix}:rate:${name}:`, sendCommand: (command: string, ...args: string[]) => limits.call(command, ...args) as Promise<RedisReply> }),
    // Request lines are info: below that level the middleware is not even installed.
    ...(log.isLevelEnabled('info') ? { requestLog: requestLog(log) } : {}),
    ready,
    console: { sessions: createRedisSessionStore(redis, prefix), secret: hmacHex(config.secrets.linkSigningKey, 'hotfix console csrf key') },
    ...(config.slack.signingSecret ? { slack: { signingSecrets: [config.slack.signingSecret, ...config.slack.previousSigningSecrets], queue: createChatActionQueue(queue) } } : {}),
    ...(metricsOwnPort ? {} : { extra: serveMetrics }),
  });

  const servers: Server[] = [];
  let worker: Worker | undefined;
  let reconciler: NodeJS.Timeout | undefined;
  let housekeeper: Housekeeper | undefined;
  let seats: WorkerSeats | undefined;
  let sweeping = false;
  const sweep = async (): Promise<void> => {
    if (sweeping) return;
    sweeping = true;
    try {
      await reconcile(deps);
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'reconcile failed; trying again at the next interval');
    } finally {
      sweeping = false;
    }
  };
  // A running worker's duties beside its jobs; a process standing by for a seat leaves them to
  // the seated ones (each sweep reads every hotfix with overdue work: during a backlog, four
  // processes sweeping cost twice what two do). The safety net runs on the process's own clock,
  // not as a BullMQ repeatable job: a failover can lose the write that queues a repeatable
  // job's next run, and with it every run after (seen in the Sentinel failover test).
  async function startDuties(): Promise<void> {
    // Whatever a previous process left in flight is picked up now, not after the first interval.
    await sweep();
    reconciler = setInterval(() => void sweep(), config.queue.reconcileSeconds * 1000);
    if (config.git.housekeepingHours > 0) {
      const repos = [...new Set(config.services.map((s) => s.repo))];
      housekeeper = startHousekeeper(mirrors, repos, config.git.housekeepingHours * 3_600_000, { log, observe: (outcome, seconds) => observeGit('housekeep', outcome, seconds) });
    }
  }
  /** Resolves once a housekeeping round in progress is over (it holds a mirror's lock in Redis). */
  function stopDuties(): Promise<void> {
    clearInterval(reconciler);
    const tidying = housekeeper?.stop();
    housekeeper = undefined;
    return tidying ?? Promise.resolve();
  }
  return {
    deps,
    app,
    redis,
    listen: (port, host) => serve(app, port, host, servers),
    listenOps: (port, host) => serve(createOpsApp({ ready, extra: serveMetrics }), port, host, servers),
    async startWorker() {
      const settings = {
        concurrency: config.queue.concurrency,
        lockDuration: config.queue.lockSeconds * 1000,
        stalledInterval: config.queue.stalledCheckSeconds * 1000,
      };
      // Earlier versions ran the safety net as a BullMQ repeatable job; it goes (see startDuties).
      await queue.removeJobScheduler(RECONCILE_JOB).catch(() => undefined);
      const cores = coreGroup();
      const seatCount = config.queue.activeWorkersPerHost ?? (cores.quota ? 0 : cores.cores);
      if (seatCount > 0) {
        seats = createWorkerSeats(redis, {
          prefix,
          group: cores.id,
          seats: seatCount,
          leaseMs: config.queue.lockSeconds * 1000,
          log,
          // A BullMQ worker per spell in a seat: closing one lets the jobs in hand finish, and a
          // new one starts fetching at once (pause/resume would restart its loop unwatched).
          onChange: async (active) => {
            metrics.workerActive(active);
            if (active) {
              worker = startWorker(deps, queueConnection, prefix, settings);
              await startDuties();
            } else {
              await Promise.all([worker?.close(), stopDuties()]);
            }
          },
        });
        if (!(await seats.start())) metrics.workerActive(false);
      } else {
        worker = startWorker(deps, queueConnection, prefix, settings);
        metrics.workerActive(true);
        await startDuties();
      }
    },
    async close(graceMs = 10_000) {
      closing = true;
      const timeout = new Promise<void>((r) => setTimeout(r, graceMs).unref());
      await Promise.all(
        servers.map(async (s) => {
          await Promise.race([new Promise<void>((r) => s.close(() => r())), timeout]);
          s.closeAllConnections();
        }),
      );
      // The seat is given up first, so a process standing by starts taking jobs while ours finish.
      await Promise.race([seats?.stop(), timeout]);
      // A housekeeping round in progress holds a mirror's lock in Redis: it ends before Redis is let go.
      const tidying = stopDuties();
      // Jobs still running after the grace period are abandoned: their locks expire and a
      // worker takes them up again. Their connection is left to them — closing it under a
      // running BullMQ worker makes it retry its bookkeeping forever.
      const workerDone = worker ? await Promise.race([worker.close().then(() => true), timeout.then(() => false)]) : true;
      await Promise.race([tidying, timeout]);
      if (!workerDone) log.warn({ graceMs }, 'jobs still running at shutdown; they will be picked up again');
      await queue.close();
      smtp.close?.();
      await limits.quit().catch(() => undefined);
      await Promise.all(writers.map((w) => w.quit().catch(() => undefined)));
      await redis.quit().catch(() => undefined);
      if (workerDone) await queueConnection.quit().catch(() => undefined);
    },
  };
}
