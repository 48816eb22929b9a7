// The figures teams report (the DORA four, for the hotfix path), computed from the service's
// own records: lead time from request to production, time QA took, change failure rate, and
// time to restore after a failed change.

import type { Hotfix } from './hotfix.js';
import { timeToRestore } from './timeline.js';

export interface Distribution {
  count: number;
  median: number | null;
  p90: number | null;
}

export interface HotfixStats {
  hotfixes: number;
  byState: Record<string, number>;
  /** Seconds from request to the production deploy's success. */
  leadTime: Distribution;
  /** Seconds QA took to decide once the environment was up. */
  qaWait: Distribution;
  deployments: number;
  failedDeployments: number;
  /** failed / deployments, or null with no deployments. */
  changeFailureRate: number | null;
  /** Seconds from a failed change being noticed to production running the previous artifact. */
  timeToRestore: Distribution;
}

function distribution(values: number[]): Distribution {
  if (values.length === 0) return { count: 0, median: null, p90: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? null;
  return { count: values.length, median: at(0.5), p90: at(0.9) };
}

const seconds = (from: number, to: number) => Math.max(0, (to - from) / 1000);

export function computeStats(hotfixes: readonly Hotfix[]): HotfixStats {
  const byState: Record<string, number> = {};
  const leadTime: number[] = [];
  const qaWait: number[] = [];
  const restore: number[] = [];
  let deployments = 0;
  let failed = 0;
  for (const h of hotfixes) {
    byState[h.state] = (byState[h.state] ?? 0) + 1;
    const shipped = h.deploys.find((d) => d.kind === 'hotfix' && d.status === 'SUCCESS');
    if (shipped?.finishedAt) leadTime.push(seconds(Date.parse(h.createdAt), Date.parse(shipped.finishedAt)));
    // Each QA cycle that got a decision: from QA up to the decision.
    for (const e of h.events) {
      if (e.type === 'state' && e.from === 'awaiting_approval' && (e.to === 'deploying' || e.to === 'rejected')) {
        const up = [...h.events].reverse().find((x) => x.type === 'state' && x.to === 'awaiting_approval' && Date.parse(x.at) <= Date.parse(e.at));
        if (up) qaWait.push(seconds(Date.parse(up.at), Date.parse(e.at)));
      }
    }
    const attempts = h.deploys.filter((d) => d.kind === 'hotfix' && d.finishedAt !== null);
    deployments += attempts.length;
    const rolledBack = h.deploys.find((d) => d.kind === 'rollback' && d.status === 'SUCCESS');
    failed += attempts.filter((d) => d.status !== 'SUCCESS').length + (shipped && rolledBack ? 1 : 0);
    const restored = timeToRestore(h);
    if (restored !== null) restore.push(restored);
  }
  return {
    hotfixes: hotfixes.length,
    byState,
    leadTime: distribution(leadTime),
    qaWait: distribution(qaWait),
    deployments,
    failedDeployments: failed,
    changeFailureRate: deployments === 0 ? null : failed / deployments,
    timeToRestore: distribution(restore),
  };
}
