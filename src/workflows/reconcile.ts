// The safety net under the outbox: work committed but never scheduled (the process died in
// between, or the queue was down) is found here and scheduled. Only work that should have run
// a while ago is looked at — the store indexes hotfixes by when their earliest work is due —
// so a thousand hotfixes waiting on QA cost nothing here. Scheduling is keyed by hotfix and
// effect, so work already queued is not doubled.

import { effectDue } from '../domain/hotfix.js';
import type { Deps } from './deps.js';

// Work due less than this long ago is still on its normal path; leave it alone.
const GRACE_MS = 5_000;

export async function reconcile(deps: Pick<Deps, 'store' | 'scheduler' | 'clock' | 'log'>): Promise<number> {
  const now = deps.clock.now().getTime();
  let scheduled = 0;
  for (const id of await deps.store.withWorkDue(new Date(now - GRACE_MS))) {
    const h = await deps.store.get(id);
    if (!h) continue;
    const due = h.outbox.filter((e) => now - effectDue(e) >= GRACE_MS);
    if (due.length === 0) continue;
    await deps.scheduler.revive(id, due);
    scheduled += due.length;
  }
  if (scheduled > 0) deps.log.info({ scheduled }, 'reconciler re-scheduled outbox work');
  return scheduled;
}
