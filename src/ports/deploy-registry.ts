// Facts shared across hotfixes of a service: who holds the production deploy slot, and which
// artifact each production tag stands for.

import type { Artifact } from '../domain/hotfix.js';

export type SlotClaim = { granted: true } | { granted: false; holder: string };

export interface ProductionRecord {
  commit: string;
  artifact: Artifact;
  hotfixId: string | null;
}

export interface DeployRegistry {
  /** Take the service's deploy slot (or confirm we hold it); a refused hotfix is noted as waiting. */
  claim(service: string, hotfixId: string): Promise<SlotClaim>;
  /** Take the slot from `holder` only if it still holds it (a finished holder that never let go). */
  takeOver(service: string, holder: string, hotfixId: string): Promise<boolean>;
  /** Let go (only the holder can); answers the hotfixes refused the slot and not served since, first refused first. */
  release(service: string, hotfixId: string): Promise<string[]>;
  /** A listed waiter that no longer waits (cancelled, or on its way already). */
  forget(service: string, hotfixId: string): Promise<void>;
  recordProduction(service: string, tag: string, record: ProductionRecord): Promise<void>;
  production(service: string, tag: string): Promise<ProductionRecord | null>;
}
