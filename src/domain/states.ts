// The lifecycle's states (CONTRACT.md §3) and which moves between them are legal.
// Everything that changes a hotfix's state goes through `assertTransition`, so an illegal
// move is a bug caught at the point it is attempted, not a corrupt record found later.

import { InvalidStateError } from './errors.js';

export const STATES = [
  'open',
  'building',
  'build_failed',
  'qa_provisioning',
  'awaiting_approval',
  'rejected',
  'deploying',
  'verifying',
  'finalizing',
  'awaiting_backmerge',
  'completed',
  'rolled_back',
  'needs_attention',
  'cancelled',
] as const;

export type HotfixState = (typeof STATES)[number];

export function isState(value: string): value is HotfixState {
  return (STATES as readonly string[]).includes(value);
}

const TRANSITIONS: Record<HotfixState, readonly HotfixState[]> = {
  open: ['building', 'cancelled', 'needs_attention'],
  building: ['building', 'qa_provisioning', 'build_failed', 'cancelled', 'needs_attention'],
  build_failed: ['building', 'cancelled', 'needs_attention'],
  qa_provisioning: ['awaiting_approval', 'building', 'rejected', 'cancelled', 'needs_attention'],
  awaiting_approval: ['deploying', 'rejected', 'building', 'cancelled', 'needs_attention'],
  rejected: ['building', 'cancelled', 'needs_attention'],
  // A stale base sends an approved hotfix back to `building` after merging the new production tag.
  deploying: ['verifying', 'finalizing', 'building', 'rolled_back', 'needs_attention'],
  // Production runs the deploy and is checked; a failed check rolls back (still verifying until the rollback deploy is done).
  verifying: ['finalizing', 'rolled_back', 'needs_attention'],
  finalizing: ['awaiting_backmerge', 'rolled_back', 'needs_attention'],
  awaiting_backmerge: ['completed', 'rolled_back', 'needs_attention'],
  // Rolling back (or tagging what runs afterwards) can still need a person.
  completed: ['rolled_back', 'needs_attention'],
  rolled_back: ['needs_attention'],
  needs_attention: [
    'building',
    'cancelled',
    'deploying',
    'verifying',
    'finalizing',
    'awaiting_backmerge',
    'rolled_back',
  ],
  cancelled: [],
};

/** States in which production has not been touched on this hotfix's behalf. */
export const PRE_PRODUCTION: readonly HotfixState[] = [
  'open',
  'building',
  'build_failed',
  'qa_provisioning',
  'awaiting_approval',
  'rejected',
];

/**
 * Production has not been touched on this hotfix's behalf: a state before production, or one
 * that stopped on the way there before any deploy was asked of Jenkins.
 */
export function beforeProduction(h: { state: HotfixState; attention: { fromState: HotfixState } | null; deploys: readonly unknown[] }): boolean {
  if (PRE_PRODUCTION.includes(h.state)) return true;
  if (h.state !== 'needs_attention' || h.attention === null) return false;
  return PRE_PRODUCTION.includes(h.attention.fromState) || (h.attention.fromState === 'deploying' && h.deploys.length === 0);
}

export const TERMINAL: readonly HotfixState[] = ['completed', 'rolled_back', 'cancelled'];

export function canTransition(from: HotfixState, to: HotfixState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: HotfixState, to: HotfixState): void {
  if (!canTransition(from, to)) {
    throw new InvalidStateError(`a hotfix in state '${from}' cannot move to '${to}'`, from);
  }
}
