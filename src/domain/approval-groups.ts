// Which approvals meet which group. A person counts once, for one group only, and the
// requester never counts: with `lead: 1` and `business: 1`, one person who is in both groups
// meets one of them. The best assignment is a maximum bipartite matching of approvers to the
// groups' seats (augmenting paths; a handful of people and seats).

import picomatch from 'picomatch';
import type { ApprovalGroup } from './policy.js';

export function isMember(actor: string, members: readonly string[]): boolean {
  if (members.length === 0) return false;
  // Globs on email addresses: `*` may span dots (`*@example.com`); nothing is a path.
  return picomatch.isMatch(actor.trim().toLowerCase(), members.map((m) => m.toLowerCase()), { dot: true, nobrace: true, noextglob: true });
}

export interface GroupStatus {
  name: string;
  required: number;
  approvedBy: string[];
  met: boolean;
}

/** Assign each approver to at most one group seat, as many seats filled as possible. */
export function matchGroups(groups: readonly ApprovalGroup[], approvers: readonly string[]): GroupStatus[] {
  const seats = groups.flatMap((g, gi) => Array.from({ length: g.required }, () => gi));
  const holder: Array<string | null> = seats.map(() => null);
  const tryAssign = (person: string, seen: Set<number>): boolean => {
    for (const [si, gi] of seats.entries()) {
      const group = groups[gi];
      if (!group || seen.has(si) || !isMember(person, group.members)) continue;
      seen.add(si);
      const current = holder[si] ?? null;
      if (current === null || tryAssign(current, seen)) {
        holder[si] = person;
        return true;
      }
    }
    return false;
  };
  for (const person of approvers) tryAssign(person, new Set());
  return groups.map((g, gi) => {
    // In the order they approved, whichever seat the matching gave them.
    const approvedBy = holder.filter((p, si): p is string => p !== null && seats[si] === gi).sort((a, b) => approvers.indexOf(a) - approvers.indexOf(b));
    return { name: g.name, required: g.required, approvedBy, met: approvedBy.length >= g.required };
  });
}

/** "business: waiting — 1 of *@finance.example.com"; "lead: met by alice@example.com". */
export function describeGroup(status: GroupStatus, members: readonly string[]): string {
  if (status.met) return `${status.name}: met by ${status.approvedBy.join(', ')}`;
  const missing = status.required - status.approvedBy.length;
  return `${status.name}: waiting — ${missing} of ${members.join(', ')}`;
}
