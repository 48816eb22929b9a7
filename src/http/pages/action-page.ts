// The pages behind the email links: readable on a phone, usable without JavaScript, and
// honest about what happened. The GET page shows the hotfix and a form; nothing changes
// until the form is posted.

import type { Decision, HotfixView } from '../../domain/hotfix.js';
import { detailsTable, escapeHtml, link, listOrNone, shortSha } from '../../notify/html.js';

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.5;color:#111;background:#fff;max-width:680px;margin:0 auto;padding:16px}
h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.5rem}
.notice{padding:12px;border-radius:6px;background:#f1f3f5;border-left:4px solid #555}
.ok{border-color:#1a7f37;background:#e9f7ee}.warn{border-color:#9a6700;background:#fff8e1}.bad{border-color:#cf222e;background:#fdecec}
label{display:block;font-weight:600;margin:12px 0 4px}textarea{width:100%;box-sizing:border-box;min-height:6rem;font:inherit;padding:8px}
button{font:inherit;font-weight:700;padding:12px 20px;border:0;border-radius:6px;color:#fff;cursor:pointer;margin-top:12px}
.promote{background:#1a7f37}.reject{background:#cf222e}
a{color:#0550ae}:focus-visible{outline:3px solid #0969da;outline-offset:2px}
</style></head><body><main>${body}</main></body></html>`;
}

export interface ActionContext {
  hotfix: HotfixView;
  decision: Decision;
  recipient: string;
  build: number;
  approvals: { count: number; required: number; groups: string[] };
  freeze: { name: string; until: string } | null;
}

function context(c: ActionContext): string {
  const h = c.hotfix;
  const build = h.builds.find((b) => b.number === c.build);
  return `${detailsTable([
    { label: 'Hotfix', html: `${escapeHtml(h.id)} — ${escapeHtml(h.title)}` },
    { label: 'Service', html: escapeHtml(h.service) },
    { label: 'QA environment', html: h.qa ? `${link(h.qa.url)} (${escapeHtml(h.qa.env)})` : '—' },
    { label: 'Build', html: `${link(build?.url, `#${c.build}`)}${build?.artifact ? ` — artifact ${escapeHtml(build.artifact.version)}` : ''}${build?.commit ? ` — <code>${escapeHtml(shortSha(build.commit))}</code>` : ''}` },
    { label: 'Requested by', html: escapeHtml(h.requestedBy) },
    { label: 'State', html: escapeHtml(h.state.replace(/_/g, ' ')) },
    { label: 'Approvals', html: `${c.approvals.count} of ${c.approvals.required}${c.approvals.groups.length > 1 ? `<br>${c.approvals.groups.map(escapeHtml).join('<br>')}` : ''}` },
    ...(c.freeze ? [{ label: 'Freeze', html: `<strong>${escapeHtml(c.freeze.name)}</strong> until ${escapeHtml(c.freeze.until)}: promoting needs an override with a reason` }] : []),
  ])}
<p>Approvals count for build #${c.build} only: a new build starts them over.</p>
<h2>Approvals so far</h2>
${listOrNone(
  h.approvals.filter((a) => a.build === c.build),
  (a) => `${escapeHtml(a.actor)} — ${escapeHtml(a.decision)} at ${escapeHtml(a.at)}${a.comment ? `: ${escapeHtml(a.comment)}` : ''}`,
  20,
)}`;
}

export function decisionForm(c: ActionContext, fields: { proof: string; error?: string }): string {
  const promote = c.decision === 'promote';
  const title = promote ? `Promote ${c.hotfix.id} to production?` : `Reject ${c.hotfix.id}?`;
  const error = fields.error ? `<p class="notice bad" role="alert">${escapeHtml(fields.error)}</p>` : '';
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>You are deciding as <strong>${escapeHtml(c.recipient)}</strong>. Opening this page changed nothing; the button below does.</p>
${error}
${context(c)}
<form method="post">
<input type="hidden" name="decision" value="${escapeHtml(c.decision)}">
<input type="hidden" name="proof" value="${escapeHtml(fields.proof)}">
<label for="comment">${promote ? 'Comment (optional)' : 'Why are you rejecting it? (required)'}</label>
<textarea id="comment" name="comment" maxlength="2000"${promote ? '' : ' required'}></textarea>
<button type="submit" class="${promote ? 'promote' : 'reject'}">${promote ? 'Promote to production' : 'Reject this hotfix'}</button>
</form>`,
  );
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info';

export function messagePage(title: string, message: string, tone: Tone, c?: ActionContext): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p class="notice ${tone}" role="status">${escapeHtml(message)}</p>${c ? context(c) : ''}`);
}
