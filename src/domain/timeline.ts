// Durations read off a hotfix's own audit trail: how long each stage took. Used for the
// metrics when a stage ends, and for the team's lead-time figures.

import type { Hotfix } from './hotfix.js';
import type { HotfixState } from './states.js';

export type StageName = 'build' | 'qa_provisioning' | 'qa_wait' | 'deploy' | 'verification' | 'lead_time' | 'backmerge' | 'time_to_restore';

/**
 * Seconds from a failed change being noticed (a failed deploy, or the first failed check of a
 * verification) to production running the previous artifact again, for a hotfix rolled back.
 */
export function timeToRestore(h: Hotfix): number | null {
  const restored = h.deploys.filter((d) => d.kind === 'rollback' && d.status === 'SUCCESS').at(-1);
  if (!restored?.finishedAt || !h.rollback) return null;
  const failedDeploy = h.deploys.find((d) => d.kind === 'hotfix' && d.finishedAt !== null && d.status !== 'SUCCESS');
  const noticed = h.verification?.failingSince ?? failedDeploy?.finishedAt ?? h.rollback.at;
  return Math.max(0, (Date.parse(restored.finishedAt) - Date.parse(noticed)) / 1000);
}

/** When the hotfix last entered `state` (ms since epoch), if it did. */
export function enteredAt(h: Pick<Hotfix, 'events'>, state: HotfixState): number | null {
  for (let i = h.events.length - 1; i >= 0; i--) {
    const e = h.events[i];
    if (e?.type === 'state' && e.to === state) return Date.parse(e.at);
  }
  return null;
}

/** The stages that just ended with a move into `to`, and how long each took (seconds). */
export function stagesEnded(h: Hotfix, from: HotfixState, to: HotfixState, now: Date): Array<{ stage: StageName; seconds: number }> {
  const out: Array<{ stage: StageName; seconds: number }> = [];
  const since = (state: HotfixState) => {
    const t = enteredAt(h, state);
    return t === null ? null : Math.max(0, (now.getTime() - t) / 1000);
  };
  const push = (stage: StageName, seconds: number | null) => {
    if (seconds !== null) out.push({ stage, seconds });
  };
  if (from === 'building' && (to === 'qa_provisioning' || to === 'build_failed')) {
    const build = h.builds.at(-1);
    push('build', build ? Math.max(0, (now.getTime() - Date.parse(build.requestedAt)) / 1000) : null);
  }
  if (from === 'qa_provisioning' && to === 'awaiting_approval') push('qa_provisioning', since('qa_provisioning'));
  if (from === 'awaiting_approval' && (to === 'deploying' || to === 'rejected')) push('qa_wait', since('awaiting_approval'));
  if (from === 'deploying' && (to === 'finalizing' || to === 'verifying')) {
    push('deploy', since('deploying'));
    push('lead_time', Math.max(0, (now.getTime() - Date.parse(h.createdAt)) / 1000));
  }
  if (from === 'verifying' && to === 'finalizing') push('verification', since('verifying'));
  if (to === 'rolled_back') push('time_to_restore', timeToRestore(h));
  if (from === 'awaiting_backmerge' && to === 'completed') push('backmerge', since('awaiting_backmerge'));
  return out;
}
