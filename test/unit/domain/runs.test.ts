import { describe, expect, it } from 'vitest';
import { requestBuild } from '../../../src/domain/build.js';
import { applyReport } from '../../../src/domain/reports.js';
import { armPoll, isAmbiguous, isCurrent, recordQueued, reportKey, takeReport } from '../../../src/domain/runs.js';
import {
  ARTIFACT_1,
  ARTIFACT_2,
  at,
  BUILD_1,
  BUILD_2,
  building,
  COMMIT_1,
  COMMIT_2,
  ctx,
  must,
  opened,
  POLICY,
  POLL_MS,
  queueBuild,
  report,
  steps,
} from './builders.js';

const success = (number = BUILD_1, commit = COMMIT_1, artifact = ARTIFACT_1) =>
  report({ stage: 'build', number, status: 'SUCCESS', commit, artifact });

describe('reports about runs', () => {
  it('are identified by stage, build number and status', () => {
    expect(reportKey({ stage: 'build', number: 7, status: 'SUCCESS' })).toBe('build:7:SUCCESS');
  });

  it('a repeated report is a duplicate and changes nothing', () => {
    const h = building();
    expect(applyReport(h, success(), POLICY, ctx('jenkins', at(10))).kind).toBe('finished');
    const after = structuredClone(h);
    expect(applyReport(h, success(), POLICY, ctx('jenkins', at(11))).kind).toBe('duplicate');
    expect(applyReport(h, { ...success(), source: 'poll' }, POLICY, ctx('jenkins-poll', at(12))).kind).toBe('duplicate');
    expect(h).toEqual(after);
  });

  it('STARTED records the build number and moves the run forward only', () => {
    const h = building();
    const out = applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'STARTED', url: 'https://ci/job/7/' }), POLICY, ctx('jenkins', at(3)));
    expect(out.kind).toBe('progress');
    const run = must(h.builds[0]);
    expect(run).toMatchObject({ number: BUILD_1, status: 'STARTED', url: 'https://ci/job/7/' });
    expect(h.state).toBe('building');
  });

  it('STARTED arriving after the result never moves the run or hotfix back', () => {
    const h = building();
    applyReport(h, success(), POLICY, ctx('jenkins', at(10)));
    const state = h.state;
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'STARTED' }), POLICY, ctx('jenkins', at(11)));
    expect(must(h.builds[0]).status).toBe('SUCCESS');
    expect(h.state).toBe(state);
    expect(state).toBe('qa_provisioning');
  });

  it('a second, different result for the same run is ignored', () => {
    const h = building();
    applyReport(h, success(), POLICY, ctx('jenkins', at(10)));
    const out = applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'FAILURE', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(11)));
    expect(out.kind).toBe('ignored');
    expect(must(h.builds[0]).status).toBe('SUCCESS');
    expect(h.state).toBe('qa_provisioning');
  });

  it('a report for a job or run the hotfix does not know is ignored', () => {
    const h = opened();
    expect(takeReport(h, success(), ctx()).kind).toBe('ignored');
    const b = building();
    expect(takeReport(b, { ...success(), job: 'someone-elses-job' }, ctx()).kind).toBe('ignored');
    expect(b.state).toBe('building');
  });

  it('the result of a superseded build does not move the hotfix', () => {
    const h = building();
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'STARTED' }), POLICY, ctx('jenkins', at(3)));
    queueBuild(h, COMMIT_2, POLICY, at(4));
    expect(must(h.builds[0]).superseded).toBe(true);
    const out = applyReport(h, success(), POLICY, ctx('jenkins', at(10)));
    expect(out.kind).toBe('finished');
    expect(h.state).toBe('building');
    expect(h.qa).toBeNull();
    applyReport(h, success(BUILD_2, COMMIT_2, ARTIFACT_2), POLICY, ctx('jenkins', at(12)));
    expect(h.state).toBe('qa_provisioning');
    expect(h.qa).toMatchObject({ build: BUILD_2, commit: COMMIT_2, artifact: ARTIFACT_2 });
  });

  it('a superseded build that fails does not mark the hotfix failed', () => {
    const h = building();
    queueBuild(h, COMMIT_2, POLICY, at(4));
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'FAILURE', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(10)));
    expect(h.state).toBe('building');
    expect(steps(h)).not.toContain('notify-requester');
  });

  it('an unnumbered pending run is matched by its commit', () => {
    const h = building(); // build #1 of COMMIT_1, not numbered yet
    queueBuild(h, COMMIT_2, POLICY, at(4)); // build #2 of COMMIT_2, not numbered yet
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'STARTED', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(5)));
    expect(must(h.builds[0]).number).toBe(BUILD_1);
    expect(must(h.builds[1]).number).toBeNull();
    applyReport(h, report({ stage: 'build', number: BUILD_2, status: 'STARTED', commit: COMMIT_2 }), POLICY, ctx('jenkins', at(6)));
    expect(must(h.builds[1]).number).toBe(BUILD_2);
  });

  it('a late report of an old unnumbered build never takes the place of the newer one', () => {
    const h = building();
    queueBuild(h, COMMIT_2, POLICY, at(4));
    applyReport(h, success(BUILD_1, COMMIT_1, ARTIFACT_1), POLICY, ctx('jenkins', at(10)));
    expect(must(h.builds[0]).status).toBe('SUCCESS');
    expect(must(h.builds[1]).status).toBe('QUEUED');
    expect(h.state).toBe('building');
  });

  it('the newest run is the current one; a superseded one is not', () => {
    const h = building();
    const first = must(h.builds[0]);
    expect(isCurrent(h, first)).toBe(true);
    queueBuild(h, COMMIT_2, POLICY, at(4));
    expect(isCurrent(h, first)).toBe(false);
    expect(isCurrent(h, must(h.builds[1]))).toBe(true);
  });

  it('a build superseded while its trigger was in flight keeps its queue item; nobody polls for it', () => {
    const h = opened();
    const first = requestBuild(h, POLICY, ctx('dev@example.com', at(2)));
    requestBuild(h, POLICY, ctx('dev@example.com', at(3)));
    recordQueued(h, first, { queueId: 8, commit: COMMIT_1 }, ctx('system', at(4)), POLL_MS);
    expect(first).toMatchObject({ superseded: true, status: 'QUEUED', queueId: 8 });
    expect(h.outbox.filter((e) => e.step === 'check-run' && e.args.seq === first.seq)).toHaveLength(0);
  });

  it('two unnumbered builds of one commit: the report is ambiguous, and a run Jenkins rules out is never matched', () => {
    const h = opened();
    const first = requestBuild(h, POLICY, ctx('dev@example.com', at(2))); // trigger still in flight
    const second = queueBuild(h, COMMIT_1, POLICY, at(3));
    const started = report({ stage: 'build', number: BUILD_1, status: 'STARTED', commit: COMMIT_1 });
    expect(isAmbiguous(h, started)).toBe(true);
    // Jenkins: the second run's queue item still waits, so build #BUILD_1 is the first run's.
    applyReport(h, { ...started, notRuns: [second.seq] }, POLICY, ctx('jenkins', at(5)));
    expect(first.number).toBe(BUILD_1);
    expect(second.number).toBeNull();
    applyReport(h, report({ stage: 'build', number: BUILD_1, status: 'FAILURE', commit: COMMIT_1 }), POLICY, ctx('jenkins', at(6)));
    expect(first.status).toBe('FAILURE');
    expect(h.state).toBe('building');
    expect(isAmbiguous(h, report({ stage: 'build', number: BUILD_2, status: 'STARTED' }))).toBe(false);
  });

  it('a result that arrives before the trigger step records the queue item is kept', () => {
    const h = opened();
    const run = requestBuild(h, POLICY, ctx('dev@example.com', at(2)));
    applyReport(h, success(), POLICY, ctx('jenkins', at(3)));
    expect(h.state).toBe('qa_provisioning');
    recordQueued(h, run, { queueId: 55, commit: COMMIT_1 }, ctx('system', at(4)), POLL_MS);
    expect(run).toMatchObject({ status: 'SUCCESS', number: BUILD_1, queueId: 55 });
    expect(h.state).toBe('qa_provisioning');
  });
});

describe('polling for overdue reports', () => {
  it('queueing a run arms a poll one interval after the request', () => {
    const h = opened();
    const run = requestBuild(h, POLICY, ctx('dev@example.com', at(2)));
    recordQueued(h, run, { queueId: 55, commit: COMMIT_1 }, ctx('system', at(2)), POLL_MS);
    const poll = must(h.outbox.find((e) => e.step === 'check-run'));
    expect(poll.args).toEqual({ stage: 'build', seq: 1, round: 1 });
    expect(poll.runAt).toBe(new Date(at(2).getTime() + POLL_MS).toISOString());
    expect(run).toMatchObject({ status: 'QUEUED', queueId: 55, commit: COMMIT_1 });
  });

  it('a poll is never due in the past', () => {
    const h = building();
    const run = must(h.builds[0]);
    armPoll(h, run, ctx('system', at(60)), POLL_MS, 2);
    const poll = must(h.outbox.find((e) => e.step === 'check-run' && e.args.round === 2));
    expect(poll.runAt).toBe(at(60).toISOString());
  });

  it('the result drops the pending polls of that run', () => {
    const h = building();
    expect(steps(h)).toContain('check-run');
    applyReport(h, success(), POLICY, ctx('jenkins', at(10)));
    expect(h.outbox.filter((e) => e.step === 'check-run' && e.args.stage === 'build')).toEqual([]);
  });

  it('a result found by polling is taken like a callback, once', () => {
    const h = building();
    const polled = { ...success(), source: 'poll' as const };
    expect(applyReport(h, polled, POLICY, ctx('jenkins-poll', at(10))).kind).toBe('finished');
    expect(h.state).toBe('qa_provisioning');
    expect(h.events.some((e) => e.message?.includes('found by polling Jenkins'))).toBe(true);
    expect(applyReport(h, success(), POLICY, ctx('jenkins', at(11))).kind).toBe('duplicate');
  });

  it('a run first heard of by its STARTED callback (the record of its trigger lost in a failover) is polled until it ends', () => {
    // The trigger reached Jenkins, but the write that recorded it (and armed its poll) was lost.
    const h = opened();
    requestBuild(h, POLICY, ctx('dev@example.com', at(2)));
    expect(steps(h)).not.toContain('check-run');
    const started = report({ stage: 'build', number: BUILD_1, status: 'STARTED', commit: COMMIT_1 });

    expect(applyReport(h, started, POLICY, ctx('jenkins', at(3)), { pollIntervalMs: POLL_MS }).kind).toBe('progress');

    const polls = h.outbox.filter((e) => e.step === 'check-run');
    expect(polls.map((e) => e.args)).toEqual([{ stage: 'build', seq: 1, round: 1 }]);
    expect(polls[0]?.runAt).toBe(new Date(at(3).getTime() + POLL_MS).toISOString());
    // Recorded as queued afterwards (the usual order when Jenkins starts at once): still one poll.
    recordQueued(h, must(h.builds[0]), { queueId: 101, commit: COMMIT_1 }, ctx('system', at(3)), POLL_MS);
    expect(h.outbox.filter((e) => e.step === 'check-run')).toHaveLength(1);
  });
});
