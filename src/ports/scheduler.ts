// Hands outbox work to the job queue. Scheduling the same effect twice is harmless: the
// queue keys jobs by hotfix and effect id.

import type { Effect } from '../domain/hotfix.js';

export interface Scheduler {
  schedule(hotfixId: string, effects: readonly Effect[]): Promise<void>;
  /**
   * For work still in the outbox long after it was due: a job that finished or failed without
   * recording its result (a crash, a stalled job given up) is replaced, not left to block it.
   */
  revive(hotfixId: string, effects: readonly Effect[]): Promise<void>;
  /** Run delayed work now rather than when it was due: what it waited for has happened. */
  wake(hotfixId: string, effects: readonly Effect[]): Promise<void>;
}
