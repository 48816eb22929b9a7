// What the CLI prints for people (with --json, the API's own JSON instead).

import type { HotfixState } from '../domain/states.js';

/** The exit codes a script can act on. */
export const EXIT = { done: 0, refused: 1, usage: 2, needsPerson: 3 } as const;

/** A person must act before this hotfix goes on: approve, fix, merge the back-merge, answer attention. */
export const NEEDS_PERSON: readonly HotfixState[] = ['awaiting_approval', 'needs_attention', 'rejected', 'build_failed', 'awaiting_backmerge'];
/** Ended without reaching production (or undone there). */
export const ENDED_BADLY: readonly HotfixState[] = ['rolled_back', 'cancelled'];

export interface Shown {
  id: string;
  service: string;
  title: string;
  state: HotfixState;
  branch?: string;
  baseTag?: string | null;
  requestedBy?: string;
  updatedAt?: string;
  tags?: string[];
  qa?: { url: string | null; status?: string; build?: number } | null;
  attention?: { reason: string; action: string } | null;
  waiting?: { reason: string; retryAt: string } | null;
  backmerge?: { branch: string; url: string | null } | null;
  builds?: Array<{ number: number | null; status: string; url?: string | null }>;
  deploys?: Array<{ kind: string; number: number | null; status: string }>;
  policy?: { groups: Array<{ name: string; required: number; approvedBy: string[]; met: boolean }>; freeze: { name: string; until: string } | null };
}

export function since(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** One line: what it is and where it stands. */
export function line(h: Shown): string {
  return `${h.id}  ${h.state.padEnd(18)} ${h.service.padEnd(12)} ${h.title}`;
}

/** What it waits for, in words. */
export function waitsFor(h: Shown): string {
  if (h.attention) return `needs a person: ${h.attention.reason} — ${h.attention.action}`;
  if (h.state === 'awaiting_approval') {
    const open = h.policy?.groups.filter((g) => !g.met).map((g) => `${g.name} (${g.approvedBy.length} of ${g.required})`) ?? [];
    return `waiting for approval${open.length ? `: ${open.join(', ')}` : ''}${h.qa?.url ? ` — QA at ${h.qa.url}` : ''}`;
  }
  if (h.state === 'awaiting_backmerge') return `waiting for a person to merge the back-merge${h.backmerge?.url ? `: ${h.backmerge.url}` : ` (branch ${h.backmerge?.branch ?? '?'})`}`;
  if (h.waiting) return `waiting: ${h.waiting.reason}`;
  return '';
}

export function details(h: Shown, consoleUrl: string): string {
  const build = h.builds?.at(-1);
  const deploy = h.deploys?.at(-1);
  const rows = [
    `${h.id}: ${h.title}`,
    `  service    ${h.service}`,
    `  state      ${h.state} (for ${since(h.updatedAt)})`,
    h.branch ? `  branch     ${h.branch} from ${h.baseTag ?? '?'}` : null,
    h.requestedBy ? `  requested  by ${h.requestedBy}` : null,
    build ? `  build      #${build.number ?? '?'} ${build.status}${build.url ? ` ${build.url}` : ''}` : null,
    h.qa ? `  QA         ${h.qa.status ?? ''} ${h.qa.url ?? ''}`.trimEnd() : null,
    h.policy?.groups.length ? `  approvals  ${h.policy.groups.map((g) => `${g.name} ${g.approvedBy.length}/${g.required}${g.approvedBy.length ? ` (${g.approvedBy.join(', ')})` : ''}`).join('; ')}` : null,
    deploy ? `  deploy     ${deploy.kind} #${deploy.number ?? '?'} ${deploy.status}` : null,
    h.tags?.length ? `  tags       ${h.tags.join(', ')}` : null,
    h.backmerge ? `  back-merge ${h.backmerge.url ?? h.backmerge.branch}` : null,
    waitsFor(h) ? `  now        ${waitsFor(h)}` : null,
    `  open       ${consoleUrl}`,
  ];
  return rows.filter((r): r is string => r !== null).join('\n');
}

export function exitFor(state: HotfixState): number {
  if (NEEDS_PERSON.includes(state)) return EXIT.needsPerson;
  if (ENDED_BADLY.includes(state)) return EXIT.refused;
  return EXIT.done;
}
