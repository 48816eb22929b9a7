// The frame of every page behind an email link: readable on a phone, no scripts, one style.

import { escapeHtml } from '../../notify/html.js';
import { inWords } from '../../notify/time-words.js';

const STYLE = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.5;color:#111;background:#fff;max-width:680px;margin:0 auto;padding:16px}
h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:1.5rem}
.notice{padding:12px;border-radius:6px;background:#f1f3f5;border-left:4px solid #555}
.ok{border-color:#1a7f37;background:#e9f7ee}.warn{border-color:#9a6700;background:#fff8e1}.bad{border-color:#cf222e;background:#fdecec}
label{display:block;font-weight:600;margin:12px 0 4px}textarea{width:100%;box-sizing:border-box;min-height:6rem;font:inherit;padding:8px}
label.check{display:flex;gap:8px;align-items:flex-start;font-weight:600}label.check input{width:1.3rem;height:1.3rem;margin-top:.15rem;flex:none}
button{font:inherit;font-weight:700;padding:12px 20px;border:0;border-radius:6px;color:#fff;cursor:pointer;margin-top:12px}
.promote{background:#1a7f37}.reject{background:#cf222e}.muted{color:#555;font-size:.9rem}
th{white-space:nowrap}td{overflow-wrap:anywhere}
a{color:#0550ae}:focus-visible{outline:3px solid #0969da;outline-offset:2px}`;

/** `refreshSeconds`: the page reloads itself (no script needed) while what it shows may change. */
export function layout(title: string, body: string, refreshSeconds: number | null = null): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><meta name="referrer" content="no-referrer">
${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">\n` : ''}<link rel="icon" href="/favicon.ico" sizes="32x32">
<title>${escapeHtml(title)}</title>
<style>
${STYLE}
</style></head><body><main>${body}</main></body></html>`;
}

export { inWords } from '../../notify/time-words.js';

/** The same, as a `<time>` element that keeps the exact instant. */
export function timeHtml(iso: string, timeZone: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(inWords(iso, timeZone))}</time>`;
}
