// CiServer (createJenkinsCiServer, the real `jenkins` npm client) and the Jenkins QA provider
// against the Jenkins simulator, which speaks Jenkins' REST API; faults go through failNext.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJenkinsCiServer } from '../../../src/adapters/jenkins/ci-server.js';
import { createJenkinsQaProvider } from '../../../src/adapters/qa/jenkins-qa.js';
import { ExternalServiceError } from '../../../src/domain/errors.js';
import { buildParameters, qaDownParameters, qaUpParameters, type JobParameters } from '../../../src/domain/parameters.js';
import type { CiServer } from '../../../src/ports/ci-server.js';
import { startJenkinsSim, type JenkinsSim, type JobBehaviour } from '../../../src/sandbox/index.js';
import { closedPort, externalFailure, until } from './support.js';

const USER = 'hotfix-bot';
const TOKEN = 'jenkins-api-token-1234';
const BUILD = 'team/payments-hotfix-build';
const QA_UP = 'team/payments-qa-up';
const QA_DOWN = 'team/payments-qa-down';
const MANUAL = 'team/payments-manual';
const CALLBACK_URL = 'http://127.0.0.1:9/api/v1/jenkins/events';

let sim: JenkinsSim;
let ci: CiServer;
let sequence = 0;
const failing = new Set<string>();

/** A build that archives its callback JSON and an artifact, and fails for hotfixes in `failing`. */
const pipeline: JobBehaviour = async (build) => {
  build.archive('hotfix-callback.json', JSON.stringify({ hotfixId: build.params.HOTFIX_ID, buildNumber: build.number }));
  build.archive('dist/payments 1.0.7.tgz', 'artifact bytes');
  return failing.has(build.params.HOTFIX_ID ?? '') ? 'FAILURE' : 'SUCCESS';
};

/** Build parameters of a hotfix id nobody else in this file uses. */
function params(extra: Partial<{ branch: string; commit: string }> = {}): JobParameters {
  sequence += 1;
  const id = `HF-2026-11-${String(sequence).padStart(3, '0')}`;
  return buildParameters({ hotfix: { id, service: 'payments' }, callbackUrl: CALLBACK_URL }, extra.branch ?? `hotfix/${id}-fix`, extra.commit ?? 'a'.repeat(40));
}

function ciServer(overrides: Partial<{ url: string; apiToken: string; useCrumb: boolean; timeoutMs: number }> = {}): CiServer {
  return createJenkinsCiServer({ url: sim.url, user: USER, apiToken: TOKEN, useCrumb: false, timeoutMs: 3_000, ...overrides });
}

async function started(queueId: number, server = ci): Promise<{ number: number; url: string }> {
  return until(async () => {
    const state = await server.queueState(queueId);
    return state.kind === 'started' ? state : undefined;
  }, 5_000, `queue item ${queueId} to start`);
}

async function finished(job: string, queueId: number): Promise<number> {
  const { number } = await started(queueId);
  await sim.waitForBuildEnd((b) => b.job === job && b.number === number);
  return number;
}

beforeAll(async () => {
  sim = await startJenkinsSim({ user: USER, apiToken: TOKEN, callbackSecret: 'callback-secret' });
  for (const job of [BUILD, QA_UP, QA_DOWN]) sim.defineJob(job, pipeline);
  sim.defineJob(MANUAL, 'manual');
  ci = ciServer();
});
afterAll(async () => {
  await sim.close();
});

describe('trigger and queueState', () => {
  it('triggers a job in a folder with the parameters as given, and follows its queue item from waiting to started', async () => {
    const p = { ...params({ branch: 'hotfix/HF-x-fix & more=1 ü' }) };
    sim.setQueueDelay(500);
    const { queueId } = await ci.trigger(BUILD, p);
    sim.setQueueDelay(0);

    const trigger = sim.triggers.find((t) => t.queueId === queueId);
    expect(trigger?.job).toBe(BUILD);
    expect(trigger?.params).toEqual(p);
    expect(sim.requests.some((r) => r.method === 'POST' && r.path === '/job/team/job/payments-hotfix-build/buildWithParameters')).toBe(true);

    const waiting = await ci.queueState(queueId);
    expect(waiting.kind).toBe('waiting');
    if (waiting.kind === 'waiting') expect(typeof waiting.why).toBe('string');

    const run = await started(queueId);
    expect(run.number).toBeGreaterThan(0);
    expect(run.url).toBe(`${sim.url}/job/team/job/payments-hotfix-build/${run.number}/`);
  });

  it('answers unknown for a queue item Jenkins has forgotten', async () => {
    expect(await ci.queueState(987_654)).toEqual({ kind: 'unknown' });
  });
});

describe('run, findRuns, findQueued, artifact', () => {
  it('run() reports the result and the parameters of a build, and null for a build that does not exist', async () => {
    const ok = params();
    const bad = params();
    failing.add(bad.HOTFIX_ID ?? '');
    const okNumber = await finished(BUILD, (await ci.trigger(BUILD, ok)).queueId);
    const badNumber = await finished(BUILD, (await ci.trigger(BUILD, bad)).queueId);

    const run = await ci.run(BUILD, okNumber);
    expect(run).toMatchObject({ number: okNumber, url: `${sim.url}/job/team/job/payments-hotfix-build/${okNumber}/`, building: false, result: 'SUCCESS', parameters: ok });
    expect(run?.timestamp).toBeGreaterThan(Date.now() - 60_000);
    expect((await ci.run(BUILD, badNumber))?.result).toBe('FAILURE');
    expect(await ci.run(BUILD, 99_999)).toBeNull();
  });

  it('run() shows a build in progress as building with no result yet', async () => {
    const { queueId } = await ci.trigger(MANUAL, params());
    const { number } = await started(queueId);

    expect(await ci.run(MANUAL, number)).toMatchObject({ number, building: true, result: null });

    await sim.finish(MANUAL, number, 'SUCCESS', { callbacks: false });
    expect(await ci.run(MANUAL, number)).toMatchObject({ building: false, result: 'SUCCESS' });
  });

  it('findRuns lists the recent builds whose parameters include the match, newest first', async () => {
    const mine = params();
    const other = params();
    const first = await finished(BUILD, (await ci.trigger(BUILD, mine)).queueId);
    await finished(BUILD, (await ci.trigger(BUILD, other)).queueId);
    const second = await finished(BUILD, (await ci.trigger(BUILD, { ...mine, COMMIT: 'b'.repeat(40) })).queueId);

    const runs = await ci.findRuns(BUILD, { HOTFIX_ID: mine.HOTFIX_ID ?? '', STAGE: 'build' });
    expect(runs.map((r) => r.number)).toEqual([second, first]);
    expect(runs[0]?.parameters.COMMIT).toBe('b'.repeat(40));
    expect(await ci.findRuns(BUILD, { HOTFIX_ID: mine.HOTFIX_ID ?? '', COMMIT: 'c'.repeat(40) })).toEqual([]);
    expect(await ci.findRuns(QA_UP, { HOTFIX_ID: mine.HOTFIX_ID ?? '' })).toEqual([]);
  });

  it('findQueued finds items still waiting for this job with matching parameters', async () => {
    const p = params();
    sim.setQueueDelay(60_000);
    const { queueId } = await ci.trigger(BUILD, p);
    sim.setQueueDelay(0);

    expect(await ci.findQueued(BUILD, { HOTFIX_ID: p.HOTFIX_ID ?? '', STAGE: 'build' })).toEqual([queueId]);
    expect(await ci.findQueued(BUILD, { HOTFIX_ID: 'HF-2000-01-001' })).toEqual([]);
    expect(await ci.findQueued(QA_UP, { HOTFIX_ID: p.HOTFIX_ID ?? '' })).toEqual([]);
  });

  it('downloads an archived artifact (also with a space in its path), and null for a missing one', async () => {
    const p = params();
    const number = await finished(BUILD, (await ci.trigger(BUILD, p)).queueId);

    expect(JSON.parse((await ci.artifact(BUILD, number, 'hotfix-callback.json')) ?? 'null')).toEqual({ hotfixId: p.HOTFIX_ID, buildNumber: number });
    expect(await ci.artifact(BUILD, number, 'dist/payments 1.0.7.tgz')).toBe('artifact bytes');
    expect(await ci.artifact(BUILD, number, 'nothing-here.json')).toBeNull();
  });
});

describe('failures', () => {
  it('an unknown job is a permanent failure (a config mistake)', async () => {
    const err = await externalFailure(ci.trigger('team/no-such-job', params()), false);
    expect(err.message).toContain('404');
    await externalFailure(ci.findRuns('team/no-such-job', {}), false);
  });

  it('bad credentials are a permanent failure', async () => {
    const err = await externalFailure(ciServer({ apiToken: 'wrong-token' }).trigger(BUILD, params()), false);
    expect(err.message).toContain('401');
  });

  it('503 and 500 while Jenkins restarts are transient', async () => {
    sim.failNext({ mode: 503 });
    await externalFailure(ci.trigger(BUILD, params()), true);
    sim.failNext({ mode: 500 });
    await externalFailure(ci.queueState(1), true);
    sim.failNext({ mode: 503 });
    await externalFailure(ci.run(BUILD, 1), true);
    sim.failNext({ mode: 503 });
    await externalFailure(ci.artifact(BUILD, 1, 'hotfix-callback.json'), true);
  });

  it('a refused connection, or one dropped mid-request, is transient', async () => {
    const down = ciServer({ url: `http://127.0.0.1:${await closedPort()}` });
    await externalFailure(down.trigger(BUILD, params()), true);
    await externalFailure(down.queueState(1), true);
    await externalFailure(down.run(BUILD, 1), true);
    await externalFailure(down.findRuns(BUILD, {}), true);
    await externalFailure(down.artifact(BUILD, 1, 'hotfix-callback.json'), true);

    sim.failNext({ mode: 'refuse' });
    await externalFailure(ci.trigger(BUILD, params()), true);
  });

  it('a Jenkins that never answers times out (transient) after timeoutMs', async () => {
    const impatient = ciServer({ timeoutMs: 300 });
    for (const call of [() => impatient.trigger(BUILD, params()), () => impatient.run(BUILD, 1), () => impatient.artifact(BUILD, 1, 'x.json')]) {
      sim.failNext({ mode: 'hang' });
      const t0 = performance.now();
      await externalFailure(call(), true);
      expect(performance.now() - t0).toBeLessThan(2_500);
    }
  });
});

describe('CSRF crumbs', () => {
  it('with useCrumb, sends the crumb a crumb-requiring Jenkins wants, fetching it once', async () => {
    const strict = await startJenkinsSim({ user: USER, apiToken: TOKEN, callbackSecret: 'callback-secret', requireCrumb: true });
    try {
      strict.defineJob(BUILD, pipeline);
      const withCrumb = createJenkinsCiServer({ url: strict.url, user: USER, apiToken: TOKEN, useCrumb: true, timeoutMs: 3_000 });
      const a = await withCrumb.trigger(BUILD, params());
      const b = await withCrumb.trigger(BUILD, params());
      expect(b.queueId).toBeGreaterThan(a.queueId);
      expect(strict.triggers).toHaveLength(2);
      expect(strict.requests.filter((r) => r.path === '/crumbIssuer/api/json')).toHaveLength(1);

      // Without it, such a Jenkins refuses the POST: permanent, with a hint.
      const without = createJenkinsCiServer({ url: strict.url, user: USER, apiToken: TOKEN, useCrumb: false, timeoutMs: 3_000 });
      const err = await externalFailure(without.trigger(BUILD, params()), false);
      expect(err.message).toContain('403');
      expect(strict.triggers).toHaveLength(2);
    } finally {
      await strict.close();
    }
  });

  it('with useCrumb, fetches a fresh crumb once Jenkins restarted and refuses the cached one', async () => {
    const before = await startJenkinsSim({ user: USER, apiToken: TOKEN, callbackSecret: 'callback-secret', requireCrumb: true });
    before.defineJob(BUILD, pipeline);
    const withCrumb = createJenkinsCiServer({ url: before.url, user: USER, apiToken: TOKEN, useCrumb: true, timeoutMs: 3_000 });
    await withCrumb.trigger(BUILD, params());
    await before.close();

    const after = await startJenkinsSim({ port: before.port, user: USER, apiToken: TOKEN, callbackSecret: 'callback-secret', requireCrumb: true });
    try {
      after.defineJob(BUILD, pipeline);
      expect(after.crumb).not.toBe(before.crumb);
      // A kept-alive connection to the old process may fail once (transient, as in a real
      // restart); a refused crumb must not surface at all.
      await until(async () => {
        try {
          return await withCrumb.trigger(BUILD, params());
        } catch (err) {
          if (err instanceof ExternalServiceError && err.transient) return undefined;
          throw err;
        }
      });
      expect(after.triggers).toHaveLength(1);
      expect(after.requests.filter((r) => r.path === '/crumbIssuer/api/json')).toHaveLength(1);
    } finally {
      await after.close();
    }
  });

  it('with useCrumb, still works against a Jenkins that does not ask for one', async () => {
    const withCrumb = ciServer({ useCrumb: true });
    const before = sim.triggers.length;
    await withCrumb.trigger(BUILD, params());
    expect(sim.triggers.length).toBe(before + 1);
  });
});

describe('triggerOnce', () => {
  const triggersOf = (p: JobParameters) => sim.triggers.filter((t) => t.params.HOTFIX_ID === p.HOTFIX_ID);

  it('when resumed, adopts a finished run with the same identifying parameters instead of triggering again', async () => {
    const p = params();
    const since = new Date();
    const first = await ci.triggerOnce(BUILD, p, { resumed: false, since });
    expect(first).toMatchObject({ adopted: false, number: null });
    const number = await finished(BUILD, first.queueId ?? -1);

    const again = await ci.triggerOnce(BUILD, p, { resumed: true, since });

    expect(again).toEqual({ queueId: null, number, url: `${sim.url}/job/team/job/payments-hotfix-build/${number}/`, adopted: true });
    expect(triggersOf(p)).toHaveLength(1);
  });

  it('when resumed, adopts an item still waiting in the queue', async () => {
    const p = params();
    sim.setQueueDelay(60_000);
    const first = await ci.triggerOnce(BUILD, p, { resumed: false, since: new Date() });
    sim.setQueueDelay(0);

    const again = await ci.triggerOnce(BUILD, p, { resumed: true, since: new Date() });

    expect(again).toEqual({ queueId: first.queueId, number: null, url: null, adopted: true });
    expect(triggersOf(p)).toHaveLength(1);
  });

  it('when resumed and nothing is found, triggers — also when the only match is older than the request', async () => {
    const fresh = params();
    expect(await ci.triggerOnce(BUILD, fresh, { resumed: true, since: new Date() })).toMatchObject({ adopted: false });
    expect(triggersOf(fresh)).toHaveLength(1);

    const p = params();
    await finished(BUILD, (await ci.trigger(BUILD, p)).queueId);
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await ci.triggerOnce(BUILD, p, { resumed: true, since: later })).toMatchObject({ adopted: false });
    expect(triggersOf(p)).toHaveLength(2);
  });

  it('does not adopt a run of the same hotfix for another commit', async () => {
    const p = params();
    const since = new Date();
    await finished(BUILD, (await ci.trigger(BUILD, p)).queueId);
    const newCommit = { ...p, COMMIT: 'f'.repeat(40) };

    expect(await ci.triggerOnce(BUILD, newCommit, { resumed: true, since })).toMatchObject({ adopted: false });
    expect(triggersOf(p).map((t) => t.params.COMMIT)).toEqual(['a'.repeat(40), 'f'.repeat(40)]);
  });

  it('without resumed, always triggers', async () => {
    const p = params();
    await finished(BUILD, (await ci.trigger(BUILD, p)).queueId);
    expect(await ci.triggerOnce(BUILD, p, { resumed: false, since: new Date(0) })).toMatchObject({ adopted: false });
    expect(triggersOf(p)).toHaveLength(2);
  });
});

describe('Jenkins QA provider', () => {
  it('starts the qaUp and qaDown jobs with the contract parameters, once when resumed', async () => {
    const qa = createJenkinsQaProvider(ci, { qaUp: QA_UP, qaDown: QA_DOWN });
    const common = { hotfix: { id: 'HF-2026-11-900', service: 'payments' }, callbackUrl: CALLBACK_URL };
    const up = qaUpParameters(common, 'qa-hf-2026-11-900', 'c'.repeat(40), { version: '1.0.7', url: 'https://ci/artifact.tgz' });
    const since = new Date();

    const outcome = await qa.up({ parameters: up, resumed: false, since });
    expect(outcome).toMatchObject({ kind: 'started', number: null, url: null });
    expect(sim.triggers.filter((t) => t.job === QA_UP && t.params.HOTFIX_ID === 'HF-2026-11-900').map((t) => t.params)).toEqual([up]);
    if (outcome.kind === 'started') await finished(QA_UP, outcome.queueId ?? -1);

    expect(await qa.up({ parameters: up, resumed: true, since })).toMatchObject({ kind: 'started', queueId: null });
    expect(sim.triggers.filter((t) => t.job === QA_UP && t.params.HOTFIX_ID === 'HF-2026-11-900')).toHaveLength(1);

    const down = qaDownParameters(common, 'qa-hf-2026-11-900');
    await qa.down({ parameters: down, resumed: false, since });
    expect(sim.triggers.filter((t) => t.job === QA_DOWN).map((t) => t.params)).toEqual([down]);
  });
});
