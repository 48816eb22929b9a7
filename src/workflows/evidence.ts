// GET …/evidence: the record, the groups its approvals met, and the changed files from git.

import { groupStatus } from '../domain/approvals.js';
import { evidenceOf, evidenceTarget, type Evidence } from '../domain/evidence.js';
import { load, serviceOf } from './change.js';
import type { Deps } from './deps.js';

export async function evidenceFor(deps: Deps, id: string): Promise<Evidence> {
  const h = await load(deps, id);
  const service = serviceOf(deps, h);
  const to = evidenceTarget(h);
  const changes = h.baseCommit && to ? await deps.git.changes(service.repo, h.baseCommit, to) : { commits: [], files: [] };
  const build = h.promotion?.build ?? h.qa?.build ?? null;
  return evidenceOf(h, groupStatus(h, service, build), { ...changes, from: h.baseCommit, to });
}
