// The live status of one hotfix, for whoever holds one of its email links: read-only, no
// account, no scripts. It reloads itself while the hotfix can still change for the tester,
// and stops once it has ended (in production, rolled back, rejected, cancelled).

import type { Deploy, HotfixView } from '../../domain/hotfix.js';
import type { HotfixState } from '../../domain/states.js';
import { detailsTable, escapeHtml, link, listOrNone } from '../../notify/html.js';
import { decisionHtml, qaHtml } from './action-page.js';
import { layout, timeHtml } from './layout.js';

const REFRESH_SECONDS = 5;
/** A person is needed: nothing moves on its own soon, so look less often. */
const REFRESH_WAITING_SECONDS = 30;

/** Where the tester's part of the road ends: nothing more will change without a new build or a person. */
const ENDED: readonly HotfixState[] = ['awaiting_backmerge', 'completed', 'rolled_back', 'cancelled', 'rejected', 'build_failed'];

const HEADLINE: Record<HotfixState, { title: string; say: string }> = {
  open: { title: 'Requested', say: 'The branch is cut; a build starts.' },
  building: { title: 'Being built', say: 'Jenkins is building the branch.' },
  build_failed: { title: 'Build failed', say: 'The last build failed; the developers push a fix and build again, and QA gets a new email.' },
  qa_provisioning: { title: 'QA environment starting', say: 'The build passed; its QA environment is being created.' },
  awaiting_approval: { title: 'Waiting for QA’s decision', say: 'QA is testing this build; the approvers decide from their email.' },
  rejected: { title: 'Rejected', say: 'QA rejected this build and its QA environment is torn down. A fixed build sends a new email.' },
  deploying: { title: 'Going to production', say: 'Approved: QA is torn down and the same tested artifact is being deployed to production.' },
  verifying: { title: 'In production, being checked', say: 'Deployed; the service is checking production before it releases the hotfix. If the checks fail, it rolls back on its own.' },
  finalizing: { title: 'In production', say: 'Deployed and healthy; tagging the release and merging it into the production branch.' },
  awaiting_backmerge: { title: 'In production', say: 'Released: production runs this hotfix, tagged and merged. The developers merge it back into develop.' },
  completed: { title: 'Completed', say: 'Production runs this hotfix, and develop contains it.' },
  rolled_back: { title: 'Rolled back', say: 'Production was returned to the previous version.' },
  needs_attention: { title: 'Stopped: a person is looking at it', say: 'The service stopped and needs a person; nothing is lost.' },
  cancelled: { title: 'Cancelled', say: 'This hotfix was withdrawn before production.' },
};

export function refreshFor(state: HotfixState): number | null {
  if (ENDED.includes(state)) return null;
  return state === 'needs_attention' ? REFRESH_WAITING_SECONDS : REFRESH_SECONDS;
}

function deployHtml(d: Deploy | undefined, timeZone: string): string {
  if (!d) return 'Not yet.';
  const what = d.kind === 'rollback' ? 'Rollback deploy' : 'Deploy';
  const job = link(d.url, `#${d.number ?? '?'}`);
  const artifact = d.artifact ? ` of ${escapeHtml(d.artifact.version)}` : '';
  if (d.status === 'SUCCESS') return `${what} ${job}${artifact} succeeded${d.finishedAt ? ` at ${timeHtml(d.finishedAt, timeZone)}` : ''}`;
  if (d.finishedAt) return `${what} ${job}${artifact} ended ${escapeHtml(d.status)} at ${timeHtml(d.finishedAt, timeZone)}`;
  return `${what}${artifact} running${d.startedAt ? ` since ${timeHtml(d.startedAt, timeZone)}` : ' (queued)'}`;
}

function verificationHtml(h: HotfixView, timeZone: string): string | null {
  const v = h.verification;
  if (!v) return null;
  if (v.result) return `${v.result.outcome === 'passed' ? 'Passed' : v.result.outcome === 'skipped' ? 'Skipped' : '<strong>Failed</strong>'} at ${timeHtml(v.result.at, timeZone)}: ${escapeHtml(v.result.reason)}`;
  return `Checking production: ${v.rounds} round${v.rounds === 1 ? '' : 's'} so far${v.consecutiveFailures > 0 ? `, ${v.consecutiveFailures} failed in a row` : ''}; until ${timeHtml(v.deadline, timeZone)}`;
}

export function statusPage(h: HotfixView, timeZone: string, now: Date): string {
  const head = HEADLINE[h.state];
  const refresh = refreshFor(h.state);
  const hotfixDeploy = h.deploys.filter((d) => d.kind === 'hotfix').at(-1);
  const rollbackDeploy = h.deploys.filter((d) => d.kind === 'rollback').at(-1);
  const verification = verificationHtml(h, timeZone);
  const say = h.state === 'needs_attention' && h.attention ? `${head.say} Why: ${h.attention.reason}.` : h.state === 'rolled_back' && h.rollback ? `${head.say} Why: ${h.rollback.reason}.` : head.say;
  const rows = [
    { label: 'Hotfix', html: `${escapeHtml(h.id)} — ${escapeHtml(h.title)}` },
    { label: 'Service', html: escapeHtml(h.service) },
    { label: 'State', html: `<strong>${escapeHtml(head.title)}</strong> (${escapeHtml(h.state.replace(/_/g, ' '))}) since ${timeHtml(h.updatedAt, timeZone)}` },
    { label: 'QA environment', html: qaHtml(h.qa, timeZone) },
    { label: 'Production', html: deployHtml(hotfixDeploy, timeZone) },
    ...(verification ? [{ label: 'Checks', html: verification }] : []),
    ...(rollbackDeploy ? [{ label: 'Rollback', html: deployHtml(rollbackDeploy, timeZone) }] : []),
    { label: 'Tags', html: h.tags.length > 0 ? h.tags.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ') : 'None yet.' },
  ];
  const footer = refresh
    ? `This page updates itself every ${refresh} seconds (last at ${timeHtml(now.toISOString(), timeZone)}).`
    : `This hotfix has ended for QA; the page no longer updates (as of ${timeHtml(now.toISOString(), timeZone)}).`;
  return layout(
    `${h.id}: ${head.title}`,
    `<h1>${escapeHtml(h.id)}: ${escapeHtml(head.title)}</h1>
<p class="notice ${h.state === 'rolled_back' || h.state === 'needs_attention' || h.state === 'build_failed' ? 'bad' : ENDED.includes(h.state) ? 'ok' : 'info'}" role="status">${escapeHtml(say)}</p>
${detailsTable(rows)}
<h2>Decisions</h2>
${listOrNone(h.approvals, (a) => `${decisionHtml(a, timeZone)} (build #${a.build})`, 20)}
<p class="muted">${footer} Read-only: this page changes nothing. <a href="/console/hotfixes/${escapeHtml(h.id)}">Open it in the web console</a> (people with an account: builds, timeline, actions).</p>`,
    refresh,
  );
}
