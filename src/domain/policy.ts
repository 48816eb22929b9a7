// What the domain needs to know about a service's configuration, in its own words. The
// config module's parsed service type satisfies this structurally.

export type QaProviderKind = 'jenkins' | 'command';

/** People who may approve for one part of the organisation, and how many of them must. */
export interface ApprovalGroup {
  name: string;
  required: number;
  /** Email addresses or globs (`*@finance.example.com`). */
  members: readonly string[];
}

/**
 * Who must approve: every group met (`groups`), or the older single form — `required` distinct
 * people among `approvers` — which is one group.
 */
export type ApprovalPolicy = { groups: readonly ApprovalGroup[] } | { required: number; approvers: readonly string[] };

/** A freeze window in force: no production change without an override. */
export interface ActiveFreeze {
  name: string;
  until: Date;
}

/** When production changes are frozen (global and per-service windows together). */
export interface FreezeCalendar {
  activeAt(at: Date): ActiveFreeze | null;
}

/** Checks after a production deploy (the checks themselves are the workflow's to run). */
export interface VerificationPolicy {
  windowSeconds: number;
  intervalSeconds: number;
  failuresInARow: number;
  onInconclusive: 'rollback' | 'pass';
}

export interface ServicePolicy {
  name: string;
  branches: { production: string; development: string };
  /** Templates (tags.ts): `environment` and `rollback` tags are made only when configured. */
  tags: { production: string; release: string; environment?: string | null; rollback?: string | null };
  jobs: { build: string; qaUp: string; qaDown: string; deploy: string };
  qa: { provider: QaProviderKind; ttlHours: number; recipients: readonly string[] };
  approvals: ApprovalPolicy;
  /** Absent: never frozen. */
  freezes?: FreezeCalendar;
  /** The group whose member may approve a promotion during a freeze, with a reason. */
  freezeOverride?: { group: string } | null;
  /** Absent: a deploy that succeeds is released at once. */
  verification?: VerificationPolicy | null;
  /** A build with no change from production: promoted only after an explicit confirmation (default), or never. */
  promoteWithoutChanges?: 'confirm' | 'refuse';
}

export interface Timing {
  /** How long a run may go without news before Jenkins is polled for it. */
  pollIntervalMs: number;
}

/** The groups of a policy, whichever form it was written in. */
export function approvalGroups(policy: ApprovalPolicy): readonly ApprovalGroup[] {
  return 'groups' in policy ? policy.groups : [{ name: 'approvers', required: policy.required, members: policy.approvers }];
}
