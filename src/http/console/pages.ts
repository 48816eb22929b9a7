// The console's pages: server-rendered HTML that reads on a phone, works without scripts (the
// one script only keeps a page current), and holds no inline script or style (strict CSP).

import { policyView } from '../../domain/approvals.js';
import type { Hotfix } from '../../domain/hotfix.js';
import type { ServicePolicy } from '../../domain/policy.js';
import { escapeHtml, link, shortSha } from '../../notify/html.js';
import type { Principal } from '../../ports/identity.js';
import { decisionHtml, qaHtml } from '../pages/action-page.js';
import { timeHtml } from '../pages/layout.js';
import { actionsFor, inStateSince, waitsFor, type ConsoleAction } from './waiting.js';

export interface Viewer {
  principal: Principal;
  csrf: string;
}

export interface PageOptions {
  viewer?: Viewer;
  /** The view's fragment URL and stamp: the script swaps in a changed fragment. */
  live?: { url: string; stamp: string };
}

export function page(title: string, body: string, o: PageOptions = {}): string {
  const who = o.viewer
    ? `<span>${escapeHtml(o.viewer.principal.name)} <span class="muted">(${escapeHtml(o.viewer.principal.roles.join(', ') || 'no roles')})</span></span>
<form method="post" action="/console/sign-out"><input type="hidden" name="csrf" value="${escapeHtml(o.viewer.csrf)}"><button type="submit">Sign out</button></form>`
    : '';
  const main = o.live ? `<main data-live="${escapeHtml(o.live.url)}" data-stamp="${escapeHtml(o.live.stamp)}">${body}</main>` : `<main>${body}</main>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="same-origin">
<link rel="icon" href="/favicon.ico" sizes="32x32"><link rel="stylesheet" href="/console/app.css">
<title>${escapeHtml(title)} — hotfix console</title>${o.live ? '\n<script src="/console/app.js" defer></script>' : ''}
</head><body><header class="top"><a href="/console">Hotfix console</a>${who}</header>
${main}</body></html>`;
}

export function signInPage(error: string | null, next: string): string {
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>Use the same credential as the API: your API token, or a token from the organisation's sign-in (SSO). It is checked once; the browser then keeps only a session cookie.</p>
${error ? `<p class="notice bad" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/console/sign-in"><input type="hidden" name="next" value="${escapeHtml(next)}">
<label for="credential">API token or SSO token</label><input id="credential" name="credential" type="password" autocomplete="current-password" required maxlength="8192">
<p><button class="btn" type="submit">Sign in</button></p></form>`,
  );
}

const stateBadge = (state: string) => `<span class="state ${escapeHtml(state)}">${escapeHtml(state.replace(/_/g, ' '))}</span>`;

function duration(fromIso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** The list: hotfixes in flight per service, then the latest that ended. */
export function listFragment(hotfixes: readonly Hotfix[], ended: readonly Hotfix[], policyOf: (service: string) => ServicePolicy | undefined, now: Date, tz: string): string {
  const services = [...new Set(hotfixes.map((h) => h.service))].sort();
  const card = (h: Hotfix) => `<div class="card"><h3><a href="/console/hotfixes/${escapeHtml(h.id)}">${escapeHtml(h.id)}</a> ${stateBadge(h.state)}</h3>
<div>${escapeHtml(h.title)}</div>
<div class="muted">for ${duration(inStateSince(h), now)} · requested by ${escapeHtml(h.requestedBy)}</div>
<p class="${h.state === 'needs_attention' ? 'notice bad' : 'muted'}">Waits for: ${escapeHtml(waitsFor(h, policyOf(h.service), now))}</p></div>`;
  const inFlight = services.length
    ? services.map((s) => `<h2>${escapeHtml(s)} <span class="muted">(${hotfixes.filter((h) => h.service === s).length} in flight)</span></h2><div class="cards">${hotfixes.filter((h) => h.service === s).map(card).join('')}</div>`).join('')
    : '<p class="notice">No hotfix in flight.</p>';
  const recent = ended.length
    ? `<h2>Ended lately</h2><div class="table-wrap"><table><tr><th>Hotfix</th><th>State</th><th>Service</th><th>Title</th><th>Ended</th></tr>${ended
        .map((h) => `<tr><td><a href="/console/hotfixes/${escapeHtml(h.id)}">${escapeHtml(h.id)}</a></td><td>${stateBadge(h.state)}</td><td>${escapeHtml(h.service)}</td><td>${escapeHtml(h.title)}</td><td>${timeHtml(inStateSince(h), tz)}</td></tr>`)
        .join('')}</table></div>`
    : '';
  return `<h1>Hotfixes in flight</h1><p class="muted">Updated ${timeHtml(now.toISOString(), tz)}; this page keeps itself current.</p>${inFlight}${recent}`;
}

const ACTION_LABEL: Record<ConsoleAction, string> = { promote: 'Promote…', reject: 'Reject…', retry: 'Retry…', build: 'Build again…', cancel: 'Cancel…', rollback: 'Roll back…' };
const ACTION_CLASS: Record<ConsoleAction, string> = { promote: 'promote', reject: 'reject', retry: '', build: '', cancel: 'plain', rollback: 'danger' };

export function hotfixFragment(h: Hotfix, viewer: Principal, policy: ServicePolicy | undefined, now: Date, tz: string, notice: string | null): string {
  const actions = actionsFor(h, viewer, policy);
  const rows: Array<[string, string]> = [
    ['Service', escapeHtml(h.service)],
    ['Requested by', `${escapeHtml(h.requestedBy)} at ${timeHtml(h.createdAt, tz)}`],
    ['Branch', `<code>${escapeHtml(h.branch)}</code> from ${escapeHtml(h.baseTag ?? '?')}`],
    ['QA', qaHtml(h.qa, tz)],
    ['Tags', escapeHtml(h.tags.join(', ') || '—')],
    ['Back-merge', h.backmerge ? `${h.backmerge.url ? link(h.backmerge.url, `pull request${h.backmerge.number ? ` #${h.backmerge.number}` : ''}`) : `<code>${escapeHtml(h.backmerge.branch)}</code>`}${h.backmerge.conflicts.length ? ` — conflicts: ${escapeHtml(h.backmerge.conflicts.join(', '))}` : ''}${h.backmerge.mergedBy ? ` — merged by ${escapeHtml(h.backmerge.mergedBy)}` : ''}` : '—'],
  ];
  const groups = policy ? policyView(h, policy, now).groups : [];
  const approvals = groups.length
    ? `<ul>${groups.map((g) => `<li>${escapeHtml(g.name)}: ${g.approvedBy.length} of ${g.required}${g.approvedBy.length ? ` (${escapeHtml(g.approvedBy.join(', '))})` : ''}${g.met ? ' ✓' : ''}</li>`).join('')}</ul>`
    : '';
  const decisions = h.approvals.length ? `<ul>${h.approvals.map((a) => `<li>${decisionHtml(a, tz)} <span class="muted">(build #${a.build}, via ${escapeHtml(a.via)})</span></li>`).join('')}</ul>` : '<p class="muted">No decision yet.</p>';
  const runs = (list: readonly Hotfix['builds'][number][], what: string) =>
    list.length
      ? `<div class="table-wrap"><table><tr><th>${what}</th><th>Status</th><th>Commit</th><th>Artifact</th><th>Asked</th></tr>${list
          .map((r) => `<tr><td>${r.url ? link(r.url, `#${r.number ?? '?'}`) : `#${r.number ?? '?'}`}${'kind' in r ? ` ${escapeHtml(String(r.kind))}` : ''}</td><td>${escapeHtml(r.status)}</td><td>${r.commit ? `<code>${escapeHtml(shortSha(r.commit))}</code>` : '—'}</td><td>${r.artifact ? escapeHtml(r.artifact.version) : '—'}</td><td>${timeHtml(r.requestedAt, tz)}</td></tr>`)
          .join('')}</table></div>`
      : '<p class="muted">None.</p>';
  const timeline = h.events
    .slice()
    .reverse()
    .map((e) => `<tr><td>${timeHtml(e.at, tz)}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.actor)}</td><td>${e.to ? `${escapeHtml(e.from ?? '')} → ${escapeHtml(e.to)} ` : ''}${escapeHtml(e.message ?? '')}</td></tr>`)
    .join('');
  return `${notice ? `<p class="notice ok" role="status">${escapeHtml(notice)}</p>` : ''}
<h1>${escapeHtml(h.id)} ${stateBadge(h.state)}</h1><p>${escapeHtml(h.title)}</p>
<p class="${h.state === 'needs_attention' ? 'notice bad' : 'notice'}"><strong>Waits for:</strong> ${escapeHtml(waitsFor(h, policy, now))} <span class="muted">(in this state for ${duration(inStateSince(h), now)})</span></p>
${actions.length ? `<div class="actions">${actions.map((a) => `<a class="btn ${ACTION_CLASS[a]}" href="/console/hotfixes/${escapeHtml(h.id)}/${a}">${ACTION_LABEL[a]}</a>`).join('')}</div>` : ''}
<div class="table-wrap"><table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table></div>
<h2>Approvals</h2>${approvals}${decisions}
<h2>Builds</h2>${runs(h.builds, 'Build')}
<h2>Deploys</h2>${runs(h.deploys, 'Deploy')}
<h2>Timeline</h2><div class="table-wrap"><table><tr><th>When</th><th>What</th><th>Who</th><th></th></tr>${timeline}</table></div>`;
}

const CONFIRM: Record<ConsoleAction, { title: string; explain: string; reason: 'required' | 'optional' | 'none'; button: string }> = {
  promote: { title: 'Promote to production', explain: 'Your approval counts for your group. Once every group has approved, QA is torn down and the tested artifact is deployed to production.', reason: 'optional', button: 'Promote' },
  reject: { title: 'Reject this build', explain: 'QA is torn down and the requester is told why; a fix and a new build bring it back.', reason: 'required', button: 'Reject' },
  retry: { title: 'Retry', explain: 'Do this once the cause named above is fixed: the step that stopped runs again.', reason: 'none', button: 'Retry' },
  build: { title: 'Build again', explain: 'Jenkins builds the hotfix branch as it is now (push the fix first).', reason: 'none', button: 'Build' },
  cancel: { title: 'Cancel the hotfix', explain: 'Nothing reached production; the branch stays, QA is torn down.', reason: 'optional', button: 'Cancel the hotfix' },
  rollback: { title: 'Roll back production', explain: 'Production gets the artifact it ran before this hotfix, checked, tagged and announced.', reason: 'required', button: 'Roll back' },
};

export function confirmFragment(h: Hotfix, action: ConsoleAction, csrf: string, tz: string, error: string | null): string {
  const c = CONFIRM[action];
  const reason =
    c.reason === 'none'
      ? ''
      : `<label for="reason">${c.reason === 'required' ? 'Why? (required)' : 'Comment (optional)'}</label><textarea id="reason" name="reason" maxlength="2000"${c.reason === 'required' ? ' required' : ''}></textarea>`;
  const noChange = action === 'promote' && h.qa?.changes?.files === 0 ? `<label><input type="checkbox" name="confirmNoChange" value="yes" required> Build #${h.qa.build} contains no change from production; promote it anyway</label>` : '';
  return `<h1>${escapeHtml(c.title)}: ${escapeHtml(h.id)}</h1><p>${escapeHtml(h.title)} — ${stateBadge(h.state)}, updated ${timeHtml(h.updatedAt, tz)}</p>
${h.attention ? `<p class="notice bad">${escapeHtml(h.attention.reason)} — ${escapeHtml(h.attention.action)}</p>` : ''}
${error ? `<p class="notice bad" role="alert">${escapeHtml(error)}</p>` : ''}
<p>${escapeHtml(c.explain)}</p>
<form method="post" action="/console/hotfixes/${escapeHtml(h.id)}/${action}"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}">${reason}${noChange}
<div class="actions"><button class="btn ${ACTION_CLASS[action]}" type="submit">${escapeHtml(c.button)}</button><a class="btn plain" href="/console/hotfixes/${escapeHtml(h.id)}">Back</a></div></form>`;
}

export function messageFragment(title: string, message: string, back: string): string {
  return `<h1>${escapeHtml(title)}</h1><p class="notice bad" role="alert">${escapeHtml(message)}</p><p><a href="${escapeHtml(back)}">Back</a></p>`;
}
