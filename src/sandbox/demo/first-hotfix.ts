/**
 * The hotfix the demo starts with, so there is something to click: a developer fixes the
 * price formatting on a branch, and asks the service to cherry-pick that commit onto a
 * hotfix branch cut from production.
 */
import type { DemoApi } from './api-client.js';
import type { HotfixView } from '../../domain/hotfix.js';
import { replaceIn, writeFiles, type Change, type DemoOrigin } from './origin.js';

export const FIX_BRANCH = 'fix/price-format';
export const FIRST_HOTFIX_TITLE = 'Show prices with two decimals';
export const REQUESTER = 'dev@example.com';

/** What the fixed app prints for three flat whites; production prints €3.3000000000000003. */
export const FIXED_TOTAL = '€3.30';
export const BROKEN_TOTAL = '€3.3000000000000003';

const fix: Change = (work) => {
  replaceIn('src/price.js', 'return `€${amount}`;', 'return `€${amount.toFixed(2)}`;')(work);
  writeFiles({
    'test/format-price.test.js': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPrice, orderTotal } from '../src/price.js';

test('prices always show two decimals', () => {
  assert.equal(formatPrice(0.9), '€0.90');
  assert.equal(formatPrice(orderTotal(1.1, 3)), '${FIXED_TOTAL}');
});
`,
  })(work);
};

export async function requestFirstHotfix(origin: DemoOrigin, api: DemoApi, service: string, from: string): Promise<HotfixView> {
  const sha = await origin.commit(FIX_BRANCH, 'Show prices with two decimals\n\n3 × €1.10 printed as €3.3000000000000003.', fix, from);
  return api.createHotfix({ service, title: FIRST_HOTFIX_TITLE, requestedBy: REQUESTER, commits: [sha] });
}
