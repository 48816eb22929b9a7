import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotfixView } from '../../src/domain/hotfix.js';
import { contractPipeline } from '../../src/sandbox/index.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('from a hotfix request to the QA email', () => {
  it('branches from the newest production tag, builds, provisions QA and emails QA', async () => {
    const fix = h.origin.commit('fix/rounding', { 'app.js': 'export const rate = 1.0;\nexport const rounding = "half-even";\n' }, 'Round refunds half-even', 'prod-10');
    const created = await h.createHotfix({ commits: [fix] });
    expect(created.id).toMatch(/^HF-\d{4}-\d{2}-\d{3}$/);
    expect(created.baseTag).toBe('prod-10');
    expect(created.baseCommit).toBe(h.origin.rev('prod-10^{commit}'));
    expect(created.branch).toBe(`hotfix/${created.id}-fix-rounding-of-refunds`);
    expect(h.origin.remoteRev(`refs/heads/${created.branch}`)).not.toBeNull();

    const ready = await h.waitForState(created.id, 'awaiting_approval');
    const build = ready.builds[0];
    expect(build?.status).toBe('SUCCESS');
    expect(build?.artifact?.version).toBe(`1.0.${build?.number}`);
    expect(ready.qa?.env).toBe(`qa-${created.id.toLowerCase()}`);
    expect(ready.qa?.url).toBe(`https://qa-${created.id.toLowerCase()}.example.com`);

    const buildTrigger = h.jenkins.triggers.find((t) => t.job === JOBS.build && t.params.HOTFIX_ID === created.id);
    expect(buildTrigger?.params).toMatchObject({ STAGE: 'build', SERVICE: 'payments', BRANCH: created.branch, CALLBACK_URL: `${h.url}/api/v1/jenkins/events` });
    expect(buildTrigger?.params.COMMIT).toBe(h.origin.remoteRev(`refs/heads/${created.branch}`));
    const qaTrigger = h.jenkins.triggers.find((t) => t.job === JOBS.qaUp && t.params.HOTFIX_ID === created.id);
    expect(qaTrigger?.params).toMatchObject({ STAGE: 'qa-up', QA_ENV: ready.qa?.env, ARTIFACT_VERSION: build?.artifact?.version, COMMIT: build?.commit });

    const mail = await h.smtp.waitFor((m) => m.parsed.subject?.includes(created.id) ?? false, 10_000);
    expect(mail.envelope.to).toEqual(['qa-team@example.com']);
    expect(mail.parsed.subject).toContain('payments');
    expect(mail.parsed.subject).toContain('Fix rounding of refunds');
    const text = mail.parsed.text ?? '';
    expect(text).toContain(ready.qa?.url ?? 'missing');
    expect(text).toContain('Round refunds half-even');
    expect(text).toContain('app.js');
    expect(text).toContain('dev@example.com');
    expect(mail.parsed.html).toContain('Promote to production');
    const links = text.match(/http:\/\/127\.0\.0\.1:\d+\/actions\/\S+/g) ?? [];
    expect(links).toHaveLength(2);

    const settled: HotfixView = await h.settle(created.id);
    expect(settled.events.filter((e) => e.type === 'state').map((e) => e.to)).toEqual(['open', 'building', 'qa_provisioning', 'awaiting_approval']);
    expect(h.smtp.messages.filter((m) => m.parsed.subject?.includes(created.id))).toHaveLength(1);
  });

  it('looks up what the build changes while QA comes up, so the email waits for no git', async () => {
    h.jenkins.defineJob(JOBS.qaUp, 'manual');
    try {
      const fix = h.origin.commit('fix/fees', { 'card-fee.js': 'export const cardFee = 0.02;\n' }, 'Lower the card fee', 'prod-10');
      const created = await h.createHotfix({ title: 'Lower the card fee', commits: [fix] });
      const qaUp = await h.jenkins.waitForBuildStart((b) => b.job === JOBS.qaUp && b.params.HOTFIX_ID === created.id, 30_000);
      // QA is still coming up: the lists are in the record already.
      const deadline = Date.now() + 10_000;
      let record = await h.service.deps.store.get(created.id);
      while (!record?.qa?.changeList && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        record = await h.service.deps.store.get(created.id);
      }
      expect(record?.state).toBe('qa_provisioning');
      expect(record?.qa?.changes).toEqual({ commits: 1, files: 1 });
      expect(record?.qa?.changeList).toEqual({ commits: [{ sha: expect.stringMatching(/^[0-9a-f]{40}$/), subject: 'Lower the card fee', author: expect.stringContaining('<') }], files: [{ status: 'A', path: 'card-fee.js' }] });
      expect(record?.outbox.some((e) => e.step === 'prepare-qa-email')).toBe(false);

      await h.jenkins.finish(JOBS.qaUp, qaUp.number, 'SUCCESS');
      const mail = await h.smtp.waitFor((m) => m.parsed.subject?.includes(created.id) ?? false, 10_000);
      expect(mail.parsed.text).toContain('Lower the card fee');
      expect(mail.parsed.text).toContain('A card-fee.js');
      const settled = await h.settle(created.id);
      expect(settled.events.filter((e) => e.message?.startsWith('QA email sent')).map((e) => e.message)).toEqual(['QA email sent to 1 recipient(s)']);
    } finally {
      h.jenkins.defineJob(JOBS.qaUp, contractPipeline({ durationMs: 5 }));
    }
  });
});
