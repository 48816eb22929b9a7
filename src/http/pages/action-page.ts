// The pages behind the email links: readable on a phone, usable without JavaScript, and
// honest about what happened. The GET page shows the hotfix and a form; nothing changes
// until the form is posted. Every page after a decision leads on to the live status view.

import type { Approval, Decision, HotfixView } from '../../domain/hotfix.js';
import { detailsTable, escapeHtml, link, listOrNone, shortSha } from '../../notify/html.js';
import { layout, timeHtml } from './layout.js';

export interface ActionContext {
  hotfix: HotfixView;
  decision: Decision;
  recipient: string;
  build: number;
  approvals: { count: number; required: number; groups: string[] };
  freeze: { name: string; until: string } | null;
  /** The build contains no change from production: said plainly; promote needs a tick (or is refused). */
  noChange: { baseTag: string; refused: boolean } | null;
  /** The read-only, live status view of this hotfix, reached with this link's token. */
  statusUrl: string;
  timeZone: string;
}

/** Where the QA environment is: a link only while it is up; a torn-down one is history. */
export function qaHtml(qa: HotfixView['qa'], timeZone: string): string {
  if (!qa) return '—';
  const env = escapeHtml(qa.env);
  switch (qa.status) {
    case 'up':
      return qa.url ? `${link(qa.url)} (${env})` : env;
    case 'provisioning':
      return `${env} — starting`;
    case 'failed':
      return `${env} — could not be created${qa.failure ? `: ${escapeHtml(qa.failure)}` : ''}`;
    case 'tearing_down':
      return `${env} — being torn down${qa.teardownAskedAt ? ` since ${timeHtml(qa.teardownAskedAt, timeZone)}` : ''}`;
    case 'down':
      return `${env} — torn down${qa.downAt ? ` at ${timeHtml(qa.downAt, timeZone)}` : ''}`;
  }
}

/** A decision as what it was: who promoted or rejected, when, and why. */
export function decisionHtml(a: Approval, timeZone: string): string {
  const who = escapeHtml(a.onBehalfOf ?? a.actor);
  const verb = a.decision === 'promote' ? 'Promoted' : 'Rejected';
  const said = a.comment ? `${a.decision === 'reject' ? ' — reason' : ' — comment'}: “${escapeHtml(a.comment)}”` : '';
  return `<strong>${verb}</strong> by ${who} at ${timeHtml(a.at, timeZone)}${said}`;
}

function approvalsHtml(c: ActionContext, decisions: readonly Approval[]): string {
  const rejected = decisions.find((a) => a.decision === 'reject');
  if (rejected) return `Rejected by ${escapeHtml(rejected.onBehalfOf ?? rejected.actor)} — promotion stopped`;
  return `${c.approvals.count} of ${c.approvals.required}${c.approvals.groups.length > 1 ? `<br>${c.approvals.groups.map(escapeHtml).join('<br>')}` : ''}`;
}

export function noChangeText(n: NonNullable<ActionContext['noChange']>): string {
  return `This build contains no change from production (${n.baseTag}): it is the code production already runs.`;
}

function context(c: ActionContext): string {
  const h = c.hotfix;
  const build = h.builds.find((b) => b.number === c.build);
  const decisions = h.approvals.filter((a) => a.build === c.build);
  return `${detailsTable([
    { label: 'Hotfix', html: `${escapeHtml(h.id)} — ${escapeHtml(h.title)}` },
    { label: 'Service', html: escapeHtml(h.service) },
    { label: 'QA environment', html: qaHtml(h.qa, c.timeZone) },
    { label: 'Build', html: `${link(build?.url, `#${c.build}`)}${build?.artifact ? ` — artifact ${escapeHtml(build.artifact.version)}` : ''}${build?.commit ? ` — <code>${escapeHtml(shortSha(build.commit))}</code>` : ''}` },
    { label: 'Requested by', html: escapeHtml(h.requestedBy) },
    { label: 'State', html: escapeHtml(h.state.replace(/_/g, ' ')) },
    { label: 'Approvals', html: approvalsHtml(c, decisions) },
    ...(c.freeze ? [{ label: 'Freeze', html: `<strong>${escapeHtml(c.freeze.name)}</strong> until ${timeHtml(c.freeze.until, c.timeZone)}: promoting needs an override with a reason` }] : []),
  ])}
${c.noChange ? `<p class="notice bad"><strong>No change:</strong> ${escapeHtml(noChangeText(c.noChange))}</p>` : ''}
<p class="muted">Approvals count for build #${c.build} only: a new build starts them over.</p>
<h2>Decisions on build #${c.build}</h2>
${listOrNone(decisions, (a) => decisionHtml(a, c.timeZone), 20)}`;
}

function noChangeField(c: ActionContext): string {
  if (c.decision !== 'promote' || !c.noChange) return '';
  return `<label class="check" for="confirmNoChange"><input type="checkbox" id="confirmNoChange" name="confirmNoChange" value="yes" required>
<span>I know this build changes nothing in production and promote it anyway.</span></label>`;
}

export function decisionForm(c: ActionContext, fields: { proof: string; error?: string }): string {
  const promote = c.decision === 'promote';
  const title = promote ? `Promote ${c.hotfix.id} to production?` : `Reject ${c.hotfix.id}?`;
  const error = fields.error ? `<p class="notice bad" role="alert">${escapeHtml(fields.error)}</p>` : '';
  if (promote && c.noChange?.refused) {
    return messagePage('Nothing to promote', `${noChangeText(c.noChange)} This service does not promote such builds: push the fix and build again, or reject it.`, 'warn', c);
  }
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>You are deciding as <strong>${escapeHtml(c.recipient)}</strong>. Opening this page changed nothing; the button below does.</p>
${error}
${context(c)}
<form method="post">
<input type="hidden" name="decision" value="${escapeHtml(c.decision)}">
<input type="hidden" name="proof" value="${escapeHtml(fields.proof)}">
${noChangeField(c)}
<label for="comment">${promote ? 'Comment (optional)' : 'Why are you rejecting it? (required)'}</label>
<textarea id="comment" name="comment" maxlength="2000"${promote ? '' : ' required'}></textarea>
<button type="submit" class="${promote ? 'promote' : 'reject'}">${promote ? 'Promote to production' : 'Reject this hotfix'}</button>
</form>`,
  );
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info';

/** A result or refusal; with a context, it leads on to the hotfix's live status. */
export function messagePage(title: string, message: string, tone: Tone, c?: ActionContext): string {
  const follow = c ? `<p><a href="${escapeHtml(c.statusUrl)}"><strong>Follow ${escapeHtml(c.hotfix.id)} live</strong></a> — its state, the production deploy, its checks and tags.</p>` : '';
  return layout(title, `<h1>${escapeHtml(title)}</h1><p class="notice ${tone}" role="status">${escapeHtml(message)}</p>${follow}${c ? context(c) : ''}`);
}
