// The QA-ready email: what to test, where, what changed, and one promote and one reject link
// for this recipient. Plain text and HTML say the same thing.

import { CHANGE_LIST_MAX } from '../domain/hotfix.js';
import type { ChangedFile, CommitInfo } from '../ports/git-repo.js';
import { detailsTable, escapeHtml, headerLine, link, listOrNone, shortSha } from './html.js';

export interface QaEmailModel {
  hotfix: { id: string; service: string; title: string; requestedBy: string; branch: string; baseTag: string | null };
  qa: { env: string; url: string; expiresAt: string | null };
  build: { number: number; url: string | null; artifactVersion: string };
  /** The first commits and files (the email lists at most MAX_LIST of each) … */
  commits: readonly CommitInfo[];
  files: readonly ChangedFile[];
  /** … and how many there are in all (the lists may have been cut short when recorded). */
  totals?: { commits: number; files: number };
  /** This recipient's promote and reject links; null for one told for information (not an approver). No promote link for a build the service will not promote. */
  links: { promote: string | null; reject: string } | null;
  /** The build contains no change from production: said plainly, and promoting needs a confirmation (or is refused). */
  noChange?: { baseTag: string; refused: boolean } | null;
  resend: boolean;
  /** Who decides, for a recipient without links. */
  decidedBy?: readonly string[];
  /** Who must approve, group by group ("lead: waiting — 1 of …"); absent for a single group. */
  approvals?: readonly string[];
  /** A freeze window in force: promoting needs an override. */
  freeze?: { name: string; until: string; overrideGroup: string | null } | null;
}

function noChangeLine(n: NonNullable<QaEmailModel['noChange']>): string {
  const what = `This build contains no change from production (${n.baseTag}): it is the code production already runs.`;
  return n.refused ? `${what} This service does not promote such builds: reject it, or push the fix and build again.` : `${what} Promoting it anyway needs an explicit confirmation on the page.`;
}

function freezeLine(f: NonNullable<QaEmailModel['freeze']>): string {
  return `Production is frozen (${f.name}) until ${f.until}: promoting needs an override with a reason${f.overrideGroup ? ` from ${f.overrideGroup}` : ''}.`;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

// As many as the record keeps for the email.
const MAX_LIST = CHANGE_LIST_MAX;

export function qaEmailSubject(m: Pick<QaEmailModel, 'hotfix' | 'resend'>): string {
  const resent = m.resend ? '[resent] ' : '';
  return headerLine(`${resent}[${m.hotfix.id}] ${m.hotfix.service}: ${m.hotfix.title} — ready for QA`, 250);
}

function textList<T>(items: readonly T[], total: number, render: (i: T) => string): string {
  if (items.length === 0) return '  (none)';
  const lines = items.slice(0, MAX_LIST).map((i) => `  - ${render(i)}`);
  const shown = Math.min(items.length, MAX_LIST);
  if (total > shown) lines.push(`  ...and ${total - shown} more`);
  return lines.join('\n');
}

export function renderQaEmail(m: QaEmailModel): RenderedEmail {
  const h = m.hotfix;
  const expires = m.qa.expiresAt ? `This QA environment is torn down at ${m.qa.expiresAt} if nobody decides.` : '';
  const resendNote = m.resend ? 'This is a resend: the service restarted while mailing and may have sent it once already. Either copy\'s links work.\n\n' : '';
  const text = [
    `${resendNote}Hotfix ${h.id} for ${h.service} is ready for QA.`,
    '',
    `Title:       ${headerLine(h.title, 500)}`,
    `Requested by: ${h.requestedBy}`,
    `QA:          ${m.qa.url} (${m.qa.env})`,
    `Build:       #${m.build.number}${m.build.url ? ` ${m.build.url}` : ''} (artifact ${m.build.artifactVersion})`,
    `Branch:      ${h.branch} from ${h.baseTag ?? '?'}`,
    ...(m.approvals && m.approvals.length > 1 ? ['', 'Approvals needed (each group):', ...m.approvals.map((a) => `  - ${a}`)] : []),
    ...(m.freeze ? ['', freezeLine(m.freeze)] : []),
    ...(m.noChange ? ['', `NO CHANGE: ${noChangeLine(m.noChange)}`] : []),
    '',
    'Commits since the production tag:',
    textList(m.commits, m.totals?.commits ?? m.commits.length, (c) => `${shortSha(c.sha)} ${headerLine(c.subject, 120)} (${c.author})`),
    '',
    'Changed files:',
    textList(m.files, m.totals?.files ?? m.files.length, (f) => `${f.status} ${f.path}`),
    '',
    ...(m.links
      ? [...(m.links.promote ? [`Promote to production: ${m.links.promote}`] : []), `Reject:                ${m.links.reject}`, '', 'Each link opens a page that asks you to confirm; opening it changes nothing.']
      : [`You are told for information: the decision is taken by ${(m.decidedBy ?? []).join(' and ') || 'the approvers'}. Tell them what you find.`]),
    expires,
  ].join('\n');

  const button = (href: string, label: string, color: string) =>
    `<a href="${escapeHtml(href)}" style="display:inline-block;padding:12px 20px;margin:4px 8px 4px 0;border-radius:6px;background:${color};color:#fff;text-decoration:none;font-weight:bold">${label}</a>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(qaEmailSubject(m))}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.45;color:#111;max-width:680px;margin:0 auto;padding:16px">
${m.resend ? '<p style="background:#fff4d6;padding:8px"><strong>Resent:</strong> the service restarted while mailing and may have sent this once already. Either copy’s links work.</p>' : ''}
<h1 style="font-size:20px">${escapeHtml(h.id)} is ready for QA</h1>
<p style="font-size:17px">${escapeHtml(h.title)}</p>
${detailsTable([
  { label: 'Service', html: escapeHtml(h.service) },
  { label: 'QA environment', html: `${link(m.qa.url)} (${escapeHtml(m.qa.env)})` },
  { label: 'Build', html: `${link(m.build.url, `#${m.build.number}`)} — artifact ${escapeHtml(m.build.artifactVersion)}` },
  { label: 'Requested by', html: escapeHtml(h.requestedBy) },
  { label: 'Branch', html: `${escapeHtml(h.branch)} from ${escapeHtml(h.baseTag ?? '?')}` },
  ...(m.approvals && m.approvals.length > 1 ? [{ label: 'Approvals needed', html: m.approvals.map(escapeHtml).join('<br>') }] : []),
])}
${m.freeze ? `<p style="background:#fff4d6;padding:8px"><strong>Frozen:</strong> ${escapeHtml(freezeLine(m.freeze))}</p>` : ''}
${m.noChange ? `<p style="background:#fdecec;border-left:4px solid #cf222e;padding:8px"><strong>No change:</strong> ${escapeHtml(noChangeLine(m.noChange))}</p>` : ''}
<h2 style="font-size:17px">Commits since the production tag</h2>
${listOrNone(m.commits, (c) => `<code>${escapeHtml(shortSha(c.sha))}</code> ${escapeHtml(c.subject)} <span style="color:#555">(${escapeHtml(c.author)})</span>`, MAX_LIST, m.totals?.commits)}
<h2 style="font-size:17px">Changed files</h2>
${listOrNone(m.files, (f) => `<code>${escapeHtml(f.status)}</code> ${escapeHtml(f.path)}`, MAX_LIST, m.totals?.files)}
${
  m.links
    ? `<h2 style="font-size:17px">Your decision</h2>
<p>${m.links.promote ? button(m.links.promote, 'Promote to production', '#1a7f37') : ''}${button(m.links.reject, 'Reject', '#cf222e')}</p>
<p style="color:#555;font-size:13px">Each button opens a page that asks you to confirm; opening it changes nothing. ${escapeHtml(expires)}</p>`
    : `<p>You are told for information: the decision is taken by ${escapeHtml((m.decidedBy ?? []).join(' and ') || 'the approvers')}. Tell them what you find.</p><p style="color:#555;font-size:13px">${escapeHtml(expires)}</p>`
}
</body></html>`;
  return { subject: qaEmailSubject(m), text, html };
}
