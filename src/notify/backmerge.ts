// The back-merge pull request's description: what it carries and what a person must resolve.

import type { Hotfix } from '../domain/hotfix.js';
import { oneLine } from '../domain/finalize.js';
import { escapeHtml } from './html.js';

/** Markdown-safe text from a person: no HTML, and no @mentions that ping people. */
function plain(text: string): string {
  return escapeHtml(oneLine(text)).replace(/@/g, '@\u200b');
}

export function renderBackmergeBody(h: Hotfix, branches: { production: string; development: string }, conflicts: readonly string[]): string {
  const lines = [
    `Hotfix **${h.id}** (${plain(h.title)}) is in production and merged into \`${branches.production}\`.`,
    `This brings it into \`${branches.development}\` so the next release keeps the fix.`,
    '',
    `- Requested by: ${h.requestedBy}`,
    `- Tags: ${h.tags.join(', ') || '(none)'}`,
    `- Deployed commit: \`${h.finalization?.commit ?? '?'}\``,
    '',
  ];
  if (conflicts.length > 0) {
    lines.push(`:warning: A trial merge into \`${branches.development}\` conflicts in:`, ...conflicts.map((f) => `- \`${f}\``), '', 'Resolve these by hand; the service never merges into develop itself.');
  } else {
    lines.push(`A trial merge into \`${branches.development}\` is clean. A person merges this; the service never merges into develop itself.`);
  }
  return lines.join('\n');
}
