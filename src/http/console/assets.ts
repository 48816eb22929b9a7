// The console's stylesheet and its one script, served from the service itself so the pages
// can forbid everything else (no inline styles or scripts, no third parties).

export const CONSOLE_CSS = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.45;color:#111;background:#fff;margin:0}
header.top{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;padding:10px 16px;background:#24292f;color:#fff}
header.top a{color:#fff;font-weight:700;text-decoration:none}header.top form{margin:0}
header.top button{background:transparent;color:#fff;border:1px solid #8c959f;border-radius:6px;padding:4px 10px;font:inherit;cursor:pointer}
main{max-width:1100px;margin:0 auto;padding:12px 16px 40px;overflow-wrap:anywhere}
h1{font-size:1.3rem;margin:.4rem 0}h2{font-size:1.05rem;margin:1.4rem 0 .4rem;border-bottom:1px solid #d0d7de}
.muted{color:#57606a;font-size:.9rem}.notice{padding:10px 12px;border-radius:6px;background:#f6f8fa;border-left:4px solid #57606a;margin:10px 0}
.ok{border-color:#1a7f37;background:#e9f7ee}.warn{border-color:#9a6700;background:#fff8e1}.bad{border-color:#cf222e;background:#fdecec}
.state{display:inline-block;padding:1px 8px;border-radius:10px;background:#eaeef2;font-size:.85rem;white-space:nowrap}
.state.needs_attention,.state.build_failed,.state.rolled_back{background:#ffebe9;color:#a40e26}.state.awaiting_approval,.state.awaiting_backmerge{background:#fff8c5}
.state.completed{background:#dafbe1}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 12px}
.card h3{font-size:1rem;margin:0 0 4px}.card a{color:#0550ae}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{padding:4px 8px 4px 0;text-align:left;vertical-align:top;border-bottom:1px solid #eaeef2}
th{white-space:nowrap;color:#57606a;font-weight:600}td{overflow-wrap:anywhere}
.table-wrap{overflow-x:auto}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.btn{display:inline-block;padding:8px 14px;border-radius:6px;border:0;font:inherit;font-weight:700;color:#fff;background:#0969da;text-decoration:none;cursor:pointer}
.btn.promote{background:#1a7f37}.btn.reject,.btn.danger{background:#cf222e}.btn.plain{background:#57606a}
label{display:block;font-weight:600;margin:12px 0 4px}input[type=password],input[type=text],textarea{width:100%;font:inherit;padding:8px;border:1px solid #8c959f;border-radius:6px}
textarea{min-height:5rem}
a{color:#0550ae}:focus-visible{outline:3px solid #0969da;outline-offset:2px}
@media(max-width:600px){main{padding:8px 10px 32px}.cards{grid-template-columns:1fr}th{white-space:normal}}`;

/** Keeps a page current without reloading it: asks for the fragment and swaps it when it changed. */
export const CONSOLE_JS = `// The console's live updates: every 2 s, ask for this view's fragment; swap it in when its
// stamp changed. A signed-out session goes back to the sign-in page.
const live = document.querySelector('[data-live]');
if (live) {
  let stamp = live.getAttribute('data-stamp');
  const url = live.getAttribute('data-live');
  setInterval(async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' });
      if (res.status === 401) { location.assign('/console/sign-in'); return; }
      if (!res.ok) return;
      const next = await res.json();
      if (next.stamp === stamp) return;
      stamp = next.stamp;
      live.innerHTML = next.html;
      live.setAttribute('data-stamp', stamp);
      document.dispatchEvent(new CustomEvent('console:updated'));
    } catch {
      // The service is restarting or the network is away: try again next time.
    }
  }, 2000);
}
`;
