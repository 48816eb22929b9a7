import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { contractPipeline } from '../../src/sandbox/index.js';
import { JOBS, SECRETS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ pollIntervalSeconds: 1 });
});
afterAll(async () => {
  await h?.close();
});

function sign(body: string, secret = SECRETS.callbackSecret): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function postCallback(payload: object, signature?: string): Promise<{ status: number; body: unknown }> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${h.url}/api/v1/jenkins/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature === undefined ? { 'x-hotfix-signature': sign(body) } : signature ? { 'x-hotfix-signature': signature } : {}) },
    body,
  });
  return { status: res.status, body: await res.json() };
}

describe('builds and their callbacks', () => {
  it('a failed build → build_failed, and the requester gets the build URL by email', async () => {
    h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5, result: () => 'FAILURE' }));
    try {
      const hf = await h.createHotfix({ title: 'Broken build' });
      const failed = await h.waitForState(hf.id, 'build_failed');
      const build = failed.builds[0];
      expect(build?.status).toBe('FAILURE');
      const mail = await h.smtp.waitFor((m) => (m.parsed.subject?.includes(hf.id) ?? false) && (m.parsed.subject?.includes('build failed') ?? false));
      expect(mail.envelope.to).toEqual(['dev@example.com']);
      expect(mail.parsed.text).toContain(build?.url ?? 'missing');
    } finally {
      h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5 }));
    }
  });

  it('a lost callback is made up for by polling Jenkins, artifact included', async () => {
    h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5, dropStarted: true, dropFinal: true }));
    try {
      const hf = await h.createHotfix({ title: 'Lost callback' });
      const qa = await h.waitForState(hf.id, 'awaiting_approval', 20_000);
      const build = qa.builds[0];
      expect(build?.status).toBe('SUCCESS');
      expect(build?.artifact?.version).toBe(`1.0.${build?.number}`);
      expect(qa.events.some((e) => e.message?.includes('found by polling Jenkins'))).toBe(true);
    } finally {
      h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5 }));
    }
  });

  it('duplicates are answered 200 and change nothing; out-of-order STARTED never moves back', async () => {
    h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5, finalCopies: 3, finalBeforeStarted: true }));
    try {
      const hf = await h.createHotfix({ title: 'Noisy pipeline' });
      const qa = await h.waitForState(hf.id, 'awaiting_approval');
      await h.settle(hf.id);
      const statuses = h.jenkins.callbacks.filter((c) => c.job === JOBS.build && c.body.includes(hf.id)).map((c) => c.httpStatus);
      expect(statuses.filter((s) => s === 202)).toHaveLength(2); // the final once, STARTED once
      expect(statuses.filter((s) => s === 200)).toHaveLength(2); // two duplicate finals
      const build = qa.builds[0];
      expect(build?.status).toBe('SUCCESS');
      expect(qa.events.filter((e) => e.type === 'state' && e.to === 'qa_provisioning')).toHaveLength(1);
      // A replayed final again, by hand: still a duplicate.
      const replay = await postCallback({ hotfixId: hf.id, stage: 'build', job: JOBS.build, buildNumber: build?.number, status: 'SUCCESS', commit: build?.commit, artifact: build?.artifact, timestamp: new Date().toISOString() });
      expect(replay.status).toBe(200);
    } finally {
      h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5 }));
    }
  });

  it('refuses forged, unsigned, stale and malformed callbacks', async () => {
    const hf = await h.waitForState((await h.createHotfix({ title: 'Target of forgery' })).id, 'awaiting_approval');
    const build = hf.builds[0];
    const payload = { hotfixId: hf.id, stage: 'build', job: JOBS.build, buildNumber: build?.number, status: 'FAILURE', commit: build?.commit, timestamp: new Date().toISOString() };
    const body = JSON.stringify(payload);
    expect((await postCallback(payload, sign(body, 'not-the-secret-at-all'))).status).toBe(401);
    expect((await postCallback(payload, '')).status).toBe(401);
    expect((await postCallback(payload, 'sha256=zz')).status).toBe(401);
    const stale = { ...payload, timestamp: new Date(Date.now() - 6 * 60_000).toISOString() };
    expect((await postCallback(stale)).status).toBe(401);
    const bad = await postCallback({ ...payload, buildNumber: 'seven' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('buildNumber');
    expect((await postCallback({ ...payload, hotfixId: 'HF-2001-01-999' })).status).toBe(404);
    expect((await h.get(hf.id)).state).toBe('awaiting_approval');
  });

  it('a callback from a superseded build never moves the hotfix', async () => {
    h.jenkins.defineJob(JOBS.build, 'manual');
    try {
      const hf = await h.createHotfix({ title: 'Two builds' });
      const first = await h.jenkins.waitForBuildStart((b) => b.params.HOTFIX_ID === hf.id);
      expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/builds`, { actor: 'dev@example.com' })).status).toBe(202);
      const second = await h.jenkins.waitForBuildStart((b) => b.params.HOTFIX_ID === hf.id && b.number !== first.number);
      await h.jenkins.finish(JOBS.build, first.number, 'FAILURE');
      await h.waitFor(hf.id, (x) => x.builds[0]?.status === 'FAILURE', 'note the old result');
      expect((await h.get(hf.id)).state).toBe('building');
      await h.jenkins.finish(JOBS.build, second.number, 'SUCCESS');
      const done: HotfixView = await h.waitForState(hf.id, 'awaiting_approval');
      expect(done.qa?.build).toBe(second.number);
    } finally {
      h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5 }));
    }
  });

  it('a rebuild requested before Jenkins answered the first trigger: each result goes to its own build', async () => {
    h.jenkins.defineJob(JOBS.build, 'manual');
    // Jenkins queues the first build at once but answers the trigger 1.5 s later.
    h.jenkins.failNext({ match: (method, path) => method === 'POST' && path.includes('buildWithParameters'), count: 1, mode: 'late', lateMs: 1500 });
    try {
      const hf = await h.createHotfix({ title: 'Slow trigger answer' });
      const first = await h.jenkins.waitForBuildStart((b) => b.params.HOTFIX_ID === hf.id);
      expect((await h.get(hf.id)).builds[0]?.status).toBe('REQUESTED');
      expect((await h.api('POST', `/api/v1/hotfixes/${hf.id}/builds`, { actor: 'dev@example.com' })).status).toBe(202);
      const second = await h.jenkins.waitForBuildStart((b) => b.params.HOTFIX_ID === hf.id && b.number !== first.number);
      // The late answer still tells the service which queue item the superseded build is.
      const queuedFirst = `build #1 queued on Jenkins job ${JOBS.build} (queue item ${first.queueId})`;
      await h.waitFor(hf.id, (x) => x.events.some((e) => e.message === queuedFirst), "record the superseded build's queue item", 5_000);
      await h.jenkins.finish(JOBS.build, first.number, 'FAILURE');
      const noted = await h.waitFor(hf.id, (x) => x.builds[0]?.status === 'FAILURE', 'note the superseded result');
      expect(noted.state).toBe('building');
      expect(noted.builds[0]?.number).toBe(first.number);
      expect(noted.builds[1]?.status).not.toBe('FAILURE');
      await h.jenkins.finish(JOBS.build, second.number, 'SUCCESS');
      const done = await h.waitForState(hf.id, 'awaiting_approval');
      expect(done.builds[1]?.number).toBe(second.number);
      expect(done.qa?.build).toBe(second.number);
    } finally {
      h.jenkins.defineJob(JOBS.build, contractPipeline({ durationMs: 5 }));
    }
  });

  it('Jenkins answering 503 at trigger time is retried until it takes the build', async () => {
    h.jenkins.failNext({ match: (method, path) => method === 'POST' && path.includes('buildWithParameters'), count: 2, mode: 503 });
    const hf = await h.createHotfix({ title: 'Jenkins restarting' });
    const qa = await h.waitForState(hf.id, 'awaiting_approval', 20_000);
    expect(qa.builds).toHaveLength(1);
    expect(h.jenkins.triggers.filter((t) => t.job === JOBS.build && t.params.HOTFIX_ID === hf.id)).toHaveLength(1);
  });
});
