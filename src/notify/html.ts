// Escaping and the few building blocks the emails and pages share. Everything a person typed
// (titles, comments, commit subjects) is escaped on the way in, never trusted as markup.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A safe link: only http(s) URLs become hrefs; anything else is shown as text. */
export function link(url: string | null | undefined, label?: string): string {
  if (!url) return '—';
  const text = escapeHtml(label ?? url);
  return /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}">${text}</a>` : text;
}

/** Header-safe single line (no CR/LF, so no header injection), capped in length. */
export function headerLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

export interface Row {
  label: string;
  html: string;
}

export function detailsTable(rows: readonly Row[]): string {
  const body = rows
    .map((r) => `<tr><th scope="row" style="text-align:left;padding:4px 12px 4px 0;vertical-align:top;color:#444">${escapeHtml(r.label)}</th><td style="padding:4px 0">${r.html}</td></tr>`)
    .join('');
  return `<table role="presentation" style="border-collapse:collapse;font-size:15px">${body}</table>`;
}

/** `total`: how many there are, when `items` holds only the first of them. */
export function listOrNone<T>(items: readonly T[], render: (item: T) => string, max: number, total = items.length): string {
  if (items.length === 0) return '<p>None.</p>';
  const shown = items.slice(0, max).map((i) => `<li>${render(i)}</li>`).join('');
  const hidden = total - Math.min(items.length, max);
  const more = hidden > 0 ? `<li>…and ${hidden} more</li>` : '';
  return `<ul style="padding-left:20px">${shown}${more}</ul>`;
}
