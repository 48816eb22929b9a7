/**
 * Turning what the sinks caught into safe HTML: plain-text mail with its links made
 * clickable, and Slack's mrkdwn (`<url|label>`, `*bold*`, `` `code` ``, `:emoji:`).
 * Everything is escaped first; only http(s) URLs ever become links.
 */
import { escapeHtml } from '../../../notify/html.js';

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

export function anchor(url: string, label: string, attrs = ''): string {
  return `<a href="${escapeHtml(url)}"${attrs ? ` ${attrs}` : ''}>${label}</a>`;
}

/** Maps a URL to where the inbox shows it instead (a simulator's page), or returns it as it is. */
export type Rewrite = (url: string) => string;

const asIs: Rewrite = (url) => url;

/** A link: to a place on the inbox page when rewritten, otherwise in a new tab so the inbox stays open. */
export function linkTo(url: string, label: string, rewrite: Rewrite = asIs): string {
  const target = rewrite(url);
  return target === url ? anchor(url, label, 'target="_blank" rel="noopener"') : anchor(target, label);
}

/** Plain text with every http(s) URL a link. */
export function linkifyText(text: string, rewrite: Rewrite = asIs): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0].replace(/[.,;:)]+$/, '');
    const at = match.index;
    out += escapeHtml(text.slice(last, at)) + linkTo(url, escapeHtml(url), rewrite);
    last = at + url.length;
  }
  return out + escapeHtml(text.slice(last));
}

const EMOJI: Record<string, string> = {
  rotating_light: '🚨',
  white_check_mark: '✅',
  warning: '⚠️',
  fire: '🔥',
};

/**
 * Slack mrkdwn to HTML. Slack text is already escaped the Slack way (`&amp; &lt; &gt;` only),
 * so it is decoded once and escaped again for HTML, piece by piece around the links.
 */
export function slackToHtml(text: string, rewrite: Rewrite = asIs): string {
  const decode = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const inline = (s: string): string =>
    escapeHtml(decode(s))
      .replace(/\*([^*\n]+)\*/g, '<strong>$1</strong>')
      .replace(/`([^`\n]+)`/g, '<code>$1</code>')
      .replace(/:([a-z_]+):/g, (whole, name: string) => EMOJI[name] ?? whole)
      .replace(/\n/g, '<br>');
  let out = '';
  let last = 0;
  for (const match of text.matchAll(/<([^<>|]+)(?:\|([^<>]*))?>/g)) {
    const [whole, target = '', label] = match;
    out += inline(text.slice(last, match.index));
    const url = decode(target);
    const shown = inline(label ?? target);
    out += /^https?:\/\//.test(url) ? linkTo(url, shown, rewrite) : shown;
    last = match.index + whole.length;
  }
  return out + inline(text.slice(last));
}

export function clock(date: Date | string | undefined): string {
  if (date === undefined) return '';
  const d = typeof date === 'string' ? new Date(date) : date;
  return Number.isNaN(d.getTime()) ? '' : d.toTimeString().slice(0, 8);
}

export function short(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 10) : '—';
}

export { escapeHtml };
