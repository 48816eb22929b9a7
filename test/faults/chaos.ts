// Deliberate crashes for the resilience suite: HOTFIX_CHAOS names the points at which a
// process started through chaos-main.ts kills itself with SIGKILL — right after a side effect
// and before it is recorded, or right after a change is recorded and before its work is
// queued. It reaches the service only as port decorators (`chaosDecorators`); the production
// entry point knows nothing of it.
//
//   HOTFIX_CHAOS="after:ci.triggerOnce:deploy"      after the deploy trigger reached Jenkins
//   HOTFIX_CHAOS="before-schedule:send-qa-email#2"  before queueing the 2nd send-qa-email
//   HOTFIX_CHAOS="before-schedule:trigger-run:deploy"  before queueing a deploy trigger
//   HOTFIX_CHAOS="after:git.ensureTag:qa"             after a QA environment tag reached the origin
//   HOTFIX_CHAOS="after:git.publish:release"          after the release (tags, merge, back-merge branch) did
//
// A point fires on its n-th occurrence (#n, default 1) in this process.

import { afterEachCall } from '../../src/adapters/around-methods.js';
import type { Effect } from '../../src/domain/hotfix.js';
import type { Scheduler } from '../../src/ports/scheduler.js';
import type { PortDecorators } from '../../src/service.js';

export interface ChaosPlan {
  /** Point → occurrence at which to crash. */
  readonly points: ReadonlyMap<string, number>;
  readonly seen: Map<string, number>;
  crash(): never;
}

export function parseChaos(text: string | undefined, crash: () => never = () => process.kill(process.pid, 'SIGKILL') as never): ChaosPlan | null {
  if (!text?.trim()) return null;
  const points = new Map<string, number>();
  for (const raw of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [point = '', nth] = raw.split('#');
    points.set(point, nth ? Number(nth) : 1);
  }
  return { points, seen: new Map(), crash };
}

function reach(plan: ChaosPlan, point: string): void {
  const wanted = plan.points.get(point);
  if (wanted === undefined) return;
  const seen = (plan.seen.get(point) ?? 0) + 1;
  plan.seen.set(point, seen);
  if (seen === wanted) plan.crash();
}

/** `qualify` names a call more precisely (ci.triggerOnce:deploy) from its arguments. */
export function crashAfter<T extends object>(plan: ChaosPlan | null, port: string, impl: T, qualify?: (method: string, args: unknown[]) => string | null): T {
  if (!plan) return impl;
  return afterEachCall(impl, (method, args, outcome) => {
    // "After the side effect": only a call that did what it was asked.
    if (!outcome.ok) return;
    reach(plan, `after:${port}.${method}`);
    const q = qualify?.(method, args) ?? null;
    if (q) reach(plan, `after:${port}.${method}:${q}`);
  });
}

export function crashBeforeSchedule(plan: ChaosPlan | null, scheduler: Scheduler): Scheduler {
  if (!plan) return scheduler;
  return {
    async schedule(hotfixId: string, effects: readonly Effect[]) {
      for (const e of effects) {
        reach(plan, `before-schedule:${e.step}`);
        if (typeof e.args.stage === 'string') reach(plan, `before-schedule:${e.step}:${e.args.stage}`);
      }
      return scheduler.schedule(hotfixId, effects);
    },
    revive: (hotfixId, effects) => scheduler.revive(hotfixId, effects),
    wake: (hotfixId, effects) => scheduler.wake(hotfixId, effects),
  };
}

/** `ci.triggerOnce:deploy`: a trigger is also named by the stage it starts. */
function stageOf(_method: string, args: unknown[]): string | null {
  const params = args[1] as Record<string, string> | undefined;
  return typeof params?.STAGE === 'string' ? params.STAGE : null;
}

/**
 * `git.ensureTag:qa`: a tag is also named by what it marks, read from its name (`-qa-`,
 * `-production-` or `prod-`, `-rollback-`; anything else is a release tag). `git.publish:release`
 * is a publish that releases (merges into the production branch); otherwise it is named by its
 * first tag, like ensureTag.
 */
function tagKindOf(method: string, args: unknown[]): string | null {
  const plan = method === 'publish' ? (args[2] as { tags?: Array<{ name?: unknown }>; merge?: unknown } | undefined) : undefined;
  if (plan?.merge) return 'release';
  const name = method === 'ensureTag' ? (args[0] as { name?: unknown } | undefined)?.name : plan?.tags?.[0]?.name;
  if (typeof name !== 'string') return null;
  if (name.includes('-rollback-')) return 'rollback';
  if (name.includes('-qa-')) return 'qa';
  return name.includes('-production-') || name.startsWith('prod-') ? 'production' : 'release';
}

/** The plan as the composition root's port decorators. */
export function chaosDecorators(plan: ChaosPlan): PortDecorators {
  const qualifiers: Record<string, (method: string, args: unknown[]) => string | null> = { ci: stageOf, git: tagKindOf };
  return {
    port: (name, impl) => crashAfter(plan, name, impl, qualifiers[name]),
    scheduler: (scheduler) => crashBeforeSchedule(plan, scheduler),
  };
}
