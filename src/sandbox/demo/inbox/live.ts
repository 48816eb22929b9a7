/**
 * Keeping the inbox live. With JavaScript, a tiny script asks `/stamp` every 1.5 s and
 * reloads the page only when something changed (so what a person opened stays open while
 * nothing happens); without it, a `<noscript>` meta refresh reloads every few seconds.
 */
import { createHash } from 'node:crypto';
import type { InboxSnapshot } from './snapshot.js';

export const REFRESH_SECONDS = 3;

/** A digest of everything the page shows that can change. */
export function stampOf(s: InboxSnapshot): string {
  const summary = {
    hotfixes: s.hotfixes.map((h) => [h.id, h.updatedAt, h.events.length]),
    apiError: s.apiError ?? null,
    emails: s.emails.length,
    slack: s.slack.map((t) => [t.root.ts, t.replies.map((r) => r.updates ?? 0)]),
    ephemerals: s.ephemerals.length,
    pulls: s.pulls.map((p) => [p.number, p.state]),
    refs: s.refs.map((r) => [r.ref, r.commit]),
    builds: s.builds.map((b) => [b.job, b.number, b.result, b.log.length]),
    production: [s.production.deploy ?? null, s.production.running?.version ?? null],
    qa: s.qa.map((q) => [q.name, q.url, q.version]),
  };
  return createHash('sha256').update(JSON.stringify(summary)).digest('hex').slice(0, 16);
}

export const LIVE_SCRIPT = `// Reloads the demo inbox when /stamp says something changed.
const stamp = document.querySelector('meta[name="stamp"]').content;
setInterval(async () => {
  try {
    const res = await fetch('/stamp', { cache: 'no-store' });
    if (res.ok && (await res.text()) !== stamp) location.reload();
  } catch {
    // the demo stopped or is busy: try again next time
  }
}, 1500);
`;

/** What goes in the page's <head>: the stamp, and how it stays live unless paused. */
export function liveHead(stamp: string, paused: boolean): string {
  if (paused) return `<meta name="stamp" content="${stamp}">`;
  return `<meta name="stamp" content="${stamp}"><noscript><meta http-equiv="refresh" content="${REFRESH_SECONDS}"></noscript><script src="/inbox.js" defer></script>`;
}
