// "Check the world before you trigger": after a crash or a retry we cannot know whether the
// previous attempt reached Jenkins, so look for a queued item or a recent build carrying the
// same identifying parameters before starting another.

import { identifyingParameters, type JobParameters } from '../../domain/parameters.js';
import type { CiServer, TriggeredRun, TriggerOnceOptions } from '../../ports/ci-server.js';

// Jenkins and this host disagree on the time by a little; never by this much.
const CLOCK_SKEW_MS = 60_000;

export async function triggerOnce(
  ci: Pick<CiServer, 'trigger' | 'findQueued' | 'findRuns'>,
  job: string,
  parameters: JobParameters,
  options: TriggerOnceOptions,
): Promise<TriggeredRun> {
  if (options.resumed) {
    const identity = identifyingParameters(parameters);
    const notOurs = options.exclude ?? { numbers: [], queueIds: [] };
    const queued = (await ci.findQueued(job, identity)).filter((id) => !notOurs.queueIds.includes(id));
    if (queued.length > 0) return { queueId: Math.max(...queued), number: null, url: null, adopted: true };
    const since = options.since.getTime() - CLOCK_SKEW_MS;
    const runs = (await ci.findRuns(job, identity)).filter((r) => r.timestamp >= since && !notOurs.numbers.includes(r.number));
    const newest = runs.sort((a, b) => b.number - a.number)[0];
    if (newest) return { queueId: null, number: newest.number, url: newest.url, adopted: true };
  }
  const { queueId } = await ci.trigger(job, parameters);
  return { queueId, number: null, url: null, adopted: false };
}
