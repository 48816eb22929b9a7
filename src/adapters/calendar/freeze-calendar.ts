// Freeze windows from the config: date ranges, and recurring windows (a cron start in a time
// zone, lasting durationHours — "Fridays 16:00 to Mondays 08:00 Europe/Berlin" is
// `0 16 * * 5` for 64 hours). croner does the recurrence and the time zones (daylight saving
// included); nothing here is hand-written date arithmetic beyond adding the duration.

import { Cron } from 'croner';
import type { ActiveFreeze } from '../../domain/policy.js';
import type { FreezeOccurrence, FreezeSchedule } from '../../ports/freeze-schedule.js';

export type FreezeWindow =
  | { name: string; from: string; to: string }
  | { name: string; cron: string; durationHours: number; timezone: string };

const HOUR_MS = 3_600_000;

interface Window {
  /** The occurrence in force at `at`, if any. */
  activeAt(at: Date): FreezeOccurrence | null;
  /** The first occurrence starting after `at`. */
  nextAfter(at: Date): FreezeOccurrence | null;
}

function windowOf(w: FreezeWindow): Window {
  if ('from' in w) {
    const from = new Date(w.from);
    const until = new Date(w.to);
    return {
      activeAt: (at) => (at >= from && at < until ? { name: w.name, from, until } : null),
      nextAfter: (at) => (from > at ? { name: w.name, from, until } : null),
    };
  }
  const cron = new Cron(w.cron, { timezone: w.timezone });
  const span = w.durationHours * HOUR_MS;
  const occurrence = (from: Date | null): FreezeOccurrence | null => (from ? { name: w.name, from, until: new Date(from.getTime() + span) } : null);
  return {
    // The latest start within `span` before `at` (a start at `at` itself counts).
    activeAt: (at) => {
      const start = cron.nextRun(new Date(at.getTime() - span));
      return start && start <= at ? occurrence(start) : null;
    },
    nextAfter: (at) => occurrence(cron.nextRun(at)),
  };
}

/** Throws (with croner's words) for a cron pattern or time zone it cannot read: a config error. */
export function checkFreezeWindow(w: FreezeWindow): string | null {
  try {
    windowOf(w).nextAfter(new Date());
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

export function freezeSchedule(windows: readonly FreezeWindow[]): FreezeSchedule {
  const all = windows.map(windowOf);
  return {
    activeAt(at): ActiveFreeze | null {
      // Several in force: the one that ends last is what a promotion waits for.
      const active = all.map((w) => w.activeAt(at)).filter((o): o is FreezeOccurrence => o !== null);
      const last = active.sort((a, b) => b.until.getTime() - a.until.getTime())[0];
      return last ? { name: last.name, until: last.until } : null;
    },
    overview(at) {
      const active = all.map((w) => w.activeAt(at)).filter((o): o is FreezeOccurrence => o !== null);
      const next = all.map((w) => w.nextAfter(at)).filter((o): o is FreezeOccurrence => o !== null).sort((a, b) => a.from.getTime() - b.from.getTime());
      return { active, next };
    },
  };
}
