// Freeze windows as the service needs them: is one in force (the domain's FreezeCalendar), and
// which are in force and come next (GET /api/v1/freezes).

import type { FreezeCalendar } from '../domain/policy.js';

export interface FreezeOccurrence {
  name: string;
  from: Date;
  until: Date;
}

export interface FreezeSchedule extends FreezeCalendar {
  /** Windows in force now and the next start of each, soonest first. */
  overview(at: Date): { active: FreezeOccurrence[]; next: FreezeOccurrence[] };
}
