/**
 * startDemo: the whole hotfix road on one machine, for a person to click through. It wires
 * the real service (createService, API and workers in this process) to a private Redis, a
 * git origin holding the sample app, the Jenkins simulator running four jobs for real, the
 * SMTP catcher, the Slack and GitHub simulators — the same stand-ins the integration tests
 * use — and serves the inbox page that shows what they caught.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../log.js';
import { createService } from '../../service.js';
import { startGitHubSim, type GitHubSim } from '../github/index.js';
import { startJenkinsSim, type JenkinsSim } from '../jenkins/index.js';
import { freePort, hasRedisServer, startPrivateRedis } from '../redis.js';
import { startSlackSim, type SlackSim } from '../slack/index.js';
import { startSmtpCatcher, type SmtpCatcher } from '../smtp/index.js';
import { createDemoApi } from './api-client.js';
import { createArtifactStore } from './artifacts.js';
import { Cleanup } from './cleanup.js';
import { DEMO_CHANNEL, DEMO_JOBS, DEMO_REPOSITORY, DEMO_SERVICE, DEMO_SLACK_USERS, demoConfig, JENKINS_USER, makeSecrets } from './config.js';
import { Environments } from './environments.js';
import { requestFirstHotfix } from './first-hotfix.js';
import { deployFirstRelease } from './first-release.js';
import { inboxRoutes, startingRoutes } from './inbox/routes.js';
import { AppInstances } from './instances.js';
import { defineDemoJobs } from './jobs/index.js';
import { createDemoOrigin, FIRST_PRODUCTION_TAG } from './origin.js';
import { startProductionProxy } from './production-proxy.js';
import { watchProgress } from './progress.js';
import { deleteKeysUnder } from './redis-prefix.js';
import { lastErrors } from './service-log.js';
import { startWebServer } from './web-server.js';

export interface DemoOptions {
  /** Port of the inbox page; default 4000, or any free port when 4000 is taken. */
  port?: number;
  /** Production's fixed port; default any free port. */
  productionPort?: number;
  /** Use this Redis (under a random key prefix, removed on stop) instead of a private redis-server. */
  redisUrl?: string;
  /** Where progress lines go; default the console. */
  say?: (line: string) => void;
  /** The first hotfix breaks production's /health: watch it fail verification and roll back. */
  bad?: boolean;
}

export interface DemoUrls {
  /** The one page a person needs: emails, Slack, hotfixes, links to everything else. */
  inbox: string;
  /** The hotfix service (API, email action pages). */
  service: string;
  /** The fixed production address. */
  production: string;
  jenkins: string;
  redis: string;
}

/** The stand-ins, for a test to look at what they received. */
export interface DemoSims {
  jenkins: JenkinsSim;
  slack: SlackSim;
  github: GitHubSim;
  smtp: SmtpCatcher;
}

export interface RunningDemo {
  urls: DemoUrls;
  sims: DemoSims;
  /** Bearer token for the service's API. */
  apiToken: string;
  /** The hotfix created at start. */
  firstHotfixId: string;
  /** Temp directory holding the origin, builds, artifacts and logs; removed by stop(). */
  dir: string;
  /** The service's JSON log (inside `dir`). */
  serviceLog: string;
  /** Process ids of the child processes the demo runs (private Redis, app instances); all gone after stop(). */
  processes(): number[];
  /** Stops everything the demo started; safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_PORT = 4000;

export async function startDemo(opts: DemoOptions = {}): Promise<RunningDemo> {
  const say = opts.say ?? ((line: string) => console.log(line));
  const cleanup = new Cleanup(say);
  const dir = mkdtempSync(join(tmpdir(), 'hotfix-demo-'));
  cleanup.add('the temp directory', () => rmSync(dir, { recursive: true, force: true }));
  const instances = new AppInstances();
  let redisPid: number | undefined;
  try {
    let redisUrl = opts.redisUrl;
    if (!redisUrl) {
      if (!hasRedisServer()) {
        throw new Error('The demo needs Redis: install redis-server (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL=redis://host:port.');
      }
      // Detached: Ctrl-C must not take Redis away before the service has stopped using it.
      const redis = await startPrivateRedis({ dirPrefix: 'hotfix-demo-redis-', detached: true });
      cleanup.add('Redis', async () => {
        await redis.stop();
        // Forgotten once gone, so nobody signals a pid the system may hand out again.
        redisPid = undefined;
      });
      redisUrl = redis.url;
      redisPid = redis.pid;
    }
    const redisPrefix = `demo-${randomBytes(4).toString('hex')}`;
    if (opts.redisUrl) {
      const url = opts.redisUrl;
      cleanup.add('the demo keys in Redis', () => deleteKeysUnder(url, redisPrefix));
    }

    const web = await startWebServer(opts.port ?? DEFAULT_PORT, opts.port === undefined);
    cleanup.add('the inbox server', () => web.close());
    const artifacts = createArtifactStore(join(dir, 'artifacts'), `${web.url}/artifacts/`);
    web.use(startingRoutes(artifacts));
    const origin = await createDemoOrigin(join(dir, 'origin'));
    const secrets = makeSecrets();

    const production = await startProductionProxy(opts.productionPort ?? 0);
    cleanup.add('production', () => production.close());
    cleanup.add('the app instances', () => instances.stopAll());
    // Stopped before the instances: closing Jenkins aborts running jobs, so none starts another.
    const jenkins = await startJenkinsSim({ user: JENKINS_USER, apiToken: secrets.jenkinsToken, callbackSecret: secrets.callbackSecret });
    cleanup.add('the Jenkins simulator', () => jenkins.close());
    const environments = new Environments(instances, production);
    defineDemoJobs(jenkins, DEMO_JOBS, { originUrl: origin.url, workDir: dir, artifacts, environments });
    const prod1 = await origin.resolve(FIRST_PRODUCTION_TAG);
    if (!prod1) throw new Error(`the origin has no ${FIRST_PRODUCTION_TAG}`);
    await deployFirstRelease({
      jenkins, jenkinsUser: JENKINS_USER, jenkinsToken: secrets.jenkinsToken, deployJob: DEMO_JOBS.deploy, service: DEMO_SERVICE,
      originUrl: origin.url, commit: prod1, workDir: dir, artifacts, log: () => undefined,
    });

    // The scopes the README's app manifest asks for: post, look for its own messages, know who clicked.
    const slack = await startSlackSim({
      tokens: [{ token: secrets.slackToken, scopes: ['chat:write', 'channels:history', 'users:read', 'users:read.email'] }],
      channels: [DEMO_CHANNEL],
      users: DEMO_SLACK_USERS,
    });
    cleanup.add('the Slack simulator', () => slack.close());
    const github = await startGitHubSim({
      token: secrets.githubToken,
      repositories: [DEMO_REPOSITORY],
      // Like GitHub, refuse a pull request for a branch the repository does not have.
      branchExists: async (ref) => (await origin.resolve(`refs/heads/${ref}`)) !== null,
    });
    cleanup.add('the GitHub simulator', () => github.close());
    const smtp = await startSmtpCatcher();
    cleanup.add('the SMTP catcher', () => smtp.close());

    const servicePort = await freePort();
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    const config = demoConfig(
      { servicePort, redisUrl, redisPrefix, jenkinsUrl: jenkins.url, smtpUrl: smtp.url, slackUrl: slack.url, githubUrl: github.url, originUrl: origin.url, dataDir: join(dir, 'data'), productionUrl: production.url },
      secrets,
    );
    const serviceLog = join(dir, 'service.log');
    const logStream = createWriteStream(serviceLog);
    cleanup.add('the service log', () => new Promise<void>((resolve) => logStream.end(() => resolve())));
    // The service's git runs with an empty HOME: the person's ~/.gitconfig (signing, hooks) stays out of it.
    const home = join(dir, 'home');
    mkdirSync(home, { recursive: true });
    const service = createService(config, {
      log: createLogger({ level: 'info', destination: logStream }),
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    });
    cleanup.add('the hotfix service', () => service.close(3000));
    await service.redis.connect();
    await service.listen(servicePort, '127.0.0.1');
    await service.startWorker();
    slack.setInteractivity({ url: `${serviceUrl}/slack/actions`, signingSecret: secrets.slackSigningSecret });

    const api = createDemoApi(serviceUrl, secrets.apiToken);
    web.use(inboxRoutes(
      { smtp, slack, github, jenkins, api, origin, environments, serviceUrl, repository: DEMO_REPOSITORY },
      artifacts,
      say,
    ));
    const progress = watchProgress(api, smtp, say);
    cleanup.add('the progress lines', () => progress.stop());

    const first = await requestFirstHotfix(origin, api, DEMO_SERVICE, FIRST_PRODUCTION_TAG, opts.bad === true);
    say(`${first.id} requested by ${first.requestedBy}: "${first.title}" (a fix commit, cherry-picked onto ${first.baseTag ?? FIRST_PRODUCTION_TAG})`);
    return {
      urls: { inbox: `${web.url}/`, service: serviceUrl, production: production.url, jenkins: jenkins.url, redis: redisUrl },
      sims: { jenkins, slack, github, smtp },
      apiToken: secrets.apiToken,
      firstHotfixId: first.id,
      dir,
      serviceLog,
      processes: () => [redisPid, ...instances.running.map((i) => i.pid)].filter((pid): pid is number => pid !== undefined),
      stop: () => cleanup.run(),
    };
  } catch (err) {
    // Read before the cleanup removes the log with the temp directory.
    const logged = lastErrors(join(dir, 'service.log'));
    await cleanup.run();
    if (logged.length === 0) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\nThe service logged:\n${logged.map((l) => `  ${l}`).join('\n')}`, { cause: err });
  }
}
