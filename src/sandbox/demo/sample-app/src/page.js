// The order page, as plain HTML (no scripts): the menu, a sample order and the running version.
import { menu, sampleOrder } from './menu.js';
import { formatPrice, orderTotal } from './price.js';

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage({ build, environment }) {
  const rows = menu.map((item) => `<tr><td>${escapeHtml(item.name)}</td><td class="price">${escapeHtml(formatPrice(item.price))}</td></tr>`).join('\n');
  const unit = menu.find((item) => item.name === sampleOrder.item);
  const total = orderTotal(unit.price, sampleOrder.quantity);
  const colour = environment === 'production' ? '#1a7f37' : '#9a6700';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Acme Coffee (${escapeHtml(environment)})</title>
<style>body{font-family:system-ui,sans-serif;max-width:520px;margin:2rem auto;padding:0 1rem}
.env{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;background:${colour}}
table{border-collapse:collapse;width:100%}td{padding:6px;border-bottom:1px solid #ddd}.price{text-align:right}
.total{font-size:1.4rem;font-weight:bold}</style></head>
<body>
<p><span class="env">${escapeHtml(environment)}</span> version <strong id="version">${escapeHtml(build.version)}</strong>${build.commit ? ` — commit <code>${escapeHtml(build.commit.slice(0, 10))}</code>` : ''}${build.build ? ` — build #${escapeHtml(build.build)}` : ''}</p>
<h1>Acme Coffee</h1>
<table>${rows}</table>
<h2>Your order</h2>
<p>${sampleOrder.quantity} × ${escapeHtml(sampleOrder.item)}</p>
<p class="total">Total: <span id="total">${escapeHtml(formatPrice(total))}</span></p>
</body></html>
`;
}
