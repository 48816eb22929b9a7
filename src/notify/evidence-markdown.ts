// The evidence bundle as a document an auditor reads: every section of the JSON, in words and
// tables. Text a person typed is kept on one line and its table pipes escaped.

import type { Evidence } from '../domain/evidence.js';

function cell(text: string | number | null | undefined): string {
  if (text === null || text === undefined || text === '') return '—';
  // eslint-disable-next-line no-control-regex
  return String(text).replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\|/g, '\\|').trim();
}

function table(head: string[], rows: Array<Array<string | number | null | undefined>>): string {
  if (rows.length === 0) return '_none_';
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function duration(s: number | null): string {
  if (s === null) return '—';
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function renderEvidenceMarkdown(e: Evidence, generatedAt: string): string {
  const h = e.hotfix;
  return [
    `# Evidence for hotfix ${h.id}`,
    '',
    `**${cell(h.title)}** — service \`${h.service}\`, state \`${h.state}\`, branch \`${h.branch}\`. Generated ${generatedAt} from the service's records.`,
    '',
    '## Request',
    '',
    `Requested by ${cell(e.requested.by)} at ${e.requested.at}${e.requested.filedBy ? ` (filed by ${cell(e.requested.filedBy)} on their behalf)` : ''}. Based on production tag \`${e.base.tag ?? '?'}\` (\`${e.base.commit ?? '?'}\`). Lead time to production: ${duration(e.leadTimeSeconds)}.`,
    '',
    `## Changes (${e.changes.from?.slice(0, 12) ?? '?'}..${e.changes.to?.slice(0, 12) ?? '?'})`,
    '',
    table(['commit', 'subject', 'author'], e.changes.commits.map((c) => [`\`${c.sha.slice(0, 12)}\``, c.subject, c.author])),
    '',
    table(['status', 'file'], e.changes.files.map((f) => [f.status, f.path])),
    '',
    '## Builds',
    '',
    table(['#', 'status', 'commit', 'artifact', 'sha256', 'finished'], e.builds.map((b) => [b.number, `${b.status}${b.superseded ? ' (superseded)' : ''}`, b.commit?.slice(0, 12), b.artifact ? `${b.artifact.version} ${b.artifact.url}` : null, b.artifact?.sha256, b.finishedAt])),
    '',
    '## QA environments',
    '',
    table(['cycle', 'environment', 'build', 'up', 'down', 'lived', 'status'], e.qa.map((q) => [q.cycle, q.env, `#${q.build}`, q.upAt, q.downAt, duration(q.livedSeconds), q.status])),
    '',
    '## Decisions',
    '',
    table(['principal', 'counts for', 'group', 'decision', 'build', 'at', 'channel', 'comment', 'freeze override'], e.approvals.map((a) => [a.principal, a.onBehalfOf ? `${a.counts} (on behalf)` : a.counts, a.group, a.decision, `#${a.build}`, a.at, a.channel, a.comment, a.override])),
    '',
    e.policy.groups.length > 0 ? e.policy.groups.map((g) => `- ${g.name}: ${g.met ? 'met' : 'not met'} (${g.approvedBy.length} of ${g.required}: ${g.approvedBy.join(', ') || 'nobody'})`).join('\n') : '',
    e.freezeOverride ? `\nFreeze **${cell(e.freezeOverride.freeze)}** overridden by ${cell(e.freezeOverride.by)}: ${cell(e.freezeOverride.reason)}` : '',
    '',
    '## Deploys',
    '',
    table(['kind', '#', 'status', 'commit', 'artifact', 'started', 'finished'], e.deploys.map((d) => [d.kind, d.number, d.status, d.commit?.slice(0, 12), d.artifact ? `${d.artifact.version} ${d.artifact.url}` : null, d.startedAt, d.finishedAt])),
    '',
    `Tags: ${e.tags.length > 0 ? e.tags.map((t) => `\`${t}\``).join(', ') : 'none'}.`,
    '',
    '## Back-merge',
    '',
    e.backmerge
      ? `${e.backmerge.url ? `[${e.backmerge.branch}](${e.backmerge.url})` : `\`${e.backmerge.branch}\``}${e.backmerge.conflicts.length > 0 ? `, conflicts: ${e.backmerge.conflicts.map(cell).join(', ')}` : ''}. ${e.backmerge.mergedAt ? `develop contained the hotfix at ${e.backmerge.mergedAt}; ${e.backmerge.mergedBy ? `merged by ${cell(e.backmerge.mergedBy)} (the pull-request host's record).` : 'the pull-request host records no merge of the proposal (or there is none).'}` : 'Not merged into develop yet.'}`
      : 'None (not in production).',
    e.rollback ? `\nRollback asked by ${cell(e.rollback.actor)} at ${e.rollback.at}${e.rollback.automatic ? ' (automatic)' : ''}: ${cell(e.rollback.reason)}${e.rollback.refused ? ` — not carried out: ${cell(e.rollback.refused)}` : e.rollback.target ? ` — back to ${e.rollback.target.tag}` : ''}.` : '',
    '',
    '## Timeline',
    '',
    table(['at', 'who', 'what'], e.timeline.map((ev) => [ev.at, ev.actor, ev.type === 'state' ? `${ev.from ?? '·'} → ${ev.to ?? '·'}${ev.message ? `: ${ev.message}` : ''}` : `${ev.type}: ${ev.message ?? ''}`])),
    '',
  ].join('\n');
}
