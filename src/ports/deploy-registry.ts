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
  /** Take the service's deploy slot (or confirm we hold it). */
  claim(service: string, hotfixId: string): Promise<SlotClaim>;
  /** Take the slot from `holder` only if it still holds it (a finished holder that never let go). */
  takeOver(service: string, holder: string, hotfixId: string): Promise<boolean>;
  release(service: string, hotfixId: string): Promise<void>;
  recordProduction(service: string, tag: string, record: ProductionRecord): Promise<void>;
  production(service: string, tag: string): Promise<ProductionRecord | null>;
}
