// A service process: read the config, check Redis, git and Slack, then serve the API and/or
// run the workers (`--role api|worker`; both by default). Exits non-zero, one line per problem,
// before listening if anything is wrong. src/main.ts runs it; so does the fault suite's entry
// (test/faults/chaos-main.ts), with its crash points as port decorators.

import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, runtimeOptions } from './config/load.js';
import type { Config } from './config/schema.js';
import { describeTarget } from './adapters/redis/connection.js';
import { checkSlackToken } from './adapters/slack/slack-notifier.js';
import { releaseFixedAtRequest, renderTag } from './domain/tags.js';
import { createLogger, redactText } from './log.js';
import type { Logger } from './ports/logger.js';
import { createService, type PortDecorators, type Role } from './service.js';

function fail(lines: readonly string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

function readRole(argv: string[]): Role {
  const { values } = parseArgs({ args: argv, options: { role: { type: 'string', default: 'all' } }, strict: true });
  const role = values.role;
  if (role !== 'all' && role !== 'api' && role !== 'worker') fail([`--role must be api, worker or all (got '${role}')`]);
  return role;
}

function checkGit(): void {
  const out = spawnSync('git', ['--version'], { encoding: 'utf8' });
  const match = /(\d+)\.(\d+)/.exec(out.stdout ?? '');
  if (out.error || !match) fail(['git is not installed or not on PATH: the service needs git ≥ 2.38']);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major < 2 || (major === 2 && minor < 38)) fail([`git ${match[0]} is too old: the service needs git ≥ 2.38 (merge-tree --write-tree)`]);
}

export interface ProcessOptions {
  /** Port wrappers, built once the logger exists (the fault suite's crash points). */
  decorate?: (log: Logger) => PortDecorators | undefined;
}

/** Every tag template, rendered with example values, must make a name git accepts as a tag. */
function checkTagTemplates(config: Config): void {
  const problems: string[] = [];
  const example = { build: 123, base: '1.4.2', n: 1, env: 'production', timestamp: '20261204T050607Z', reason: 'errors-spiking', id: 'HF-2026-12-001' };
  config.services.forEach((s, i) => {
    const version = releaseFixedAtRequest(s.tags.release) ? renderTag(s.tags.release, example) : '1.4.3';
    for (const key of ['production', 'release', 'environment', 'rollback'] as const) {
      const template = s.tags[key];
      if (!template) continue;
      const name = renderTag(template, { ...example, version });
      const ok = spawnSync('git', ['check-ref-format', `refs/tags/${name}`]).status === 0;
      if (!ok) problems.push(`services[${i}].tags.${key}: '${template}' makes '${name}', which git refuses as a tag name`);
    }
  });
  if (problems.length > 0) fail(problems.map((p) => `config: ${p}`));
}

async function start(options: ProcessOptions): Promise<void> {
  const role = readRole(process.argv.slice(2));
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.problems.map((p) => `config: ${p}`));
    throw err;
  }
  checkGit();
  checkTagTemplates(config);
  const runtime = runtimeOptions();
  const log = createLogger({ level: runtime.logLevel });
  const decorate = options.decorate?.(log);
  const service = createService(config, { log, env: process.env, ...(decorate ? { decorate } : {}) });
  const where = redactText(describeTarget(config.redis));
  try {
    await service.redis.connect();
    await service.redis.ping();
  } catch (err) {
    const why = err instanceof Error ? redactText(err.message) : String(err);
    fail([`cannot reach Redis at ${where} (${why}): start one (redis-server --port 6379 --maxmemory-policy noeviction) or set REDIS_URL`]);
  }
  const policy = await service.redis.config('GET', 'maxmemory-policy').catch(() => null);
  const value = Array.isArray(policy) ? String(policy[1]) : 'unknown';
  if (value !== 'noeviction') {
    const warning = `WARNING: Redis maxmemory-policy is '${value}', not 'noeviction': under memory pressure Redis may evict hotfix records and queued jobs. Set maxmemory-policy noeviction.`;
    process.stderr.write(`${warning}\n`);
    log.warn({ maxmemoryPolicy: value }, warning);
  }
  try {
    if ((await checkSlackToken(config.slack, config.slack.signingSecret !== undefined)) === null) log.warn({}, 'Slack did not answer at start-up; notifications will be retried');
  } catch (err) {
    fail([`config: ${err instanceof Error ? redactText(err.message) : String(err)}`]);
  }
  if (role !== 'api') await service.startWorker();
  if (config.server.metricsPort !== undefined) await service.listenOps(config.server.metricsPort);
  if (role !== 'worker') {
    const server = await service.listen(config.server.port);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    log.info({ port, role, publicUrl: config.server.publicUrl, metricsPort: config.server.metricsPort ?? null }, 'hotfix service listening');
  } else {
    log.info({ role, metricsPort: config.server.metricsPort ?? null }, 'hotfix workers running');
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    service.close(runtime.shutdownGraceMs).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Run the process until SIGTERM/SIGINT; a failure to start exits non-zero with one line. */
export function runProcess(options: ProcessOptions = {}): void {
  start(options).catch((err: unknown) => {
    fail([`hotfix service failed to start: ${err instanceof Error ? redactText(err.message) : String(err)}`]);
  });
}
