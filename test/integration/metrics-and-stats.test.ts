import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractPipeline } from '../../src/sandbox/index.js';
import { JOBS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  // Nothing here waits for develop: a back-merge check every second could complete the good
  // hotfix between the metrics scrape and the stats read on a slow machine.
  // The test counts git operations: the branch-recovery job (1 s in the harness) re-cuts a
  // branch, idempotently, when a create request takes longer than that on a loaded machine
  // (fresh-clone CI saw createHotfixBranch 4 times for 2 hotfixes).
  h = await startHarness({
    backmergeCheckSeconds: 3600,
    config: (raw) => {
      raw.git = { ...(raw.git as Record<string, unknown>), branchRecoverySeconds: 120 };
    },
  });
});
afterAll(async () => {
  await h?.close();
});

async function toProduction(title: string): Promise<string> {
  const hf = await h.waitForState((await h.createHotfix({ title })).id, 'awaiting_approval');
  await h.api('POST', `/api/v1/hotfixes/${hf.id}/promote`, { actor: 'qa@example.com' });
  return hf.id;
}

describe('what a team can see', () => {
  it('metrics in Prometheus format and the DORA figures from the service’s own records', async () => {
    const good = await toProduction('Ships fine');
    await h.waitForState(good, 'awaiting_backmerge');
    h.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5, result: (b) => (b.params.DEPLOY_KIND === 'hotfix' ? 'FAILURE' : 'SUCCESS') }));
    const bad = await toProduction('Fails in production');
    await h.waitFor(bad, (x) => x.state === 'rolled_back' && x.rollback?.tag !== null, 'roll back');
    h.jenkins.defineJob(JOBS.deploy, contractPipeline({ durationMs: 5 }));
    // The requester's rollback email is the last SMTP call; let it happen before scraping.
    await h.smtp.waitFor((m) => (m.parsed.subject?.includes(bad) ?? false) && (m.parsed.subject?.includes('rolled back') ?? false));
    await h.settle(bad);

    const res = await fetch(`${h.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/hotfix_transitions_total\{service="payments",from="building",to="qa_provisioning"\} [2-9]/);
    expect(text).toMatch(/hotfix_stage_duration_seconds_count\{service="payments",stage="lead_time"\} 1/);
    expect(text).toMatch(/hotfix_stage_duration_seconds_count\{service="payments",stage="qa_wait"\} 2/);
    expect(text).toMatch(/hotfix_external_call_duration_seconds_count\{system="jenkins",operation="triggerOnce",outcome="ok"\} \d+/);
    expect(text).toMatch(/hotfix_external_call_duration_seconds_count\{system="smtp",operation="send",outcome="ok"\} \d+/);
    expect(text).toMatch(/hotfix_git_operation_duration_seconds_count\{operation="createHotfixBranch",outcome="ok"\} 2/);
    // The per-repository git lock's waits (issue 14): every git operation went through it.
    expect(text).toMatch(/hotfix_lock_wait_seconds_count\{lock="git"\} [1-9]\d*/);
    expect(text).toMatch(/hotfix_job_duration_seconds_count\{step="trigger-run",outcome="done"\} \d+/);
    expect(text).toMatch(/hotfix_hotfixes\{state="rolled_back"\} 1/);
    expect(text).toMatch(/hotfix_hotfixes\{state="awaiting_backmerge"\} 1/);
    expect(text).toMatch(/hotfix_queue_jobs\{state="failed"\} 0/);
    // Its process holds a worker seat (the only worker on these cores).
    expect(text).toMatch(/^hotfix_worker_active 1$/m);

    const stats = await h.api('GET', '/api/v1/stats?service=payments&days=7');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      hotfixes: 2,
      byState: { awaiting_backmerge: 1, rolled_back: 1 },
      deployments: 2,
      failedDeployments: 1,
      changeFailureRate: 0.5,
      leadTime: { count: 1 },
      qaWait: { count: 2 },
      timeToRestore: { count: 1 },
      window: { service: 'payments' },
    });
    expect((await h.api('GET', '/api/v1/stats?days=0')).status).toBe(400);
  });
});
