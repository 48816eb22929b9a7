// The clock that tidies the mirrors (housekeeping.ts): each running worker process (one holding
// a seat) goes through every configured repository one at a time, once soon after it starts
// running and then every interval.
// Several workers each doing it is harmless: they take turns on a repository's lock, and after
// the first, nothing is past its thresholds. A round never overlaps the next.

import type { Logger } from 'pino';
import type { Mirrors } from './mirror.js';
import { redactUrl } from './runner.js';

// Soon after start, not at once: a worker starting up has queued steps to catch up on first.
const FIRST_ROUND_MS = 60_000;

export interface Housekeeper {
  /** Stops the clock; waits for a round in progress (it holds a mirror's lock). */
  stop(): Promise<void>;
}

export function startHousekeeper(
  mirrors: Mirrors,
  repos: readonly string[],
  everyMs: number,
  hooks: { log: Logger; observe: (outcome: 'ok' | 'error', seconds: number) => void },
): Housekeeper {
  let round: Promise<void> | null = null;
  let stopped = false;

  async function tidy(repo: string): Promise<void> {
    const where = redactUrl(repo);
    const started = performance.now();
    try {
      const res = await mirrors.housekeep(repo);
      hooks.observe('ok', (performance.now() - started) / 1000);
      if (res?.repacked) {
        hooks.log.info({ repo: where, before: res.before, after: res.after, ms: Math.round(performance.now() - started) }, 'mirror repacked');
      }
    } catch (err) {
      hooks.observe('error', (performance.now() - started) / 1000);
      hooks.log.warn({ repo: where, err: err instanceof Error ? err.message : String(err) }, 'mirror housekeeping failed; trying again at the next interval');
    }
  }

  const run = (): void => {
    if (round || stopped) return;
    round = (async () => {
      for (const repo of repos) {
        if (stopped) break;
        await tidy(repo);
      }
    })().finally(() => {
      round = null;
    });
  };

  const first = setTimeout(run, Math.min(FIRST_ROUND_MS, everyMs));
  const every = setInterval(run, everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await round;
    },
  };
}
