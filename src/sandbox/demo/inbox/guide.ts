/**
 * The "what now?" box at the top of the inbox: one sentence about where the newest hotfix
 * is and what a person can do next, so a newcomer never has to guess.
 */
import type { ApiHotfix } from '../../../domain/approvals.js';
import { anchor, escapeHtml } from './format.js';
import type { InboxSnapshot } from './snapshot.js';

export function nextStep(s: InboxSnapshot): string {
  const h = s.hotfixes[0];
  if (!h) return s.apiError ? `The service's API did not answer: ${escapeHtml(s.apiError)}` : 'Creating the first hotfix…';
  const id = `<strong>${escapeHtml(h.id)}</strong>`;
  const qa = h.qa?.url ? anchor(h.qa.url, 'the QA environment', 'target="_blank" rel="noopener"') : 'the QA environment';
  const production = anchor(s.production.url, 'production', 'target="_blank" rel="noopener"');
  switch (h.state) {
    case 'open':
    case 'building':
      return `${id} is being built: Jenkins checks out the branch, runs the app's tests and packages it. The QA email arrives below in a few seconds.`;
    case 'qa_provisioning':
      return `${id} built; its QA environment is starting. The QA email arrives below in a moment.`;
    case 'awaiting_approval': {
      const waiting = (h.policy?.groups ?? []).filter((g) => !g.met).map((g) => g.name);
      const who = waiting.length === 2 ? 'the tech lead and the business owner' : waiting.includes('business') ? 'the business owner (the lead has approved)' : waiting.includes('lead') ? 'the tech lead (business has approved)' : 'the approvers';
      return `${id} is waiting for QA. Open ${qa}${reads(s.qa.find((q) => q.hotfixId === h.id)?.total)}, compare with ${production}${reads(s.production.running?.total)}; then ${who} click <strong>Promote to production</strong> in their email below and confirm on the page that opens.`;
    }
    case 'verifying':
      return `${id} is in ${production}; the service checks production's /health every second before releasing it (release tag, master, back-merge). If the checks fail it rolls back on its own.`;
    case 'deploying':
    case 'finalizing':
      return `${id} was approved: QA is torn down and the same artifact goes to ${production}; then tags, master and the back-merge.`;
    case 'awaiting_backmerge':
      return `${id} is in ${production}, tagged ${escapeHtml(h.tags.join(', '))} and merged into master. The back-merge to develop is left to a person: merge ${pullLink(h)} below, and the hotfix completes.`;
    case 'completed':
      return `${id} is complete: production runs it, master and develop contain it. That is the whole road.`;
    case 'rejected':
      return `${id} was rejected; QA is torn down. Push a fix to ${escapeHtml(h.branch)} and build again (POST /api/v1/hotfixes/${escapeHtml(h.id)}/builds).`;
    case 'build_failed':
      return `${id}'s build failed (see the Jenkins log below). Push a fix and build again.`;
    case 'rolled_back':
      return `${id} was rolled back${h.verification?.result?.outcome === 'failed' ? ` because production failed its checks (${escapeHtml(h.verification.result.reason)})` : ''}: ${production} runs ${escapeHtml(h.rollback?.target?.tag ?? 'the previous production tag')} (${escapeHtml(h.rollback?.target?.artifact.version ?? '?')}) again, redeployed from its artifact.`;
    case 'needs_attention':
      return `${id} needs a person: ${escapeHtml(h.attention?.reason ?? '?')} — ${escapeHtml(h.attention?.action ?? '')}`;
    default:
      return `${id} is ${escapeHtml(h.state.replace(/_/g, ' '))}.`;
  }
}

/** What a page shows now, read from it (never a figure remembered from the first hotfix). */
function reads(total: string | undefined): string {
  return total === undefined ? '' : ` (its total reads ${escapeHtml(total)})`;
}

function pullLink(h: ApiHotfix): string {
  return h.backmerge?.number ? `pull request #${h.backmerge.number}` : 'the back-merge pull request';
}
