import { describe, expect, it } from 'vitest';
import { startRollback } from '../../../src/domain/deploy.js';
import { backmergeChecked, backmergeOpened, finalizeBlocked, mergedIntoProduction, mergeMessage, oneLine, published, rollbackTagged, tagMessage } from '../../../src/domain/finalize.js';
import { POLICY, at, awaitingBackmerge, BACKMERGE_CHECK_MS, ctx, effect, finalizing, must, policy, QA_URL, steps, tagged } from './builders.js';

describe('oneLine', () => {
  it('turns newlines and control characters into single spaces', () => {
    expect(oneLine('Fix\nrounding\r\nSigned-off-by: evil')).toBe('Fix rounding Signed-off-by: evil');
    expect(oneLine('\u0000a\u0007b\u001b[31mc\u007f\td ')).toBe('a b [31mc d');
    expect(oneLine('plain title')).toBe('plain title');
  });
});

describe('tag and merge messages', () => {
  it('record the hotfix, who approved when, the build, the QA run and the deploy', () => {
    const h = finalizing();
    const msg = tagMessage(h, 12);
    expect(msg.split('\n')[0]).toBe('Hotfix HF-2026-11-001: Fix rounding');
    expect(msg).toContain('Requested by: dev@example.com');
    expect(msg).toContain('Branch: hotfix/HF-2026-11-001-fix-rounding (from prod-41)');
    expect(msg).toContain('Build: payments-build #7');
    expect(msg).toContain('Artifact: 1.4.3 https://artifacts.example.com/payments/1.4.3.tgz');
    expect(msg).toContain(`QA: qa-hf-2026-11-001 ${QA_URL}`);
    expect(msg).toContain('Deploy: #12');
    expect(msg).toContain(`  - qa1@example.com at ${at(20).toISOString()} (email): looks good`);
  });

  it('list every approver of the deployed build', () => {
    const h = finalizing({ policy: policy({ required: 2 }) });
    const msg = tagMessage(h, 12);
    expect(msg).toContain('  - qa1@example.com at');
    expect(msg).toContain('  - qa2@example.com at');
  });

  it('keep a hostile title on its one line', () => {
    const h = finalizing({ title: 'Fix\n\nSigned-off-by: mallory\r\n' });
    const msg = tagMessage(h, 12);
    expect(msg.split('\n')[0]).toBe('Hotfix HF-2026-11-001: Fix Signed-off-by: mallory');
    expect(msg.split('\n')[1]).toBe('');
    expect(mergeMessage(h)).toBe('Merge hotfix HF-2026-11-001: Fix Signed-off-by: mallory');
    expect(mergeMessage(h)).not.toMatch(/[\r\n]/);
  });
});

describe('finalising', () => {
  it('tagging records both tags once and queues the merge', () => {
    const h = finalizing();
    tagged(h, { production: 'prod-12', release: 'v1.4.3' }, ctx('system', at(31)));
    tagged(h, { production: 'prod-12', release: 'v1.4.3' }, ctx('system', at(31)));
    expect(h.tags).toEqual(['prod-12', 'v1.4.3']);
    expect(h.finalization).toMatchObject({ productionTag: 'prod-12', releaseTag: 'v1.4.3' });
    expect(h.outbox.filter((e) => e.step === 'merge-production')).toHaveLength(1);
  });

  it('one publish records both tags and the merge at once and queues only the back-merge; repeated, nothing more', () => {
    const h = finalizing();
    const all = { production: 'prod-12', release: 'v1.4.3', merge: { branch: 'master', mergeCommit: 'm'.repeat(40), already: false, backmergeBranch: true } };
    const seen = h.events.length;
    published(h, all, ctx('system', at(31)));
    published(h, all, ctx('system', at(32)));
    expect(h.finalization).toMatchObject({ productionTag: 'prod-12', releaseTag: 'v1.4.3', mergeCommit: 'm'.repeat(40), backmergeBranch: true });
    expect(h.tags).toEqual(['prod-12', 'v1.4.3']);
    expect(steps(h).filter((s) => s === 'tag-release' || s === 'merge-production' || s === 'open-backmerge')).toEqual(['open-backmerge']);
    const commit = h.finalization?.commit.slice(0, 12) ?? '';
    expect(h.events.slice(seen).filter((e) => e.type === 'git').map((e) => e.message)).toEqual([`tagged ${commit} as prod-12`, `tagged ${commit} as v1.4.3`, 'merged into master as mmmmmmmmmmmm and pushed']);
  });

  it('a production tag alone while verifying queues nothing; once released it queues the release', () => {
    const verifying = finalizing();
    verifying.state = 'verifying';
    published(verifying, { production: 'prod-12' }, ctx('system', at(31)));
    expect(steps(verifying)).not.toContain('tag-release');
    const released = finalizing();
    published(released, { production: 'prod-12' }, ctx('system', at(31)));
    expect(steps(released)).toContain('tag-release');
  });

  it('the merge records its commit and queues the back-merge', () => {
    const h = finalizing();
    tagged(h, { production: 'prod-12', release: 'v1.4.3' }, ctx('system', at(31)));
    mergedIntoProduction(h, 'master', 'm'.repeat(40), false, ctx('system', at(32)));
    expect(h.finalization?.mergeCommit).toBe('m'.repeat(40));
    expect(steps(h)).toContain('open-backmerge');
    expect(h.events.at(-1)?.message).toContain('merged into master');
  });

  it('an opened back-merge → awaiting_backmerge with a check scheduled', () => {
    const h = awaitingBackmerge();
    expect(h.state).toBe('awaiting_backmerge');
    expect(h.backmerge).toEqual({ branch: 'backmerge/HF-2026-11-001', url: 'https://github.example.com/acme/payments/pull/5', number: 5, conflicts: [] });
    expect(h.finalization?.backmergePushed).toBe(true);
    expect(effect(h, 'check-backmerge')).toMatchObject({ args: { round: 1 }, runAt: new Date(at(33).getTime() + BACKMERGE_CHECK_MS).toISOString() });
    expect(h.outbox.some((e) => e.step === 'notify-slack' && e.args.event === 'backmerge')).toBe(true);
  });

  it('conflicts of the trial merge are recorded and said', () => {
    const h = finalizing();
    backmergeOpened(h, { url: null, number: null, conflicts: ['src/a.ts', 'README.md'] }, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(33)));
    expect(h.backmerge?.conflicts).toEqual(['src/a.ts', 'README.md']);
    expect(h.events.some((e) => e.to === 'awaiting_backmerge' && e.message?.includes('src/a.ts, README.md'))).toBe(true);
  });

  it('opening the back-merge twice changes nothing the second time', () => {
    const h = awaitingBackmerge();
    const before = structuredClone(h);
    backmergeOpened(h, { url: 'https://other', number: 9, conflicts: [] }, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(40)));
    expect(h).toEqual(before);
  });

  it('develop not containing the hotfix yet → check again later', () => {
    const h = awaitingBackmerge();
    backmergeChecked(h, false, 1, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(40)));
    expect(h.state).toBe('awaiting_backmerge');
    expect(h.outbox.find((e) => e.step === 'check-backmerge' && e.args.round === 2)?.runAt).toBe(new Date(at(40).getTime() + BACKMERGE_CHECK_MS).toISOString());
  });

  it('develop containing the hotfix → completed', () => {
    const h = awaitingBackmerge();
    backmergeChecked(h, true, 3, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(90)));
    expect(h.state).toBe('completed');
    expect(h.outbox.some((e) => e.step === 'notify-slack' && e.args.event === 'completed')).toBe(true);
    backmergeChecked(h, false, 4, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(91)));
    expect(h.outbox.some((e) => e.step === 'check-backmerge' && e.args.round === 5)).toBe(false);
  });

  it('who merged the proposal is recorded once and said; a host that could not say is noted, and the hotfix completes all the same', () => {
    const h = awaitingBackmerge();
    backmergeChecked(h, false, 1, BACKMERGE_CHECK_MS, POLICY, ctx('git', at(40)), { by: 'early' });
    expect(h.backmerge?.mergedBy).toBeUndefined();
    backmergeChecked(h, true, 2, BACKMERGE_CHECK_MS, POLICY, ctx('git', at(90)), { by: 'dana' });
    expect(h.backmerge).toMatchObject({ mergedBy: 'dana', mergedAt: at(90).toISOString() });
    expect(h.events.at(-1)).toMatchObject({ type: 'state', to: 'completed', message: 'develop contains the hotfix (back-merge merged by dana)' });
    backmergeChecked(h, true, 3, BACKMERGE_CHECK_MS, POLICY, ctx('git', at(91)), { by: 'someone-else' });
    expect(h.backmerge?.mergedBy).toBe('dana');

    const unasked = awaitingBackmerge();
    backmergeChecked(unasked, true, 1, BACKMERGE_CHECK_MS, POLICY, ctx('git', at(90)), { unasked: 'github: read pull request #7: HTTP 503' });
    expect(unasked.state).toBe('completed');
    expect(unasked.backmerge?.mergedBy).toBeNull();
    expect(unasked.events.some((e) => e.message === 'who merged the back-merge is not recorded: github: read pull request #7: HTTP 503')).toBe(true);
  });

  it('a blocked step → needs_attention saying production already runs it, with a retry', () => {
    const h = finalizing();
    finalizeBlocked(h, 'tag prod-12 exists at another commit', 'delete or move it by hand', ctx('system', at(31)), { step: 'tag-production', args: { seq: 1 } });
    expect(h.state).toBe('needs_attention');
    expect(h.attention).toMatchObject({
      reason: 'tag prod-12 exists at another commit (production already runs this hotfix)',
      fromState: 'finalizing',
      retry: { step: 'tag-production', args: { seq: 1 } },
    });
  });

  it('the tag of a rollback is recorded once, and only for a rollback', () => {
    const h = awaitingBackmerge();
    rollbackTagged(h, 'prod-13', null, [], ctx());
    expect(h.tags).toEqual(['prod-12', 'v1.4.3']);
    startRollback(h, { reason: 'errors', automatic: false }, ctx('ops@example.com', at(50)));
    rollbackTagged(h, 'prod-13', null, [], ctx('system', at(60)));
    rollbackTagged(h, 'prod-13', null, [], ctx('system', at(61)));
    expect(h.tags).toEqual(['prod-12', 'v1.4.3', 'prod-13']);
    expect(must(h.rollback).tag).toBe('prod-13');
  });

  it('a rollback records its environment and rollback tags with it, each once', () => {
    const h = awaitingBackmerge();
    startRollback(h, { reason: 'errors', automatic: false }, ctx('ops@example.com', at(50)));
    const landed = 'v1.4.2-hotfix.1-production-20261204T050607Z';
    rollbackTagged(h, 'prod-13', 'v1.4.3-rollback-errors', [landed, 'prod-13'], ctx('system', at(60)));
    rollbackTagged(h, 'prod-13', 'v1.4.3-rollback-errors', [landed], ctx('system', at(61)));
    expect(h.tags).toEqual(['prod-12', 'v1.4.3', 'prod-13', landed, 'v1.4.3-rollback-errors']);
    expect(must(h.rollback).marker).toBe('v1.4.3-rollback-errors');
  });
});
