// What an auditor needs about one hotfix, without access to the tools: who asked and why, what
// changed, every build and its artifact, how long QA lived, who approved for which group and
// through which channel, freeze overrides, the deploys, the tags, the back-merge and the whole
// timeline. Built from the record alone (plus the changed files git gives), so it says what the
// service did, not what anyone remembers.

import type { GroupStatus } from './approval-groups.js';
import { decider } from './approvals.js';
import type { Artifact, Hotfix, HotfixEvent, QaCycle } from './hotfix.js';

export interface EvidenceChanges {
  commits: ReadonlyArray<{ sha: string; subject: string; author: string }>;
  files: ReadonlyArray<{ status: string; path: string }>;
}

export interface Evidence {
  hotfix: { id: string; service: string; title: string; state: string; branch: string };
  requested: { by: string; at: string; filedBy: string | null };
  base: { tag: string | null; commit: string | null };
  changes: EvidenceChanges & { from: string | null; to: string | null };
  builds: Array<{ number: number | null; status: string; commit: string | null; artifact: Artifact | null; url: string | null; requestedAt: string; finishedAt: string | null; superseded: boolean }>;
  qa: Array<{ cycle: number; env: string; url: string | null; build: number; upAt: string | null; downAt: string | null; livedSeconds: number | null; status: string }>;
  approvals: Array<{ principal: string; onBehalfOf: string | null; counts: string; group: string | null; decision: string; comment: string; at: string; channel: string; build: number; override: string | null }>;
  policy: { groups: GroupStatus[] };
  freezeOverride: { by: string; reason: string; freeze: string } | null;
  deploys: Array<{ kind: string; number: number | null; status: string; commit: string | null; artifact: Artifact | null; url: string | null; requestedAt: string; startedAt: string | null; finishedAt: string | null }>;
  tags: string[];
  backmerge: { branch: string; url: string | null; conflicts: string[]; mergedAt: string | null; mergedBy: string | null } | null;
  rollback: Hotfix['rollback'];
  /** Request to the production deploy's success, when it reached production. */
  leadTimeSeconds: number | null;
  timeline: HotfixEvent[];
}

function seconds(from: string | null | undefined, to: string | null | undefined): number | null {
  return from && to ? Math.round((Date.parse(to) - Date.parse(from)) / 1000) : null;
}

function qaOf(c: QaCycle): Evidence['qa'][number] {
  return { cycle: c.cycle, env: c.env, url: c.url, build: c.build, upAt: c.upAt ?? null, downAt: c.downAt ?? null, livedSeconds: seconds(c.upAt, c.downAt), status: c.status };
}

export function evidenceOf(h: Hotfix, groups: GroupStatus[], changes: EvidenceChanges & { from: string | null; to: string | null }): Evidence {
  const deployed = h.deploys.find((d) => d.kind === 'hotfix' && d.status === 'SUCCESS');
  return {
    hotfix: { id: h.id, service: h.service, title: h.title, state: h.state, branch: h.branch },
    requested: { by: h.requestedBy, at: h.createdAt, filedBy: h.createdBy ?? null },
    base: { tag: h.baseTag, commit: h.baseCommit },
    changes,
    builds: h.builds.map((b) => ({ number: b.number, status: b.status, commit: b.commit, artifact: b.artifact, url: b.url, requestedAt: b.requestedAt, finishedAt: b.finishedAt, superseded: b.superseded })),
    qa: [...(h.qaRetired ?? []), ...(h.qa ? [h.qa] : [])].sort((a, b) => a.cycle - b.cycle).map(qaOf),
    approvals: h.approvals.map((a) => ({
      principal: a.actor,
      onBehalfOf: a.onBehalfOf ?? null,
      counts: decider(a),
      group: a.group ?? null,
      decision: a.decision,
      comment: a.comment,
      at: a.at,
      channel: a.via,
      build: a.build,
      override: a.override ?? null,
    })),
    policy: { groups },
    freezeOverride: h.promotion?.override ?? null,
    deploys: h.deploys.map((d) => ({ kind: d.kind, number: d.number, status: d.status, commit: d.commit, artifact: d.artifact, url: d.url, requestedAt: d.requestedAt, startedAt: d.startedAt ?? null, finishedAt: d.finishedAt })),
    tags: [...h.tags],
    backmerge: h.backmerge ? { branch: h.backmerge.branch, url: h.backmerge.url, conflicts: [...h.backmerge.conflicts], mergedAt: h.backmerge.mergedAt ?? null, mergedBy: h.backmerge.mergedBy ?? null } : null,
    rollback: h.rollback,
    leadTimeSeconds: seconds(h.createdAt, deployed?.finishedAt),
    timeline: [...h.events],
  };
}

/** The commit production got, or the newest build's: what the changes are measured to. */
export function evidenceTarget(h: Hotfix): string | null {
  return h.deploys.find((d) => d.kind === 'hotfix' && d.status === 'SUCCESS')?.commit ?? h.promotion?.commit ?? h.builds.at(-1)?.commit ?? h.head;
}
