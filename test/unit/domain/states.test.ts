import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../../src/domain/errors.js';
import { flagAttention, moveTo } from '../../../src/domain/record.js';
import { assertTransition, canTransition, isState, PRE_PRODUCTION, STATES, TERMINAL, type HotfixState } from '../../../src/domain/states.js';
import { building, ctx, opened } from './builders.js';

const LEGAL: [HotfixState, HotfixState][] = [
  ['open', 'building'],
  ['building', 'qa_provisioning'],
  ['building', 'build_failed'],
  ['build_failed', 'building'],
  ['qa_provisioning', 'awaiting_approval'],
  ['awaiting_approval', 'deploying'],
  ['awaiting_approval', 'rejected'],
  ['rejected', 'building'],
  ['deploying', 'finalizing'],
  ['deploying', 'rolled_back'],
  ['finalizing', 'awaiting_backmerge'],
  ['awaiting_backmerge', 'completed'],
  ['completed', 'rolled_back'],
  ['needs_attention', 'building'],
  ['awaiting_approval', 'cancelled'],
];

const ILLEGAL: [HotfixState, HotfixState][] = [
  ['open', 'deploying'],
  ['open', 'awaiting_approval'],
  ['building', 'deploying'],
  ['qa_provisioning', 'deploying'],
  ['build_failed', 'deploying'],
  ['rejected', 'deploying'],
  ['deploying', 'cancelled'],
  ['finalizing', 'cancelled'],
  ['awaiting_backmerge', 'cancelled'],
  ['deploying', 'awaiting_approval'],
  ['completed', 'building'],
  ['rolled_back', 'building'],
  ['cancelled', 'building'],
  ['cancelled', 'open'],
  ['needs_attention', 'open'],
];

describe('the transition table', () => {
  it.each(LEGAL)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(ILLEGAL)('refuses %s → %s with InvalidStateError naming the state', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let caught: unknown;
    try {
      assertTransition(from, to);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidStateError);
    expect((caught as InvalidStateError).state).toBe(from);
    expect((caught as InvalidStateError).message).toContain(`'${from}'`);
    expect((caught as InvalidStateError).message).toContain(`'${to}'`);
  });

  it('lets nothing leave cancelled', () => {
    for (const to of STATES) expect(canTransition('cancelled', to), to).toBe(false);
  });

  it('never lets a hotfix that touched production go back to a pre-production state (except building after a stale base)', () => {
    const touched: HotfixState[] = ['finalizing', 'awaiting_backmerge', 'completed', 'rolled_back'];
    for (const from of touched) {
      for (const to of PRE_PRODUCTION) expect(canTransition(from, to), `${from} → ${to}`).toBe(false);
    }
  });

  it('knows the states of the contract and nothing else', () => {
    expect(STATES).toHaveLength(14);
    expect(isState('awaiting_backmerge')).toBe(true);
    expect(isState('approved')).toBe(false);
    expect(TERMINAL).toEqual(['completed', 'rolled_back', 'cancelled']);
  });
});

describe('moveTo', () => {
  it('records a state event with from, to, actor and time', () => {
    const h = opened();
    const now = new Date('2026-11-05T11:00:00Z');
    moveTo(h, 'building', ctx('ann@example.com', now), 'why');
    expect(h.state).toBe('building');
    expect(h.events.at(-1)).toEqual({ at: now.toISOString(), type: 'state', from: 'open', to: 'building', actor: 'ann@example.com', message: 'why' });
    expect(h.updatedAt).toBe(now.toISOString());
  });

  it('throws on an illegal move and leaves the hotfix as it was', () => {
    const h = opened();
    const before = structuredClone(h);
    expect(() => moveTo(h, 'deploying', ctx())).toThrow(InvalidStateError);
    expect(h).toEqual(before);
  });

  it('clears the attention when a hotfix leaves needs_attention', () => {
    const h = building();
    flagAttention(h, ctx(), 'broken', 'fix it');
    expect(h.state).toBe('needs_attention');
    expect(h.attention?.fromState).toBe('building');
    moveTo(h, 'building', ctx());
    expect(h.attention).toBeNull();
  });

  it('keeps the original state when attention is flagged twice', () => {
    const h = building();
    flagAttention(h, ctx(), 'first', 'a');
    flagAttention(h, ctx(), 'second', 'b');
    expect(h.attention).toMatchObject({ reason: 'second', fromState: 'building' });
    expect(h.events.filter((e) => e.type === 'state' && e.to === 'needs_attention')).toHaveLength(1);
  });
});
