/**
 * The demo inbox page: plain HTML that reloads itself (a meta refresh, no JavaScript), with
 * the emails, the Slack thread, the hotfixes as the API reports them, and what runs where.
 */
import type { HotfixView } from '../../../domain/hotfix.js';
import type { BuildSnapshot } from '../../jenkins/index.js';
import type { SlackEphemeral, SlackMessageRecord } from '../../slack/index.js';
import { DEMO_SLACK_USERS } from '../config.js';
import { anchor, clock, escapeHtml, linkifyText, short, slackToHtml, type Rewrite } from './format.js';
import { nextStep } from './guide.js';
import { liveHead, stampOf } from './live.js';
import { buildAnchor, localLinks, pullAnchor } from './local-links.js';
import type { InboxEmail, InboxSnapshot } from './snapshot.js';

const NEW_TAB = 'target="_blank" rel="noopener"';

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.45;color:#111;max-width:1100px;margin:0 auto;padding:12px 16px}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #ddd}
.muted{color:#666;font-size:.85rem}.next{padding:12px;border-left:4px solid #0969da;background:#eef5ff;font-size:1.05rem}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}@media(max-width:800px){.grid{grid-template-columns:1fr}}
.card{border:1px solid #ddd;border-radius:6px;padding:10px;margin:8px 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:8px;border-radius:4px;font-size:.85rem;margin:.4rem 0}
.btn{display:inline-block;padding:8px 14px;margin:4px 8px 4px 0;border-radius:6px;color:#fff;text-decoration:none;font-weight:600;border:0;font:inherit;cursor:pointer}
.promote{background:#1a7f37}.reject{background:#cf222e}.merge{background:#8250df}
.state{display:inline-block;padding:1px 8px;border-radius:10px;background:#eee;font-size:.85rem}
.reply{margin-left:24px;border-left:3px solid #ddd;padding-left:8px}
.ephemeral{background:#f6f8fa;border-style:dashed}.slack-actions label{font-size:.85rem}.slack-actions input{font:inherit}
table{border-collapse:collapse;font-size:.85rem}td,th{padding:2px 8px 2px 0;text-align:left;vertical-align:top}
code{font-size:.85rem}`;

export function renderInbox(s: InboxSnapshot, opts: { paused: boolean; notice?: string }): string {
  const local = localLinks(s.simulators);
  const toggle = opts.paused ? '<a href="/">resume live updates</a>' : 'updates live — <a href="/?pause=1">pause</a>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${liveHead(stampOf(s), opts.paused)}
<title>Hotfix demo inbox</title><style>${STYLE}</style></head><body>
<h1>Hotfix demo inbox</h1>
<p class="muted">Everything the hotfix service sent, and where things run. This page ${toggle}. Updated ${clock(s.at)}.</p>
${opts.notice ? `<p class="next">${escapeHtml(opts.notice)}</p>` : ''}
<p class="next" id="next">${nextStep(s)}</p>
${environments(s)}
<div class="grid"><section><h2 id="emails">Emails (${s.emails.length})</h2>${s.emails.map((m) => email(m, local)).join('') || '<p class="muted">None yet.</p>'}</section>
<section><h2 id="slack">Slack</h2>${privately(s.ephemerals)}${s.slack.map((t) => slackMessage(t.root, local) + t.replies.map((r) => `<div class="reply">${slackMessage(r, local)}</div>`).join('')).join('') || '<p class="muted">None yet.</p>'}</section></div>
<h2 id="hotfixes">Hotfixes (from ${anchor(`${s.serviceUrl}/api/v1/hotfixes`, 'the service API', NEW_TAB)})</h2>
${s.apiError ? `<p class="muted">API error: ${escapeHtml(s.apiError)}</p>` : ''}${s.hotfixes.map(hotfix).join('') || '<p class="muted">None yet.</p>'}
<h2 id="pulls">Pull requests (GitHub simulator)</h2>${pulls(s)}
<h2 id="git">Git origin</h2>${refs(s)}
<h2 id="jenkins">Jenkins builds (simulator, running on this machine)</h2>${s.builds.map((b) => build(b, local)).join('') || '<p class="muted">None yet.</p>'}
</body></html>`;
}

function environments(s: InboxSnapshot): string {
  const prod = s.production.running
    ? `${anchor(s.production.url, escapeHtml(s.production.url), NEW_TAB)} — version <strong>${escapeHtml(s.production.running.version)}</strong> (deploy #${s.production.deploy ?? '?'})`
    : `${anchor(s.production.url, escapeHtml(s.production.url), NEW_TAB)} — nothing deployed yet`;
  const qa = s.qa.map((q) => `<li>${escapeHtml(q.name)} (${escapeHtml(q.hotfixId ?? '')}): ${anchor(q.url, escapeHtml(q.url), NEW_TAB)} — version <strong>${escapeHtml(q.version)}</strong></li>`).join('');
  return `<h2 id="environments">Where the app runs</h2><ul><li>Production: ${prod}</li>${qa || '<li class="muted">No QA environment running.</li>'}</ul>`;
}

function email(m: InboxEmail, local: Rewrite): string {
  const promote = /Promote to production:\s*(\S+)/.exec(m.text)?.[1];
  const reject = /Reject:\s*(\S+)/.exec(m.text)?.[1];
  const buttons = promote && reject
    ? `<p>${anchor(promote, 'Promote to production', `class="btn promote" ${NEW_TAB}`)}${anchor(reject, 'Reject', `class="btn reject" ${NEW_TAB}`)}</p>`
    : '';
  return `<div class="card"><strong>${escapeHtml(m.subject)}</strong><br>
<span class="muted">to ${escapeHtml(m.to.join(', '))} — from ${escapeHtml(m.from)} — ${clock(m.date)}${m.hasHtml ? ` — ${anchor(`/mail/${m.index}`, 'HTML version', NEW_TAB)}` : ''}</span>
${buttons}<details${promote ? ' open' : ''}><summary>Message</summary><pre>${linkifyText(m.text, local)}</pre></details></div>`;
}

function slackMessage(m: SlackMessageRecord, local: Rewrite): string {
  return `<div class="card"><span class="muted">#${escapeHtml(m.channelName)} ${clock(new Date(Number(m.ts.split('.')[0]) * 1000))}</span><br>${slackToHtml(m.text ?? '', local)}${slackButtons(m)}</div>`;
}

/**
 * The message's Promote/Reject buttons, clicked as one of the workspace's people: the inbox
 * asks the Slack simulator to click, which sends the service the signed payload Slack would.
 */
function slackButtons(m: SlackMessageRecord): string {
  const ids = (m.blocks ?? []).flatMap((b) => ((b as { type?: string }).type === 'actions' ? ((b as { elements?: Array<{ action_id?: string }> }).elements ?? []) : [])).map((e) => e.action_id);
  if (!ids.includes('hotfix_reject')) return '';
  const who = DEMO_SLACK_USERS.map((u) => `<option value="${escapeHtml(u.id)}">${escapeHtml(u.name)}</option>`).join('');
  return `<form method="post" action="/slack/click" class="slack-actions"><input type="hidden" name="channel" value="${escapeHtml(m.channel)}"><input type="hidden" name="ts" value="${escapeHtml(m.ts)}">
<label>Click as <select name="user">${who}</select></label><br>
${ids.includes('hotfix_promote') ? '<button class="btn promote" name="action" value="hotfix_promote" type="submit">Promote</button>' : ''}<button class="btn reject" name="action" value="hotfix_reject" type="submit">Reject…</button>
<label>Reason (Slack asks for it in a dialog) <input name="reason" maxlength="2000"></label></form>`;
}

function privately(ephemerals: readonly SlackEphemeral[]): string {
  if (ephemerals.length === 0) return '';
  const name = (id: string) => DEMO_SLACK_USERS.find((u) => u.id === id)?.name ?? id;
  return ephemerals.slice(0, 5).map((e) => `<div class="card ephemeral"><span class="muted">Only visible to ${escapeHtml(name(e.user))}</span><br>${slackToHtml(e.text)}</div>`).join('');
}

function hotfix(h: HotfixView): string {
  const build = h.builds.at(-1);
  const rows: Array<[string, string]> = [
    ['Title', escapeHtml(h.title)],
    ['Branch', `<code>${escapeHtml(h.branch)}</code> from ${escapeHtml(h.baseTag ?? '?')}`],
    ['Requested by', escapeHtml(h.requestedBy)],
    ['Build', build ? `#${build.number ?? '?'} ${escapeHtml(build.status)}${build.artifact ? ` — artifact ${anchor(build.artifact.url, escapeHtml(build.artifact.version))}` : ''}` : '—'],
    ['QA', h.qa ? `${h.qa.url ? anchor(h.qa.url, escapeHtml(h.qa.url), NEW_TAB) : '—'} (${escapeHtml(h.qa.status)})` : '—'],
    ['Approvals', escapeHtml(h.approvals.map((a) => `${a.decision} by ${a.actor} via ${a.via}`).join('; ') || '—')],
    ['Deploys', escapeHtml(h.deploys.map((d) => `#${d.number ?? '?'} ${d.kind} ${d.status}${d.artifact ? ` (${d.artifact.version})` : ''}`).join('; ') || '—')],
    ['Tags', escapeHtml(h.tags.join(', ') || '—')],
    ['Back-merge', h.backmerge ? `<code>${escapeHtml(h.backmerge.branch)}</code>${h.backmerge.number ? ` — pull request #${h.backmerge.number}` : ''}${h.backmerge.conflicts.length ? ` — conflicts: ${escapeHtml(h.backmerge.conflicts.join(', '))}` : ''}` : '—'],
  ];
  if (h.attention) rows.push(['Needs attention', `${escapeHtml(h.attention.reason)} — ${escapeHtml(h.attention.action)}`]);
  const events = h.events
    .slice()
    .reverse()
    .map((e) => `<tr><td>${clock(e.at)}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.actor)}</td><td>${e.from || e.to ? `${escapeHtml(e.from ?? '')} → ${escapeHtml(e.to ?? '')} ` : ''}${escapeHtml(e.message ?? '')}</td></tr>`)
    .join('');
  return `<div class="card"><strong>${escapeHtml(h.id)}</strong> <span class="state" data-state="${escapeHtml(h.state)}">${escapeHtml(h.state)}</span>
<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>
<details><summary>Events (${h.events.length}), newest first</summary><table>${events}</table></details></div>`;
}

function pulls(s: InboxSnapshot): string {
  if (s.pulls.length === 0) return '<p class="muted">None yet: the service opens the back-merge to develop after production.</p>';
  return s.pulls
    .map((p) => {
      const merge = p.state === 'open'
        ? `<form method="post" action="/pulls/${p.number}/merge" style="display:inline"><button class="btn merge" type="submit">Merge into ${escapeHtml(p.base)} (as a person would)</button></form>`
        : '';
      return `<div class="card" id="${pullAnchor(p.number)}"><strong>#${p.number} ${escapeHtml(p.title)}</strong> <span class="state">${escapeHtml(p.state)}</span><br>
<code>${escapeHtml(p.head)}</code> → <code>${escapeHtml(p.base)}</code> ${merge}${p.body ? `<details><summary>Description</summary><pre>${linkifyText(p.body)}</pre></details>` : ''}</div>`;
    })
    .join('');
}

function refs(s: InboxSnapshot): string {
  const rows = s.refs
    .map((r) => `<tr><td><code>${escapeHtml(r.ref.replace(/^refs\/(heads|tags)\//, ''))}</code></td><td>${r.ref.startsWith('refs/tags/') ? 'tag' : 'branch'}</td><td><code>${short(r.commit)}</code></td><td>${escapeHtml(r.subject)}</td></tr>`)
    .join('');
  return `<table><tr><th>Ref</th><th></th><th>Commit</th><th>Subject</th></tr>${rows}</table>`;
}

function build(b: BuildSnapshot, local: Rewrite): string {
  const state = b.building ? 'running' : (b.result ?? '?');
  const what = [b.params.HOTFIX_ID, b.params.QA_ENV, b.params.ARTIFACT_VERSION, b.params.DEPLOY_KIND].filter(Boolean).join(' · ');
  return `<details class="card" id="${buildAnchor(b.job, b.number)}"><summary><code>${escapeHtml(b.job)}</code> #${b.number} <span class="state">${escapeHtml(state)}</span> <span class="muted">${escapeHtml(what)}</span></summary><pre>${linkifyText(b.log.join('\n'), local)}</pre></details>`;
}
