// What a hotfix waits for, in a person's words, and what a viewer may do about it: the console
// list, the hotfix page and their actions all read it from here.

import { mayDecide, policyView, sameActor } from '../../domain/approvals.js';
import type { Hotfix } from '../../domain/hotfix.js';
import type { ServicePolicy } from '../../domain/policy.js';
import { beforeProduction, TERMINAL } from '../../domain/states.js';
import type { Principal } from '../../ports/identity.js';
import { hasRole } from '../auth.js';

export type ConsoleAction = 'retry' | 'cancel' | 'rollback' | 'build' | 'promote' | 'reject';
export const CONSOLE_ACTIONS: readonly ConsoleAction[] = ['promote', 'reject', 'retry', 'build', 'cancel', 'rollback'];

/** Since when the hotfix is in its state (the event that moved it there). */
export function inStateSince(h: Hotfix): string {
  return h.events.findLast((e) => e.to === h.state)?.at ?? h.updatedAt;
}

export function waitsFor(h: Hotfix, policy: ServicePolicy | undefined, now: Date): string {
  if (h.state === 'needs_attention' && h.attention) return `A person: ${h.attention.reason}. ${h.attention.action}.`;
  if (h.waiting) return `Retrying ${h.waiting.step}: ${h.waiting.reason}.`;
  switch (h.state) {
    case 'open':
      return 'Its branch to be created.';
    case 'building': {
      const b = h.builds.at(-1);
      return b ? `Jenkins build${b.number ? ` #${b.number}` : ''} (${b.status.toLowerCase()}).` : 'A build to start.';
    }
    case 'build_failed':
      return 'A fix pushed to the branch, then a new build.';
    case 'qa_provisioning':
      return `The QA environment ${h.qa?.env ?? ''} to come up.`;
    case 'awaiting_approval': {
      if (!policy) return 'Approval.';
      const view = policyView(h, policy, now);
      const open = view.groups.filter((g) => !g.met).map((g) => `${g.name} (${g.approvedBy.length} of ${g.required})`);
      const freeze = view.freeze ? ` Production is frozen (${view.freeze.name}) until ${view.freeze.until}.` : '';
      return `Approval${open.length ? ` from ${open.join(' and ')}` : ''} after testing QA.${freeze}`;
    }
    case 'rejected':
      return 'A fix pushed to the branch, then a new build.';
    case 'deploying': {
      const p = h.promotion;
      if (p?.frozen) return `The freeze ${p.frozen.name} to end (${p.frozen.until}), or an override.`;
      if (p?.waitingFor) return `The ${h.service} deploy slot: ${p.waitingFor} is deploying first.`;
      const d = h.deploys.at(-1);
      return d ? `The production deploy${d.number ? ` #${d.number}` : ''} (${d.status.toLowerCase()}).` : 'QA teardown and the deploy slot.';
    }
    case 'verifying':
      return `Production's health checks until ${h.verification?.deadline ?? '?'}.`;
    case 'finalizing':
      return 'Tags and the merge into master.';
    case 'awaiting_backmerge':
      return h.backmerge?.url ? `A person to merge the back-merge: ${h.backmerge.url}` : `A person to merge ${h.backmerge?.branch ?? 'the back-merge branch'} into develop.`;
    case 'completed':
    case 'rolled_back':
    case 'cancelled':
      return 'Nothing: it has ended.';
    case 'needs_attention':
      return 'A person.';
  }
}

/** The actions this viewer may take on this hotfix now (the service still checks each). */
export function actionsFor(h: Hotfix, p: Principal, policy: ServicePolicy | undefined): ConsoleAction[] {
  const own = sameActor(p.name, h.requestedBy);
  const mayRequest = hasRole(p, 'operator') || (hasRole(p, 'requester') && own);
  const out: ConsoleAction[] = [];
  if (h.state === 'awaiting_approval' && hasRole(p, 'approver') && policy && mayDecide(p.name, policy)) {
    if (!own) out.push('promote');
    out.push('reject');
  }
  if (h.state === 'needs_attention' && h.attention?.retry && hasRole(p, 'operator')) out.push('retry');
  if ((h.state === 'build_failed' || h.state === 'rejected') && mayRequest) out.push('build');
  if (!TERMINAL.includes(h.state) && beforeProduction(h) && mayRequest) out.push('cancel');
  if (hasRole(p, 'operator') && h.deploys.some((d) => d.kind === 'hotfix' && d.status === 'SUCCESS') && h.state !== 'rolled_back' && h.state !== 'cancelled') out.push('rollback');
  return out;
}
