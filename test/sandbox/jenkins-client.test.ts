// The Jenkins simulator driven by the real `jenkins` npm client, as the adapter will drive it.
import Jenkins from 'jenkins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractPipeline, startJenkinsSim, type JenkinsSim } from '../../src/sandbox/jenkins/index.js';
import { field, rejectionOf, startCallbackReceiver, until, type CallbackReceiver } from './support.js';

const USER = 'hotfix-bot';
const TOKEN = 'jenkins-api-token';
const SECRET = 'callback-secret';
const BUILD_JOB = 'team/payments-hotfix-build';

interface ParametersAction {
  _class: string;
  parameters: Array<{ name: string; value: string }>;
}

/**
 * The client calls these tests make, in the object form the client's JS accepts. Typed here so
 * the test depends on the client's behaviour, not on how src/types declares the module.
 */
interface JenkinsClient {
  job: {
    build(opts: { name: string; parameters?: Record<string, string> }): Promise<unknown>;
    get(opts: { name: string; tree?: string }): Promise<unknown>;
    exists(opts: { name: string }): Promise<boolean>;
  };
  build: {
    get(opts: { name: string; number: number }): Promise<unknown>;
    stop(opts: { name: string; number: number }): Promise<void>;
  };
  queue: {
    item(opts: { number: number }): Promise<unknown>;
    list(): Promise<unknown>;
    cancel(opts: { number: number }): Promise<void>;
  };
}

let sim: JenkinsSim;
let receiver: CallbackReceiver;
let jenkins: JenkinsClient;

function client(token = TOKEN, crumbIssuer = true, port = sim.port): JenkinsClient {
  return new Jenkins({ baseUrl: `http://${USER}:${token}@127.0.0.1:${port}`, crumbIssuer }) as unknown as JenkinsClient;
}

function hotfixParams(stage: string, extra: Record<string, string> = {}): Record<string, string> {
  return { HOTFIX_ID: 'HF-2026-11-001', SERVICE: 'payments', STAGE: stage, CALLBACK_URL: receiver.url, ...extra };
}

async function executableOf(queueId: number): Promise<{ number: number; url: string }> {
  return until(async () => {
    const item = (await jenkins.queue.item({ number: queueId })) as { executable: { number: number; url: string } | null };
    return item.executable ?? undefined;
  });
}

beforeAll(async () => {
  sim = await startJenkinsSim({ user: USER, apiToken: TOKEN, callbackSecret: SECRET });
  receiver = await startCallbackReceiver(SECRET);
  jenkins = client();
  sim.defineJob(BUILD_JOB, contractPipeline({ durationMs: 10 }));
});

afterAll(async () => {
  await sim.close();
  await receiver.close();
});

describe('Jenkins simulator with the jenkins npm client', () => {
  it('runs a folder job from trigger to queue item, build JSON, artifact and signed callbacks', async () => {
    const params = hotfixParams('build', { BRANCH: 'hotfix/HF-2026-11-001-fix', COMMIT: 'abc123' });
    const queueId: unknown = await jenkins.job.build({ name: BUILD_JOB, parameters: params });
    expect(typeof queueId).toBe('number');

    const executable = await executableOf(queueId as number);
    expect(executable.url).toBe(`${sim.url}/job/team/job/payments-hotfix-build/${executable.number}/`);

    const build = await until(async () => {
      const b = (await jenkins.build.get({ name: BUILD_JOB, number: executable.number })) as Record<string, unknown>;
      return b.building === false ? b : undefined;
    });
    expect(build).toMatchObject({ number: executable.number, result: 'SUCCESS', url: executable.url });
    const action = (build.actions as ParametersAction[]).find((a) => a._class === 'hudson.model.ParametersAction');
    expect(action?.parameters).toContainEqual({ _class: 'hudson.model.StringParameterValue', name: 'COMMIT', value: 'abc123' });
    expect(build.artifacts).toContainEqual({ displayPath: 'hotfix-callback.json', fileName: 'hotfix-callback.json', relativePath: 'hotfix-callback.json' });

    // The client has no artifact call: the adapter fetches `<build url>artifact/<path>` itself.
    const auth = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;
    const res = await fetch(`${executable.url}artifact/hotfix-callback.json`, { headers: { authorization: auth } });
    const archived = (await res.json()) as { status: string; artifact: { version: string; url: string } };
    expect(archived).toMatchObject({ status: 'SUCCESS', artifact: { version: `1.0.${executable.number}` } });
    const tarball = await fetch(archived.artifact.url, { headers: { authorization: auth } });
    expect(tarball.status).toBe(200);

    await until(() => (receiver.received.length >= 2 ? true : undefined));
    expect(receiver.received.map((r) => [r.body.status, r.signatureValid])).toEqual([['STARTED', true], ['SUCCESS', true]]);
    expect(receiver.received[1]?.body).toMatchObject({
      hotfixId: 'HF-2026-11-001', stage: 'build', job: BUILD_JOB, buildNumber: executable.number, commit: 'abc123',
    });
    expect(sim.callbacks.map((c) => c.httpStatus)).toEqual([202, 202]);
  });

  it('lists the job newest first with parameters, and numbers builds per job', async () => {
    sim.defineJob('payments-deploy-production', contractPipeline({ durationMs: 1 }), { nextBuildNumber: 41 });
    const first = (await jenkins.job.build({ name: 'payments-deploy-production', parameters: hotfixParams('deploy') })) as number;
    const second = (await jenkins.job.build({ name: 'payments-deploy-production', parameters: hotfixParams('deploy', { X: '2' }) })) as number;
    expect(second).toBe(first + 1); // queue ids are global
    expect((await executableOf(second)).number).toBe(42);
    const job = (await jenkins.job.get({ name: 'payments-deploy-production', tree: 'builds[number]' })) as {
      builds: Array<{ number: number; actions: ParametersAction[] }>;
      nextBuildNumber: number;
      lastBuild: { number: number };
    };
    expect(job.builds.map((b) => b.number)).toEqual([42, 41]);
    expect(job.nextBuildNumber).toBe(43);
    expect(job.lastBuild.number).toBe(42);
    expect(job.builds[0]?.actions[0]?.parameters).toContainEqual({ _class: 'hudson.model.StringParameterValue', name: 'X', value: '2' });
  });

  it('fetches a crumb before every POST, and answers a crumb-less POST 403 when crumbs are required', async () => {
    const strict = await startJenkinsSim({ user: USER, apiToken: TOKEN, callbackSecret: SECRET, requireCrumb: true });
    try {
      strict.defineJob('plain', 'manual');
      const withCrumb = client(TOKEN, true, strict.port);
      await withCrumb.job.build({ name: 'plain' });
      expect(strict.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /crumbIssuer/api/json', 'POST /job/plain/build']);

      const without = client(TOKEN, false, strict.port);
      const err = await rejectionOf(without.job.build({ name: 'plain' }));
      expect(field(err, 'statusCode')).toBe(403);
      expect(String(err)).toContain('No valid crumb');
    } finally {
      await strict.close();
    }
  });

  it('rejects a bad API token with 401 and an unknown job with notFound', async () => {
    const err401 = await rejectionOf(client('wrong').job.get({ name: BUILD_JOB }));
    expect(field(err401, 'statusCode')).toBe(401);
    expect(String(err401)).toBe('Error: jenkins: job.get: Invalid password/token for user: hotfix-bot');

    // job.build turns 404 into a new Error with notFound: true and no statusCode.
    const err404 = await rejectionOf(jenkins.job.build({ name: 'team/nope', parameters: {} }));
    expect(field(err404, 'notFound')).toBe(true);
    expect(field(err404, 'statusCode')).toBeUndefined();
    expect(await jenkins.job.exists({ name: 'team/nope' })).toBe(false);
    expect(await jenkins.job.exists({ name: BUILD_JOB })).toBe(true);
  });

  it('keeps an item waiting while the queue is slow, cancels it, then forgets it', async () => {
    const quick = await startJenkinsSim({ user: USER, apiToken: TOKEN, callbackSecret: SECRET, queueItemRetentionMs: 50 });
    try {
      quick.defineJob('slow', 'manual');
      quick.setQueueDelay(60_000);
      const c = client(TOKEN, true, quick.port);
      const id = (await c.job.build({ name: 'slow', parameters: { A: '1' } })) as number;
      // An identical request while the first still waits is folded into it, as Jenkins does.
      expect(await c.job.build({ name: 'slow', parameters: { A: '1' } })).toBe(id);
      expect(quick.triggers.map((t) => t.merged ?? false)).toEqual([false, true]);

      const items = (await c.queue.list()) as Array<{ id: number; why: string; executable: unknown }>;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ id, executable: null });
      await c.queue.cancel({ number: id });
      expect(await c.queue.item({ number: id })).toMatchObject({ cancelled: true, executable: null });
      expect(await c.queue.list()).toEqual([]);
      const gone = await until(async () => rejectionOf(c.queue.item({ number: id })).catch(() => undefined));
      expect(field(gone, 'statusCode')).toBe(404);
    } finally {
      await quick.close();
    }
  });

  it('stops a running manual build with result ABORTED', async () => {
    sim.defineJob('team/payments-qa-up', 'manual');
    const id = (await jenkins.job.build({ name: 'team/payments-qa-up', parameters: hotfixParams('qa-up') })) as number;
    const { number } = await executableOf(id);
    expect(await jenkins.build.get({ name: 'team/payments-qa-up', number })).toMatchObject({ building: true, result: null });
    await jenkins.build.stop({ name: 'team/payments-qa-up', number });
    expect(await jenkins.build.get({ name: 'team/payments-qa-up', number })).toMatchObject({ building: false, result: 'ABORTED' });
  });

  it('surfaces injected faults the way the client reports them', async () => {
    sim.failNext({ mode: 503, match: (method, path) => method === 'GET' && path.endsWith('/api/json') });
    expect(field(await rejectionOf(jenkins.job.get({ name: BUILD_JOB })), 'statusCode')).toBe(503);
    await expect(jenkins.job.get({ name: BUILD_JOB })).resolves.toMatchObject({ fullName: BUILD_JOB });

    // A refused crumb request fails the POST before it is sent.
    const before = sim.triggers.length;
    sim.failNext({ mode: 'refuse', match: (_m, path) => path === '/crumbIssuer/api/json' });
    const refused = await rejectionOf(jenkins.job.build({ name: BUILD_JOB, parameters: hotfixParams('build') }));
    expect(field(refused, 'code')).toBe('ECONNRESET');
    expect(sim.triggers.length).toBe(before);
    expect(sim.requests.filter((r) => r.fault === 'refuse')).toHaveLength(1);

    // Without `timeout` the client waits forever on a hung Jenkins; with it, a TimeoutError.
    const options = { baseUrl: `http://${USER}:${TOKEN}@127.0.0.1:${sim.port}`, timeout: 100 };
    const bounded = new Jenkins(options) as unknown as JenkinsClient;
    sim.failNext({ mode: 'hang' });
    const hung = await rejectionOf(bounded.job.get({ name: BUILD_JOB }));
    expect([String(hung), field(hung, 'isTimeout')]).toEqual(['Error: jenkins: job.get: request timed out (100ms)', true]);
  });
});
