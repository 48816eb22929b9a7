// GET /api/v1/stats: the team's figures over a window of days, from the service's records.

import type { Hotfix } from '../domain/hotfix.js';
import { computeStats, type HotfixStats } from '../domain/stats.js';
import type { Deps } from './deps.js';

const PAGE = 200;
const MAX_HOTFIXES = 20_000;

export async function statsFor(deps: Pick<Deps, 'store' | 'clock'>, query: { service?: string; days: number }): Promise<HotfixStats & { window: { from: string; to: string; service: string | null } }> {
  const to = deps.clock.now();
  const from = new Date(to.getTime() - query.days * 86_400_000);
  const inWindow: Hotfix[] = [];
  let before: string | undefined;
  // Newest first, until the window's start (or a sanity cap).
  for (;;) {
    const page = await deps.store.list({ limit: PAGE, ...(query.service ? { service: query.service } : {}), ...(before ? { before } : {}) });
    for (const h of page) if (Date.parse(h.createdAt) >= from.getTime()) inWindow.push(h);
    const last = page.at(-1);
    if (page.length < PAGE || !last || Date.parse(last.createdAt) < from.getTime() || inWindow.length >= MAX_HOTFIXES) break;
    before = last.id;
  }
  return { ...computeStats(inWindow), window: { from: from.toISOString(), to: to.toISOString(), service: query.service ?? null } };
}
