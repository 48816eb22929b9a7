// Following the email links like a browser: GET the page, read its form, POST it back.

export interface ActionPage {
  status: number;
  html: string;
  fields: Record<string, string>;
}

export function actionLinks(text: string): { promote: string; reject: string } {
  const promote = /Promote to production:\s*(\S+)/.exec(text)?.[1];
  const reject = /Reject:\s*(\S+)/.exec(text)?.[1];
  if (!promote || !reject) throw new Error(`no action links in:\n${text}`);
  return { promote, reject };
}

export async function openAction(url: string): Promise<ActionPage> {
  const res = await fetch(url);
  const html = await res.text();
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    if (m[1] !== undefined && m[2] !== undefined) fields[m[1]] = m[2].replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return { status: res.status, html, fields };
}

export async function submitAction(url: string, page: ActionPage, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<ActionPage> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ ...page.fields, ...extra }).toString(),
  });
  return { status: res.status, html: await res.text(), fields: {} };
}
