import { describe, expect, it } from 'vitest';
import { backmergeChecked } from '../../../src/domain/finalize.js';
import { POLICY, at, awaitingBackmerge, BACKMERGE_CHECK_MS, ctx, policy } from './builders.js';

describe('the whole road, with the real domain functions', () => {
  it.each([1, 2])('goes from open to completed with %i required approver(s), every move recorded', (required) => {
    const h = awaitingBackmerge({ policy: policy({ required }) });
    backmergeChecked(h, true, 1, BACKMERGE_CHECK_MS, POLICY, ctx('system', at(90)));
    const moves = h.events.filter((e) => e.type === 'state').map((e) => e.to);
    expect(moves).toEqual(['open', 'building', 'qa_provisioning', 'awaiting_approval', 'deploying', 'finalizing', 'awaiting_backmerge', 'completed']);
    expect(h.approvals).toHaveLength(required);
    expect(h.tags).toEqual(['prod-12', 'v1.4.3']);
    for (const e of h.events) expect(Date.parse(e.at)).not.toBeNaN();
    const times = h.events.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
  });
});
