// Verified in production, or back: after the deploy the service checks production (an HTTP
// health endpoint that turns unhealthy on cue, and a Prometheus query API), releases a healthy
// hotfix, and rolls an unhealthy one back — on the real service, Redis, git and sandbox.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { contractPipeline, startHealthSim, startPrometheusSim, type HealthSim, type PrometheusSim } from '../../src/sandbox/index.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

const QUERY = 'sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))';
let h: Harness;
let health: HealthSim;
let prometheus: PrometheusSim;

beforeAll(async () => {
  health = await startHealthSim();
  prometheus = await startPrometheusSim();
  prometheus.answer(QUERY, { kind: 'vector', values: [0.001] });
  h = await startHarness({
    pollIntervalSeconds: 1,
    config: (raw) => {
      const service = raw.services[0];
      if (!service) throw new Error('no service');
      service.verification = {
        windowSeconds: 2,
        intervalSeconds: 0.25,
        failuresInARow: 2,
        onInconclusive: 'rollback',
        http: [{ url: `${health.url}/health`, status: 200 }],
        prometheus: { url: prometheus.url, query: QUERY, max: 0.01 },
      };
    },
  });
  // Production starts on a deploy of our own, so a rollback has an artifact on record to return to.
  const first = await toQa('A first deploy to return to');
  await promote(first.id);
  await h.waitForState(first.id, 'awaiting_backmerge', 20_000);
});
afterAll(async () => {
  await h?.close();
  await Promise.all([health?.close(), prometheus?.close()]);
});

async function toQa(title: string): Promise<HotfixView> {
  return h.waitForState((await h.createHotfix({ title })).id, 'awaiting_approval');
}
const promote = (id: string) => h.api('POST', `/api/v1/hotfixes/${id}/promote`, { actor: 'qa@example.com' });
const states = (x: HotfixView) => x.events.filter((e) => e.type === 'state').map((e) => e.to);

describe('verification after a production deploy', () => {
  it('healthy through the window → released: prod tag, release tag, master, back-merge', async () => {
    await h.settleAll();
    const hf = await toQa('Healthy fix');
    await promote(hf.id);
    await h.waitForState(hf.id, 'verifying', 10_000);
    const done = await h.waitForState(hf.id, 'awaiting_backmerge', 20_000);
    expect(states(done)).toEqual(expect.arrayContaining(['deploying', 'verifying', 'finalizing', 'awaiting_backmerge']));
    expect(done.tags).toHaveLength(2);
    expect(done.verification).toMatchObject({ result: { outcome: 'passed' }, consecutiveFailures: 0 });
    expect((done.verification?.rounds ?? 0) >= 4).toBe(true);
  }, 60_000);

  it('unhealthy → rolled back within the window plus the rollback deploy; prod-N stays as history, no release', async () => {
    await h.settleAll();
    const hf = await toQa('Breaks health');
    await promote(hf.id);
    await h.waitForState(hf.id, 'verifying', 10_000);
    health.setHealth(500);
    try {
      const back = await h.waitForState(hf.id, 'rolled_back', 20_000);
      expect(back.attention?.reason).toContain('HTTP 500 (expected 200)');
      expect(back.verification?.result?.outcome).toBe('failed');
      const deploy = back.deploys.find((d) => d.kind === 'hotfix');
      const rollback = back.deploys.find((d) => d.kind === 'rollback');
      expect(rollback?.status).toBe('SUCCESS');
      // Time to restore: first failed check → rollback deploy done, within the window plus the deploy.
      const ttr = (Date.parse(rollback?.finishedAt ?? '') - Date.parse(back.verification?.failingSince ?? '')) / 1000;
      expect(ttr).toBeGreaterThanOrEqual(0);
      expect(ttr).toBeLessThan(10);
      await h.waitFor(hf.id, (x) => Boolean(x.rollback?.tag), 'tag the rollback');
      expect(back.tags.some((t) => t.startsWith('v'))).toBe(false);
      h.origin.git(['fetch', '--quiet', 'origin', '--tags']);
      expect(h.origin.git(['tag', '--list', `prod-${deploy?.number ?? 0}`])).toBe(`prod-${deploy?.number ?? 0}`);
      expect(h.origin.git(['log', '--format=%s', 'origin/master']).includes(`Merge hotfix ${hf.id}`)).toBe(false);
      const stats = (await h.api('GET', '/api/v1/stats?service=payments')).body as { timeToRestore: { count: number } };
      expect(stats.timeToRestore.count).toBeGreaterThanOrEqual(1);
      expect(String((await h.api('GET', '/metrics')).body)).toContain('stage="time_to_restore"');
      await h.slack.waitForMessage((m) => (m.text ?? '').includes(hf.id) && (m.text ?? '').includes('failed its checks'));
      await h.smtp.waitFor((m) => (m.parsed.subject ?? '').includes(hf.id) && (m.parsed.subject ?? '').includes('failed its checks'));
    } finally {
      health.setHealth(200);
    }
  }, 60_000);

  it('a flapping check (fail, pass, fail …) follows the N-in-a-row rule and passes', async () => {
    await h.settleAll();
    const hf = await toQa('Flaps');
    await promote(hf.id);
    await h.waitForState(hf.id, 'verifying', 10_000);
    // Every other answer fails: never two in a row.
    let n = 0;
    const flapping = setInterval(() => health.setHealth(n++ % 2 === 0 ? 500 : 200), 240);
    try {
      const done = await h.waitForState(hf.id, 'awaiting_backmerge', 20_000);
      expect(done.verification?.result?.outcome).toBe('passed');
    } finally {
      clearInterval(flapping);
      health.setHealth(200);
    }
  }, 60_000);

  it('Prometheus down → inconclusive until the window ends, then the default: rollback', async () => {
    await h.settleAll();
    const hf = await toQa('Nobody can tell');
    await promote(hf.id);
    await h.waitForState(hf.id, 'verifying', 10_000);
    prometheus.answer(QUERY, { kind: 'error', status: 503, errorType: 'unavailable', error: 'TSDB not ready' });
    try {
      const back = await h.waitForState(hf.id, 'rolled_back', 20_000);
      expect(back.verification?.result?.reason).toContain('inconclusive');
    } finally {
      prometheus.answer(QUERY, { kind: 'vector', values: [0.001] });
    }
  }, 60_000);

  it('an operator can skip a verification whose checks are wrong (recorded); the pipeline can name a check', async () => {
    await h.settleAll();
    h.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5, payload: { verifyUrl: `${health.url}/version` } }));
    try {
      const hf = await toQa('Skip the checks');
      await promote(hf.id);
      const verifying = await h.waitForState(hf.id, 'verifying', 10_000);
      expect(verifying.deploys[0]?.verifyUrl).toBe(`${health.url}/version`);
      await h.waitFor(hf.id, (x) => (x.verification?.rounds ?? 0) >= 1, 'check once');
      expect(health.requests.some((r) => r.path === '/version')).toBe(true);
      expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/verification/skip`, { reason: 'the dashboard query is wrong' })).status).toBe(202);
      const done = await h.waitForState(hf.id, 'awaiting_backmerge', 20_000);
      expect(done.verification?.result?.reason).toBe('skipped by api: the dashboard query is wrong');
    } finally {
      h.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5 }));
    }
  }, 60_000);
});
