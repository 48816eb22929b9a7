// A new hotfix, and what is recorded once its branch exists on the origin.

import type { Hotfix } from './hotfix.js';
import { hotfixBranch } from './ids.js';
import { addEffect, flagAttention, note, type Context } from './record.js';

export interface NewHotfixInput {
  id: string;
  service: string;
  title: string;
  requestedBy: string;
  createdBy?: string | null | undefined;
  baseRef?: string | undefined;
  commits: readonly string[];
}

export function newHotfix(input: NewHotfixInput, now: Date): Hotfix {
  const at = now.toISOString();
  return {
    id: input.id,
    service: input.service,
    title: input.title,
    state: 'open',
    branch: hotfixBranch(input.id, input.title),
    baseRef: input.baseRef ?? null,
    baseTag: null,
    baseCommit: null,
    head: null,
    requestedBy: input.requestedBy,
    ...(input.createdBy ? { createdBy: input.createdBy } : {}),
    commits: [...input.commits],
    createdAt: at,
    updatedAt: at,
    builds: [],
    qa: null,
    approvals: [],
    deploys: [],
    tags: [],
    backmerge: null,
    attention: null,
    rejection: null,
    promotion: null,
    finalization: null,
    rollback: null,
    slack: null,
    waiting: null,
    events: [{ at, type: 'state', to: 'open', actor: input.createdBy ?? input.requestedBy, message: input.createdBy ? `hotfix requested on behalf of ${input.requestedBy}` : 'hotfix requested' }],
    version: 0,
    outbox: [],
    seenReports: [],
  };
}

export interface BranchCreated {
  baseTag: string;
  baseCommit: string;
  head: string;
  /** The branch already existed on the origin (a retried creation) and was adopted. */
  adopted: boolean;
}

/** The release this hotfix will be, named now (`v{base}-hotfix.{n}`): its QA and production tags carry it. */
export function nameRelease(h: Hotfix, release: { base: string; n: number; name: string }, ctx: Context): void {
  if (h.release) return;
  h.release = release;
  note(h, 'git', ctx, `this hotfix will be released as ${release.name} (hotfix ${release.n} on ${release.base})`);
}

export function recordBranch(h: Hotfix, created: BranchCreated, ctx: Context): void {
  h.baseTag = created.baseTag;
  h.baseCommit = created.baseCommit;
  h.head = created.head;
  const picked = h.commits.length === 0 ? '' : `, ${h.commits.length} commit(s) cherry-picked`;
  const how = created.adopted ? 'found on origin (created before a restart)' : 'pushed';
  note(h, 'git', ctx, `branch ${h.branch} ${how} from ${created.baseTag}${picked}`);
  addEffect(h, 'notify-slack', { event: 'requested' }, ctx.now);
}

/** The branch step is done once the base is known. */
export function hasBranch(h: Hotfix): boolean {
  return h.baseCommit !== null && h.head !== null;
}

/** Cherry-picks that stopped applying by the time a retried creation ran. */
export function branchConflict(h: Hotfix, ctx: Context, message: string, files: readonly string[]): void {
  flagAttention(h, ctx, `${message}: ${files.join(', ') || 'no file list'}`, 'resolve the conflict and request a new hotfix, or cancel this one');
}
