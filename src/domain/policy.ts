// What the domain needs to know about a service's configuration, in its own words. The
// config module's parsed service type satisfies this structurally.

export type QaProviderKind = 'jenkins' | 'command';

export interface ServicePolicy {
  name: string;
  branches: { production: string; development: string };
  tags: { production: string; release: string };
  jobs: { build: string; qaUp: string; qaDown: string; deploy: string };
  qa: { provider: QaProviderKind; ttlHours: number; recipients: readonly string[] };
  approvals: { required: number; approvers: readonly string[] };
}

export interface Timing {
  /** How long a run may go without news before Jenkins is polled for it. */
  pollIntervalMs: number;
}
