import { describe, expect, it } from 'vitest';
import { canBuild } from '../../../src/domain/build.js';
import { branchConflict, hasBranch, newHotfix, recordBranch } from '../../../src/domain/create.js';
import { toPublicView } from '../../../src/domain/hotfix.js';
import { flagAttention } from '../../../src/domain/record.js';
import { BASE_COMMIT, building, COMMIT_1, ctx, effect, finalizing, ID, T0 } from './builders.js';

const input = { id: ID, service: 'payments', title: '"; rm -rf / #', requestedBy: 'dev@example.com', commits: ['abc123', 'def456'] };

describe('a new hotfix', () => {
  it('is open, on a safe branch, with one event and nothing to do yet', () => {
    const h = newHotfix(input, T0);
    expect(h).toMatchObject({ id: ID, state: 'open', branch: 'hotfix/HF-2026-11-001-rm-rf', title: '"; rm -rf / #', baseRef: null, baseTag: null, createdAt: T0.toISOString() });
    expect(h.commits).toEqual(['abc123', 'def456']);
    expect(h.events).toEqual([{ at: T0.toISOString(), type: 'state', to: 'open', actor: 'dev@example.com', message: 'hotfix requested' }]);
    expect(h.outbox).toEqual([]);
    expect(hasBranch(h)).toBe(false);
  });

  it('keeps its own copy of the commits it was given', () => {
    const commits = ['abc123'];
    const h = newHotfix({ ...input, commits }, T0);
    commits.push('evil');
    expect(h.commits).toEqual(['abc123']);
  });

  it('records where its branch came from and announces itself once', () => {
    const h = newHotfix({ ...input, baseRef: 'prod-40' }, T0);
    recordBranch(h, { baseTag: 'prod-40', baseCommit: BASE_COMMIT, head: COMMIT_1, adopted: false }, ctx('system', T0));
    recordBranch(h, { baseTag: 'prod-40', baseCommit: BASE_COMMIT, head: COMMIT_1, adopted: true }, ctx('system', T0));
    expect(h).toMatchObject({ baseRef: 'prod-40', baseTag: 'prod-40', baseCommit: BASE_COMMIT, head: COMMIT_1 });
    expect(hasBranch(h)).toBe(true);
    expect(h.outbox.filter((e) => e.step === 'notify-slack')).toHaveLength(1);
    expect(h.events.at(-2)?.message).toContain('2 commit(s) cherry-picked');
    expect(h.events.at(-1)?.message).toContain('found on origin');
  });

  it('a cherry-pick conflict on a retried creation needs a person and lists the files', () => {
    const h = newHotfix(input, T0);
    branchConflict(h, ctx(), 'cherry-pick of abc123 conflicts', ['src/a.ts', 'src/b.ts']);
    expect(h.state).toBe('needs_attention');
    expect(h.attention?.reason).toBe('cherry-pick of abc123 conflicts: src/a.ts, src/b.ts');
    expect(effect(h, 'notify-slack')).toBeDefined();
  });

  it('the public view leaves out internal bookkeeping', () => {
    const view = toPublicView(building()) as Record<string, unknown>;
    expect(view).not.toHaveProperty('outbox');
    expect(view).not.toHaveProperty('version');
    expect(view).not.toHaveProperty('seenReports');
    expect(view).toHaveProperty('events');
    expect(view).toHaveProperty('builds');
  });
});

describe('canBuild from needs_attention', () => {
  it('is allowed when the hotfix stopped before production', () => {
    const h = building();
    flagAttention(h, ctx(), 'jenkins job missing', 'create it, then build again');
    expect(canBuild(h)).toBe(true);
  });

  it('is refused once production was touched', () => {
    const h = finalizing();
    expect(canBuild(h)).toBe(false);
    flagAttention(h, ctx(), 'tag exists', 'look');
    expect(canBuild(h)).toBe(false);
  });
});
