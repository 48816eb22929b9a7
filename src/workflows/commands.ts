// The API's other commands: build now, cancel, retry after a person fixed the cause. Each
// records what was asked; `advance` (through `change`) does what follows.

import { requestBuild } from '../domain/build.js';
import { cancel, retry } from '../domain/lifecycle.js';
import type { Hotfix } from '../domain/hotfix.js';
import { change, context, serviceOf } from './change.js';
import type { Deps } from './deps.js';

// The service's policy is read off the draft itself: one read of the hotfix, not two.
export async function requestBuildNow(deps: Deps, id: string, actor: string): Promise<Hotfix> {
  const { hotfix } = await change(deps, id, (d) => {
    requestBuild(d, serviceOf(deps, d), context(deps, actor), `build requested by ${actor}`);
  });
  return hotfix;
}

export async function cancelHotfix(deps: Deps, id: string, actor: string, reason: string): Promise<Hotfix> {
  const { hotfix } = await change(deps, id, (d) => cancel(d, reason, serviceOf(deps, d), context(deps, actor)));
  // If it was listed as waiting for the deploy slot, it waits no more.
  await deps.deployments.forget(hotfix.service, hotfix.id);
  return hotfix;
}

export async function retryHotfix(deps: Deps, id: string, actor: string): Promise<Hotfix> {
  const { hotfix } = await change(deps, id, (d) => retry(d, serviceOf(deps, d), context(deps, actor)));
  return hotfix;
}
