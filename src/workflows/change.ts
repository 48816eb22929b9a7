// The one way workflows change a hotfix: record a fact on a draft, let `advance` decide what
// follows from the whole record, commit it, then hand the work the change added to the queue.
// If the process dies between the two, the reconciler finds the work in the outbox and
// schedules it. A hotfix whose record no longer needs the deploy slot lets it go here.

import { advance } from '../domain/advance.js';
import { needsSlot } from '../domain/deploy-slot.js';
import { NotFoundError } from '../domain/errors.js';
import type { Effect, Hotfix } from '../domain/hotfix.js';
import type { Context } from '../domain/record.js';
import type { HotfixState } from '../domain/states.js';
import type { Deps, ServiceSetup } from './deps.js';
import { releaseSlot } from './release-slot.js';

export async function change<T>(
  deps: Pick<Deps, 'store' | 'scheduler' | 'log' | 'telemetry' | 'services' | 'clock' | 'deployments'>,
  id: string,
  mutate: (draft: Hotfix) => T,
  /** The hotfix as just read, if the caller has it: saves a round trip to Redis. */
  known?: Hotfix,
): Promise<{ hotfix: Hotfix; result: T }> {
  let added: Effect[] = [];
  let before: HotfixState = 'open';
  let heldSlot = false;
  const done = await deps.store.update(id, (draft) => {
    before = draft.state;
    heldSlot = needsSlot(draft);
    const queued = new Set(draft.outbox.map((e) => e.id));
    const result = mutate(draft);
    const policy = deps.services.get(draft.service);
    if (policy) advance(draft, policy, context(deps, 'system'));
    added = draft.outbox.filter((e) => !queued.has(e.id));
    return result;
  }, known);
  if (!done) throw new NotFoundError(`no hotfix ${id}`);
  if (done.hotfix.state !== before) {
    deps.log.info({ hotfixId: id, from: before, to: done.hotfix.state }, 'hotfix state changed');
    deps.telemetry.transition(done.hotfix, before, done.hotfix.state);
  }
  if (added.length > 0) {
    try {
      await deps.scheduler.schedule(id, added);
    } catch (err) {
      // Committed already; the reconciler will schedule it once the queue answers again.
      deps.log.warn({ hotfixId: id, err }, 'could not schedule work now; the reconciler will');
    }
  }
  if (heldSlot && !needsSlot(done.hotfix)) {
    // Not letting go now only delays the next deploy: its claim finds this holder stale.
    await releaseSlot(deps, done.hotfix.service, id).catch((err: unknown) => deps.log.warn({ hotfixId: id, err }, 'could not let go of the deploy slot now'));
  }
  return done;
}

export function context(deps: Pick<Deps, 'clock'>, actor: string): Context {
  return { actor, now: deps.clock.now() };
}

export function serviceOf(deps: Pick<Deps, 'services'>, h: Pick<Hotfix, 'service'>): ServiceSetup {
  const service = deps.services.get(h.service);
  if (!service) throw new NotFoundError(`service '${h.service}' is not configured any more`);
  return service;
}

export async function load(deps: Pick<Deps, 'store'>, id: string): Promise<Hotfix> {
  const h = await deps.store.get(id);
  if (!h) throw new NotFoundError(`no hotfix ${id}`);
  return h;
}
