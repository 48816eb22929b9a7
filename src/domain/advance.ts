// The one place that decides what comes next for a hotfix. Everything that can change a hotfix
// — a Jenkins report, a decision, a timer, a retry, a step that finished — records its fact on
// the record and then calls `advance`, which looks at the whole record and makes the state
// change (if one is due) and owes the work it implies. Because it reads the record and not the
// event that woke it, a fact that arrives "late" (a deploy result while a person is asked to
// act, a teardown that finishes before the base check) is still seen and acted on.
//
// The decisions per state live beside the facts they read (`nextInBuilding` in build.ts …);
// this file is the table of which applies when.

import { nextAfterDecisions } from './approvals.js';
import { nextBuildRequested, nextInBuilding } from './build.js';
import { nextInDeploying, nextInRollback, startRollback } from './deploy.js';
import { nextInBackmerge, nextInFinalizing } from './finalize.js';
import type { Effect, Hotfix } from './hotfix.js';
import { nextAfterAttention, nextCancelled } from './lifecycle.js';
import type { ServicePolicy } from './policy.js';
import { nextInQa, retireQa } from './qa.js';
import type { Context } from './record.js';
import type { HotfixState } from './states.js';
import { nextInVerifying } from './verification.js';

export interface Advanced {
  from: HotfixState;
  to: HotfixState;
  /** Work added to the outbox by this call. */
  owed: Effect[];
}

// Each pass makes at most one state change; a chain longer than this is a loop, i.e. a bug.
const MAX_PASSES = 8;

/** One decision, if one is due; true when the state changed (another may now be due). */
function decideOnce(h: Hotfix, policy: ServicePolicy, ctx: Context): boolean {
  if (nextCancelled(h, policy, ctx)) return true;
  if (nextInRollback(h, policy, ctx)) return true;
  switch (h.state) {
    case 'needs_attention':
      return nextAfterAttention(h, ctx);
    case 'open':
    case 'build_failed':
    case 'rejected':
      return nextBuildRequested(h, ctx);
    case 'building':
      return nextInBuilding(h, policy, ctx);
    case 'qa_provisioning':
      return nextBuildRequested(h, ctx) || nextInQa(h, policy, ctx);
    case 'awaiting_approval':
      return nextBuildRequested(h, ctx) || nextAfterDecisions(h, policy, ctx);
    case 'deploying':
      return nextInDeploying(h, policy, ctx);
    case 'verifying':
      return nextInVerifying(h, policy, ctx, (reason) => startRollback(h, { reason, automatic: true }, ctx));
    case 'finalizing':
      return nextInFinalizing(h, ctx);
    case 'awaiting_backmerge':
      return nextInBackmerge(h, ctx);
    case 'completed':
    case 'rolled_back':
    case 'cancelled':
      return false;
  }
}

/**
 * Bring the hotfix up to date with its own record: make every state change that is due and add
 * the work it implies to the outbox. Calling it again changes nothing.
 */
export function advance(h: Hotfix, policy: ServicePolicy, ctx: Context): Advanced {
  const from = h.state;
  const known = new Set(h.outbox.map((e) => e.id));
  let passes = 0;
  while (decideOnce(h, policy, ctx)) {
    passes += 1;
    if (passes >= MAX_PASSES) throw new Error(`advance of ${h.id} did not settle after ${MAX_PASSES} state changes (now ${h.state})`);
  }
  retireQa(h, policy, ctx);
  return { from, to: h.state, owed: h.outbox.filter((e) => !known.has(e.id)) };
}
