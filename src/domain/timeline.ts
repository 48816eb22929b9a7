// Durations read off a hotfix's own audit trail: how long each stage took. Used for the
// metrics when a stage ends, and for the team's lead-time figures.

import type { Hotfix } from './hotfix.js';
import type { HotfixState } from './states.js';

export type StageName = 'build' | 'qa_provisioning' | 'qa_wait' | 'deploy' | 'lead_time' | 'backmerge';

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
  if (from === 'deploying' && to === 'finalizing') {
    push('deploy', since('deploying'));
    push('lead_time', Math.max(0, (now.getTime() - Date.parse(h.createdAt)) / 1000));
  }
  if (from === 'awaiting_backmerge' && to === 'completed') push('backmerge', since('awaiting_backmerge'));
  return out;
}
