// Polling a hotfix until it is where a test expects; on a time-out, the error tells the story
// (state, attention, waiting step, every event) so a failure explains itself.

import type { HotfixView } from '../../src/domain/hotfix.js';

export async function waitForHotfix(
  get: (id: string) => Promise<HotfixView>,
  id: string,
  predicate: (h: HotfixView) => boolean,
  what: string,
  timeoutMs: number,
  everyMs = 25,
): Promise<HotfixView> {
  const deadline = Date.now() + timeoutMs;
  let last: HotfixView | undefined;
  while (Date.now() < deadline) {
    last = await get(id);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const events = last?.events.map((e) => `  ${e.type} ${e.from ?? ''}→${e.to ?? ''} ${e.message ?? ''}`).join('\n');
  throw new Error(`timed out waiting for ${id} to ${what}; state ${last?.state}\nattention: ${JSON.stringify(last?.attention)}\nwaiting: ${JSON.stringify(last?.waiting)}\nevents:\n${events}`);
}
