// Slack messages for a hotfix's thread. Text is escaped the way Slack asks (&, <, >), so a
// title cannot smuggle in a link or a mention.

import type { HotfixView } from '../domain/hotfix.js';

export type SlackEvent =
  | 'requested'
  | 'qa-ready'
  | 'promoted'
  | 'deployed'
  | 'backmerge'
  | 'completed'
  | 'rejected'
  | 'stale-base'
  | 'rolled-back'
  | 'rollback-failed'
  | 'rollback-refused'
  | 'frozen'
  | 'verification-failed'
  | 'cancelled'
  | 'attention';

function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackLink(url: string | null | undefined, label: string): string {
  if (!url || !/^https?:\/\//.test(url)) return slackEscape(label);
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${slackEscape(label)}>`;
}

export function threadRoot(h: HotfixView): string {
  return `:rotating_light: *${h.id}* ${slackEscape(h.service)}: ${slackEscape(h.title)} — requested by ${slackEscape(h.requestedBy)} (branch \`${slackEscape(h.branch)}\`)`;
}

/** What the policy says now: the groups' standing and a freeze in force, in words. */
export interface SlackPolicyNote {
  approvals: readonly string[];
  freeze: { name: string; until: string } | null;
}

function policyNote(p: SlackPolicyNote | undefined): string {
  if (!p) return '';
  const groups = p.approvals.length > 1 ? `\nApprovals: ${p.approvals.map(slackEscape).join('; ')}` : '';
  const freeze = p.freeze ? `\n:snowflake: production is frozen (${slackEscape(p.freeze.name)}) until ${slackEscape(p.freeze.until)}: promoting needs an override with a reason.` : '';
  return `${groups}${freeze}`;
}

export function slackMessage(h: HotfixView, event: SlackEvent, args: Record<string, string | number>, policy?: SlackPolicyNote): string {
  const id = `*${h.id}*`;
  switch (event) {
    case 'requested':
      return threadRoot(h);
    case 'qa-ready':
      return `${id} is in QA at ${slackLink(h.qa?.url, h.qa?.env ?? 'QA')} (build #${h.qa?.build ?? '?'}); QA has been emailed.${policyNote(policy)}`;
    case 'promoted':
      return `${id} approved by ${slackEscape(h.promotion?.approvedBy.join(', ') ?? '?')}; tearing down QA and deploying build #${h.promotion?.build ?? '?'} to production.`;
    case 'deployed': {
      const d = h.deploys.at(-1);
      const next = h.verification ? `Verifying production's health until ${slackEscape(h.verification.deadline)} before the release tag and master.` : 'Tagging and merging into master.';
      return `${id} is in production: ${slackLink(d?.url, `deploy #${d?.number ?? '?'}`)} (${slackEscape(d?.artifact?.version ?? '?')}). ${next}`;
    }
    case 'verification-failed':
      return `:rotating_light: ${id} failed its checks in production: ${slackEscape(h.verification?.result?.reason ?? '?')}. Rolling back to the previous production artifact now.`;
    case 'backmerge': {
      const b = h.backmerge;
      const where = b?.url ? slackLink(b.url, `pull request${b.number ? ` #${b.number}` : ''}`) : `branch \`${slackEscape(b?.branch ?? '?')}\` (open a merge into develop)`;
      const conflicts = b && b.conflicts.length > 0 ? `\n:warning: conflicts to resolve: ${b.conflicts.map((f) => `\`${slackEscape(f)}\``).join(', ')}` : '\nNo conflicts expected.';
      return `${id} back-merge to develop is ready for a person to merge: ${where}. Tags: ${slackEscape(h.tags.join(', '))}.${conflicts}`;
    }
    case 'completed':
      return `${id} is complete: develop contains the hotfix. :white_check_mark:`;
    case 'rejected':
      return `${id} rejected by ${slackEscape(h.rejection?.actor ?? '?')}: ${slackEscape(h.rejection?.reason || '(no reason given)')}. QA is being torn down; push a fix and build again.`;
    case 'stale-base':
      return `${id}: production moved to ${slackEscape(String(args.tag ?? '?'))} after this branch was cut. Merged it into the branch and rebuilding; QA will be asked again.`;
    case 'rolled-back': {
      const rb = h.rollback;
      const bad = h.deploys.find((d) => d.kind === 'hotfix');
      const back = h.deploys.filter((d) => d.kind === 'rollback' && d.status === 'SUCCESS').at(-1);
      const from = h.finalization?.productionTag ?? h.release?.name ?? bad?.artifact?.version ?? '?';
      // Production ran the hotfix from its deploy's end (or start, for a failed one) until the rollback finished.
      const since = bad?.finishedAt && bad.status === 'SUCCESS' ? bad.finishedAt : (bad?.startedAt ?? null);
      const affected = since && back?.finishedAt ? ` Production was affected for ${duration((Date.parse(back.finishedAt) - Date.parse(since)) / 1000)}.` : '';
      return `${id}: production rolled back from ${slackEscape(from)} to ${slackEscape(rb?.target?.tag ?? '?')} (${slackEscape(rb?.target?.artifact.version ?? '?')}) by ${slackEscape(rb?.automatic ? 'the service (automatic)' : (rb?.actor ?? '?'))}. Reason: ${slackEscape(rb?.reason ?? '?')}.${affected}${rb?.marker ? ` Tagged ${slackEscape(rb.marker)}.` : ''}`;
    }
    case 'rollback-failed':
      return `:fire: ${id}: ${slackEscape(h.attention?.reason ?? 'the rollback failed')}. Nothing more is rolled back automatically — check production now.`;
    case 'rollback-refused':
      return `${id}: the rollback asked by ${slackEscape(h.rollback?.actor ?? '?')} was not carried out: ${slackEscape(h.rollback?.refused ?? 'production moved on')}.`;
    case 'frozen':
      return `:snowflake: ${id} is approved but production is frozen (${slackEscape(h.promotion?.frozen?.name ?? 'freeze')}) until ${slackEscape(h.promotion?.frozen?.until ?? '?')}: the deploy waits for the window to end, or for an override with a reason.`;
    case 'cancelled':
      return `${id} was cancelled.`;
    case 'attention':
      return `:warning: ${id} needs attention: ${slackEscape(h.attention?.reason ?? '?')} — ${slackEscape(h.attention?.action ?? '')}`;
  }
}
