// The contract pipeline's callback behaviours, manual builds and raw-HTTP details of the Jenkins simulator.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contractPipeline, startJenkinsSim, type JenkinsSim } from '../../src/sandbox/jenkins/index.js';
import { rejectionOf, startCallbackReceiver, until, type CallbackReceiver } from './support.js';

const USER = 'hotfix-bot';
const TOKEN = 'jenkins-api-token';
const SECRET = 'callback-secret';
const AUTH = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;

let sim: JenkinsSim;
let receiver: CallbackReceiver;

/** Triggers like the jenkins client does: form-encoded POST, queue id from Location. */
async function trigger(job: string, params: Record<string, string>, query = ''): Promise<number> {
  const path = job.split('/').map((s) => `/job/${encodeURIComponent(s)}`).join('');
  const res = await fetch(`${sim.url}${path}/buildWithParameters${query}`, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  expect(res.status).toBe(201);
  return Number(/\/queue\/item\/(\d+)\/$/.exec(res.headers.get('location') ?? '')?.[1]);
}

function params(stage: string, extra: Record<string, string> = {}): Record<string, string> {
  return { HOTFIX_ID: 'HF-2026-11-007', SERVICE: 'payments', STAGE: stage, COMMIT: 'c0ffee', CALLBACK_URL: receiver.url, ...extra };
}

async function runToEnd(job: string, p: Record<string, string>): Promise<number> {
  const queueId = await trigger(job, p);
  return (await sim.waitForBuildEnd((b) => b.queueId === queueId)).number;
}

beforeAll(async () => {
  sim = await startJenkinsSim({ user: USER, apiToken: TOKEN, callbackSecret: SECRET });
});
afterAll(async () => {
  await sim.close();
});

describe('contractPipeline callbacks', () => {
  beforeAll(async () => {
    receiver = await startCallbackReceiver(SECRET);
  });
  afterEach(() => {
    receiver.received.length = 0;
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('loses STARTED and final callbacks but still archives hotfix-callback.json', async () => {
    sim.defineJob('lossy', contractPipeline({ durationMs: 1, dropStarted: true, dropFinal: true }));
    const number = await runToEnd('lossy', params('build'));
    expect(receiver.received).toEqual([]);
    expect(sim.build('lossy', number)).toMatchObject({ result: 'SUCCESS', artifacts: ['dist/payments-1.0.1.tgz', 'hotfix-callback.json'] });
  });

  it('sends the final callback N times at once, and can send it before STARTED', async () => {
    sim.defineJob('dupes', contractPipeline({ durationMs: 1, finalCopies: 3 }));
    await runToEnd('dupes', params('deploy'));
    await until(() => (receiver.received.length === 4 ? true : undefined));
    const bodies = receiver.received.map((r) => JSON.stringify(r.body));
    expect(new Set(bodies.slice(1)).size).toBe(1);
    expect(receiver.received.map((r) => r.body.status)).toEqual(['STARTED', 'SUCCESS', 'SUCCESS', 'SUCCESS']);

    receiver.received.length = 0;
    sim.defineJob('reordered', contractPipeline({ durationMs: 1, finalBeforeStarted: true, result: () => 'FAILURE' }));
    await runToEnd('reordered', params('build'));
    await until(() => (receiver.received.length === 2 ? true : undefined));
    expect(receiver.received.map((r) => r.body.status)).toEqual(['FAILURE', 'STARTED']);
    expect(receiver.received[0]?.body.artifact).toBeUndefined();
  });

  it('forges signatures on request, and records what the receiver answered', async () => {
    sim.defineJob('forged', contractPipeline({ durationMs: 1, dropStarted: true, signing: 'wrong-secret' }));
    await runToEnd('forged', params('build'));
    sim.setCallbackSigning('none');
    sim.defineJob('unsigned', contractPipeline({ durationMs: 1, dropStarted: true }));
    await runToEnd('unsigned', params('build'));
    sim.setCallbackSigning('valid');
    expect(receiver.received.map((r) => [r.signatureValid, r.answered])).toEqual([[false, 401], [false, 401]]);
    expect(sim.callbacks.filter((c) => c.job === 'forged' || c.job === 'unsigned').map((c) => [c.signing, c.httpStatus]))
      .toEqual([['wrong-secret', 401], ['none', 401]]);
  });

  it('reports a QA URL for qa-up and applies payload overrides', async () => {
    sim.defineJob('qa', contractPipeline({ durationMs: 1, dropStarted: true, payload: { timestamp: '2020-01-01T00:00:00.000Z' } }));
    await runToEnd('qa', params('qa-up', { QA_ENV: 'qa-hf-2026-11-007' }));
    expect(receiver.received[0]?.body).toMatchObject({
      stage: 'qa-up', status: 'SUCCESS', qaUrl: 'https://qa-hf-2026-11-007.example.com', timestamp: '2020-01-01T00:00:00.000Z',
    });
  });

  it('reports ABORTED when a running pipeline is stopped', async () => {
    sim.defineJob('long', contractPipeline({ durationMs: 60_000 }));
    const queueId = await trigger('long', params('build'));
    const { number, url } = await sim.waitForBuildStart((b) => b.queueId === queueId);
    const stop = await fetch(`${url}stop`, { method: 'POST', headers: { authorization: AUTH }, redirect: 'manual' });
    expect(stop.status).toBe(302);
    expect(sim.build('long', number)?.result).toBe('ABORTED');
    await until(() => (receiver.received.some((r) => r.body.status === 'ABORTED') ? true : undefined));
  });

  it('keeps the build result when the callback receiver is down', async () => {
    const down = await startCallbackReceiver(SECRET);
    await down.close();
    sim.defineJob('orphan', contractPipeline({ durationMs: 1 }));
    const number = await runToEnd('orphan', params('build', { CALLBACK_URL: down.url }));
    expect(sim.build('orphan', number)?.result).toBe('SUCCESS');
    expect(sim.callbacks.filter((c) => c.job === 'orphan').map((c) => c.error !== undefined)).toEqual([true, true]);
  });
});

describe('manual builds', () => {
  beforeAll(async () => {
    receiver = await startCallbackReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('waits for triggers, and finishes with or without callbacks', async () => {
    sim.defineJob('team/payments-qa-down', 'manual');
    const early = await trigger('team/payments-qa-down', params('qa-down', { QA_ENV: 'one' }));
    // Already arrived: resolves at once.
    expect((await sim.waitForTrigger((t) => t.params.QA_ENV === 'one', 100)).queueId).toBe(early);
    const later = sim.waitForTrigger((t) => t.params.QA_ENV === 'two', 2_000);
    await trigger('team/payments-qa-down', params('qa-down', { QA_ENV: 'two' }));
    expect((await later).job).toBe('team/payments-qa-down');

    const first = await sim.waitForBuildStart((b) => b.params.QA_ENV === 'one');
    const second = await sim.waitForBuildStart((b) => b.params.QA_ENV === 'two');
    await sim.finish('team/payments-qa-down', first.number, 'SUCCESS', { callbacks: false });
    await sim.finish('team/payments-qa-down', second.number, 'FAILURE', { payload: { commit: 'override' } });
    expect(receiver.received.map((r) => [r.body.status, r.body.commit])).toEqual([['FAILURE', 'override']]);
    expect(sim.build('team/payments-qa-down', first.number)).toMatchObject({ result: 'SUCCESS', artifacts: ['hotfix-callback.json'] });
    await expect(sim.finish('team/payments-qa-down', first.number, 'SUCCESS')).rejects.toThrow(/not a running manual build/);
  });

  it('times out waiting for a trigger that never comes', async () => {
    await expect(sim.waitForTrigger((t) => t.job === 'never', 20)).rejects.toThrow(/timed out after 20 ms/);
  });
});

describe('raw HTTP details', () => {
  it('takes parameters from the query too, but not the delay', async () => {
    sim.defineJob('plain', 'manual');
    const queueId = await trigger('plain', { A: '1' }, '?delay=0sec&B=2');
    expect(sim.triggers.find((t) => t.queueId === queueId)?.params).toEqual({ B: '2', A: '1' });
  });

  it('answers 405 to a GET on an action and 401 without credentials', async () => {
    expect((await fetch(`${sim.url}/job/plain/build`, { headers: { authorization: AUTH } })).status).toBe(405);
    const anonymous = await fetch(`${sim.url}/api/json`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Jenkins"');
  });

  it('a late answer: the trigger takes effect at once, the client hears back later', async () => {
    sim.defineJob('slow-answer', 'manual');
    sim.failNext({ mode: 'late', lateMs: 300, match: (method, path) => method === 'POST' && path.endsWith('/buildWithParameters') });
    const answered = trigger('slow-answer', { A: '1' });
    const queued = await sim.waitForTrigger((t) => t.job === 'slow-answer', 200);
    let heard = false;
    void answered.then(() => (heard = true));
    expect(heard).toBe(false);
    expect(await answered).toBe(queued.queueId);
  });

  it('hangs a request on demand until the client gives up', async () => {
    sim.failNext({ mode: 'hang', match: (_m, path) => path === '/queue/api/json' });
    const err = await rejectionOf(fetch(`${sim.url}/queue/api/json`, { headers: { authorization: AUTH }, signal: AbortSignal.timeout(50) }));
    expect((err as Error).name).toBe('TimeoutError');
    expect((await fetch(`${sim.url}/queue/api/json`, { headers: { authorization: AUTH } })).status).toBe(200);
  });
});
