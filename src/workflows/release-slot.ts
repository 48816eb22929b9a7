// Letting go of a service's production deploy slot, and waking the hotfix that has waited
// longest (the domain's `nextWaiter`) now rather than at its next look. Only one: the others
// would be refused again; they stay listed for the next release.

import { nextWaiter, slotWaits } from '../domain/deploy-slot.js';
import type { Deps } from './deps.js';

export async function releaseSlot(deps: Pick<Deps, 'deployments' | 'store' | 'scheduler'>, service: string, hotfixId: string): Promise<void> {
  const listed = await deps.deployments.release(service, hotfixId);
  const waiters = [];
  for (const id of listed) {
    const h = await deps.store.get(id);
    waiters.push(h);
    if (h && slotWaits(h).length > 0) break;
  }
  const next = nextWaiter(waiters);
  // Listed but no longer waiting (cancelled, or on its way already): forget them.
  for (const [i, h] of waiters.entries()) {
    if (h === next) break;
    await deps.deployments.forget(service, h?.id ?? listed[i] ?? '');
  }
  if (next) await deps.scheduler.wake(next.id, slotWaits(next));
}
