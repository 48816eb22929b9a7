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

/**
 * `--bad`: the fix also switches the app's payment-gateway check to a host that does not exist.
 * The tests pass, QA looks fine — and production's /health fails after the deploy, so the
 * verification rolls it back.
 */
const breaksHealth: Change = (work) => {
  fix(work);
  replaceIn('src/health.js', 'paymentGateway: true', "paymentGateway: process.env.PAYMENT_GATEWAY_URL !== undefined || process.env.APP_ENV !== 'production'")(work);
};

export async function requestFirstHotfix(origin: DemoOrigin, api: DemoApi, service: string, from: string, bad = false): Promise<HotfixView> {
  const message = bad
    ? 'Show prices with two decimals, read the payment gateway from the environment\n\n3 × €1.10 printed as €3.3000000000000003.'
    : 'Show prices with two decimals\n\n3 × €1.10 printed as €3.3000000000000003.';
  const sha = await origin.commit(FIX_BRANCH, message, bad ? breaksHealth : fix, from);
  return api.createHotfix({ service, title: FIRST_HOTFIX_TITLE, requestedBy: REQUESTER, commits: [sha] });
}
