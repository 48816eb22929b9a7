// Emails to the person who asked for the hotfix, when it needs them.

import type { HotfixView } from '../domain/hotfix.js';
import { escapeHtml, headerLine, link } from './html.js';
import type { RenderedEmail } from './qa-email.js';

export type RequesterEvent = 'build-failed' | 'rejected' | 'stale-base' | 'rolled-back' | 'verification-failed' | 'rollback-failed';

function page(title: string, paragraphs: string[], hotfixUrl: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;line-height:1.45;max-width:680px;margin:0 auto;padding:16px">
<h1 style="font-size:20px">${escapeHtml(title)}</h1>
${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}
<p style="color:#555;font-size:13px">Hotfix record: ${link(hotfixUrl)}</p>
</body></html>`;
}

export function renderRequesterEmail(h: HotfixView, event: RequesterEvent, detail: { tag?: string; build?: number }, apiUrl: string): RenderedEmail {
  const prefix = `[${h.id}] ${h.service}: ${h.title}`;
  const lastBuild = h.builds.at(-1);
  const lastDeploy = h.deploys.at(-1);
  let what: string;
  let text: string[];
  let html: string[];
  switch (event) {
    case 'build-failed':
      what = 'build failed';
      text = [
        `Build #${lastBuild?.number ?? '?'} of ${h.branch} ended ${lastBuild?.status ?? 'badly'}.`,
        `Build log: ${lastBuild?.url ?? '(no URL reported)'}`,
        'Push a fix to the branch and build again (POST /api/v1/hotfixes/:id/builds).',
      ];
      html = [
        `Build ${link(lastBuild?.url, `#${lastBuild?.number ?? '?'}`)} of <code>${escapeHtml(h.branch)}</code> ended <strong>${escapeHtml(lastBuild?.status ?? 'badly')}</strong>.`,
        'Push a fix to the branch and build again.',
      ];
      break;
    case 'rejected':
      what = 'rejected in QA';
      text = [
        `Rejected by ${h.rejection?.actor ?? '?'} at ${h.rejection?.at ?? '?'}.`,
        `Reason: ${h.rejection?.reason || '(none given)'}`,
        'The QA environment is being torn down. Push a fix and build again to start a new QA cycle.',
      ];
      html = [
        `Rejected by <strong>${escapeHtml(h.rejection?.actor ?? '?')}</strong> at ${escapeHtml(h.rejection?.at ?? '?')}.`,
        `Reason: ${escapeHtml(h.rejection?.reason || '(none given)')}`,
        'The QA environment is being torn down. Push a fix and build again to start a new QA cycle.',
      ];
      break;
    case 'stale-base':
      what = `rebuilding on ${detail.tag ?? 'the new production tag'}`;
      text = [
        `Production moved to ${detail.tag ?? '?'} after this branch was cut, so the approved build did not contain everything running in production.`,
        `The service merged ${detail.tag ?? 'the new tag'} into ${h.branch} and started a new build; QA will be asked again.`,
      ];
      html = text.map(escapeHtml);
      break;
    case 'rolled-back':
      what = 'rolled back';
      text = [
        `Production was rolled back: ${h.rollback?.reason ?? '?'}.`,
        `It now runs ${h.rollback?.target?.tag ?? 'the previous production tag'} (${h.rollback?.target?.artifact.version ?? '?'}).`,
        `Deploy: ${lastDeploy?.url ?? '(no URL)'}`,
      ];
      html = text.map(escapeHtml);
      break;
    case 'rollback-failed':
      what = 'ROLLBACK FAILED: production needs a person';
      text = [`The rollback did not bring production back: ${h.attention?.reason ?? '?'}.`, h.attention?.action ?? 'Check production now.'];
      html = text.map(escapeHtml);
      break;
    case 'verification-failed': {
      const v = h.verification;
      what = 'failed its checks in production and was rolled back';
      text = [
        `After deploy #${h.deploys.find((d) => d.kind === 'hotfix')?.number ?? '?'}, production failed its checks: ${v?.result?.reason ?? '?'}.`,
        ...(v?.last ?? []).map((a) => `  - ${a.check}: ${a.outcome} (${a.detail})`),
        `Production was rolled back to ${h.rollback?.target?.tag ?? 'the previous production tag'} (${h.rollback?.target?.artifact.version ?? '?'}); the release tag and master were left as they were.`,
      ];
      html = text.map(escapeHtml);
      break;
    }
  }
  const subject = headerLine(`${prefix} — ${what}`, 250);
  return { subject, text: [...text, '', `Hotfix record: ${apiUrl}`].join('\n'), html: page(subject, html, apiUrl) };
}
